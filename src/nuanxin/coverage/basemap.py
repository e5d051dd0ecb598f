"""The coverage app's offer to every map (``core.maps.basemap``): with no tile server set, the
streets of the imported road network, drawn by viewport from ``/api/v1/coverage/roads``."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.coverage.network import network_loaded

# Streets are drawn from this zoom on (a whole city's would be too many lines).
STREETS_MIN_ZOOM = 13


def streets_basemap() -> dict[str, Any] | None:
    network = network_loaded()
    if network is None or not network.nodes:
        return None
    generated = bool(network.meta.get("generated", False))
    return {
        "kind": "streets",
        "url": reverse("api:coverage_roads"),
        "minZoom": STREETS_MIN_ZOOM,
        "generated": generated,
        "attribution": _("街道：演示生成路网（非真实道路数据）")
        if generated
        else _("街道：导入的路网"),
    }
