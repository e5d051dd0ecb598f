from django import template
from django.utils.safestring import SafeString

from nuanxin.core.maps import map_config_script

register = template.Library()


@register.simple_tag
def map_config() -> SafeString:
    """The map settings of ``core.maps`` as JSON for ``map.js`` (``map_assets.html``)."""
    return map_config_script()
