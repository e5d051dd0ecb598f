from django import template
from django.utils.safestring import SafeString

from nuanxin.core.maps import map_config_script

register = template.Library()


@register.simple_tag(takes_context=True)
def map_config(context: template.Context) -> SafeString:
    """The map settings of ``core.maps`` as JSON for ``map.js`` (``map_assets.html``), for the
    page's reader (streets only for a logged-in one: their API needs a login; the words on how
    to set a basemap only for staff)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = user is None or user.is_authenticated
    staff = bool(user is not None and user.is_authenticated and user.is_staff)
    return map_config_script(signed_in=signed_in, staff=staff)
