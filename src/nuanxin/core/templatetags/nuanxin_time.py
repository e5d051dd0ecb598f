"""``{{ hours|hours_minutes }}``: a duration in hours (1.96) as people read it ("1 小时 58 分")."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def hours_minutes(value: object) -> str:
    if value is None or value == "":
        return ""
    try:
        minutes = int((Decimal(str(value)) * 60).quantize(Decimal(1)))
    except (InvalidOperation, ValueError):
        return str(value)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)s 小时") % {"h": hours}
    return _("%(m)s 分钟") % {"m": minutes}
