"""What every Leaflet page is told about its map: the basemap, its coordinate system, the words.

The basemap is chosen here and nowhere else (``basemap``): the tile server named by
``MAP_TILE_URL`` when one is set; else the streets an app offers through its ``basemap``
module (the coverage app's, from the imported road network, so an intranet with no internet
still sees its streets); else region outlines with a notice of what the map shows (and, for
staff only, how to set a basemap).
``NuanxinMap.addBasemap`` in ``core/static/nuanxin/map.js`` is the one place in the browser
that reads the choice.

Points go out in ``map_crs()`` (GCJ-02 for AMap and most domestic tile servers) and come back
tagged with it, so the server converts both ways and the browser does no datum arithmetic.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nuanxin.core.discovery import app_modules


@dataclass(frozen=True)
class TileProvider:
    key: str
    hosts: tuple[str, ...]
    crs: str  # the datum the provider draws in, for the configuration check
    subdomains: str

    def attribution(self) -> str:
        # Translated on each call: the words follow the request's language.
        if self.key == "tianditu":
            return _("地图数据 © 天地图（国家地理信息公共服务平台）")
        return _("地图数据 © 高德地图")


PROVIDERS = (
    TileProvider("tianditu", ("tianditu.gov.cn", "tianditu.com"), "wgs84", "01234567"),
    TileProvider("amap", ("autonavi.com", "amap.com"), "gcj02", "1234"),
)


def tile_provider(url: str) -> TileProvider | None:
    """The known provider whose servers ``url`` names, if any."""
    host = (urlsplit(url).hostname or "").lower()
    for provider in PROVIDERS:
        if any(host == h or host.endswith("." + h) for h in provider.hosts):
            return provider
    return None


def map_crs() -> str:
    """The coordinate system the tiles are drawn in: every point to or from a map uses it."""
    return settings.MAP_TILE_CRS


def offered_streets() -> dict[str, Any] | None:
    """The streets an app offers as the basemap (``<app>.basemap.streets_basemap``), if any."""
    for _label, module in app_modules("basemap"):
        offer = module.streets_basemap()
        if offer:
            return offer
    return None


def basemap(*, signed_in: bool = True) -> dict[str, Any]:
    """The one basemap choice: configured tiles, else offered streets, else outlines (with
    the notice). The streets come from an API that needs a login, so a reader who is not
    logged in (the public reports map, the stations map) gets the outlines and the notice
    rather than a basemap that would draw nothing."""
    url = settings.MAP_TILE_URL
    if not url:
        return (offered_streets() if signed_in else None) or {"kind": "outlines"}
    provider = tile_provider(url)
    layers = [{"url": url, "role": "base"}]
    if settings.MAP_TILE_LABEL_URL:
        layers.append({"url": settings.MAP_TILE_LABEL_URL, "role": "labels"})
    attribution = settings.MAP_TILE_ATTRIBUTION or (provider.attribution() if provider else "")
    return {
        "kind": "tiles",
        "provider": provider.key if provider else "",
        "layers": layers,
        # Leaflet's own default ("abc") is what a template with {s} and no setting gets.
        "subdomains": settings.MAP_TILE_SUBDOMAINS or (provider.subdomains if provider else "abc"),
        "maxZoom": settings.MAP_TILE_MAX_ZOOM,
        "attribution": attribution,
    }


def map_config(*, signed_in: bool = True, staff: bool = False) -> dict[str, Any]:
    """The map settings and words for a page. How to set a basemap is for ``staff`` only: a
    rider or a resident is told what the map shows, not which setting an operator changes."""
    if staff:
        no_basemap = _("未配置底图，地图只显示区域边界。")
        how = _("管理员可在环境变量 MAP_TILE_URL 中设置天地图或高德地图的瓦片地址（见运维文档）。")
    else:
        no_basemap = _("这张地图只显示区域边界和名称，不显示街道。")
        how = ""
    return {
        "crs": map_crs(),
        "basemap": basemap(signed_in=signed_in),
        "urls": {"outlines": reverse("api:geojson"), "locate": reverse("api:geo_locate")},
        "strings": {
            # Leaflet's own prefix carries a flag; the map says in the reader's language what
            # draws it instead.
            "prefix": _("地图：Leaflet"),
            "noBasemap": no_basemap,
            "noBasemapHow": how,
            "outside": _("不在已知区域内"),
        },
    }


def map_config_script(*, signed_in: bool = True, staff: bool = False) -> SafeString:
    """``<script type="application/json" id="map-config">`` for ``map.js`` to read."""
    return json_script(map_config(signed_in=signed_in, staff=staff), "map-config")


@register("nuanxin")
def check_map_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A tile server in the other datum puts every point hundreds of metres off: say so."""
    url = settings.MAP_TILE_URL
    provider = tile_provider(url) if url else None
    if provider is None or provider.crs == settings.MAP_TILE_CRS:
        return []
    return [
        Warning(
            f"MAP_TILE_URL points at {provider.key} tiles, drawn in {provider.crs}, "
            f"but MAP_TILE_CRS is {settings.MAP_TILE_CRS}.",
            hint=f"Set MAP_TILE_CRS={provider.crs}, or every point is drawn off by ~500 m.",
            id="nuanxin.W001",
        )
    ]
