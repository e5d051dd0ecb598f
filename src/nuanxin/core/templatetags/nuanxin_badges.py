"""``{% user_badges user %}``: the badges a person chose to show, next to their name."""

from typing import Any

from django import template
from django.utils.html import format_html_join

from nuanxin.core.badges import badges_of

register = template.Library()


@register.simple_tag
def user_badges(user: Any) -> str:
    return format_html_join(
        "", ' <span class="badge badge-pioneer">{}</span>', ((label,) for label in badges_of(user))
    )
