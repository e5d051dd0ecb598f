from typing import Any

from django import template

from nuanxin.registry.access import is_governing, is_liaison

register = template.Library()


@register.filter
def liaison(user: Any) -> bool:
    return is_liaison(user)


@register.filter
def governing(user: Any) -> bool:
    return is_governing(user)


@register.filter
def signed(value: int) -> str:
    """+3, 0, -2: a change shown with its sign."""
    return f"+{value}" if value > 0 else str(value)
