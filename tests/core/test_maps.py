"""The one basemap choice and the words every map page is given (core.maps)."""

import json
import re

import pytest
from django.core.checks import run_checks
from django.utils import translation

from nuanxin.core.maps import basemap, map_config

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY"
)
TIANDITU_LABELS = TIANDITU.replace("vec_w", "cva_w").replace("LAYER=vec", "LAYER=cva")
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


@pytest.fixture
def no_tiles(settings):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_LABEL_URL = ""
    settings.MAP_TILE_SUBDOMAINS = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MAP_TILE_CRS = "wgs84"
    return settings


def test_without_a_tile_url_the_maps_draw_outlines_and_tell_staff_how_to_set_one(no_tiles):
    config = map_config(staff=True)

    assert config["basemap"] == {"kind": "outlines"}
    assert config["strings"]["noBasemap"] == "未配置底图，地图只显示区域边界。"
    assert "MAP_TILE_URL" in config["strings"]["noBasemapHow"]
    assert config["urls"] == {"outlines": "/api/v1/geo/geojson", "locate": "/api/v1/geo/locate"}


def test_a_rider_is_told_what_the_map_shows_and_nothing_about_settings(no_tiles):
    strings = map_config(staff=False)["strings"]

    assert strings["noBasemap"] == "这张地图只显示区域边界和名称，不显示街道。"
    assert strings["noBasemapHow"] == ""
    assert "MAP_TILE_URL" not in json.dumps(strings, ensure_ascii=False)
    assert "管理员" not in json.dumps(strings, ensure_ascii=False)


def test_tianditu_gets_its_label_layer_eight_servers_and_a_chinese_attribution(no_tiles):
    no_tiles.MAP_TILE_URL = TIANDITU
    no_tiles.MAP_TILE_LABEL_URL = TIANDITU_LABELS

    chosen = basemap()

    assert chosen["kind"] == "tiles" and chosen["provider"] == "tianditu"
    assert chosen["layers"] == [
        {"url": TIANDITU, "role": "base"},
        {"url": TIANDITU_LABELS, "role": "labels"},
    ]
    assert chosen["subdomains"] == "01234567"
    assert chosen["attribution"] == "地图数据 © 天地图（国家地理信息公共服务平台）"
    assert chosen["maxZoom"] == 18


def test_amap_gets_its_attribution_and_a_set_attribution_or_subdomains_win(no_tiles):
    no_tiles.MAP_TILE_URL = AMAP
    no_tiles.MAP_TILE_CRS = "gcj02"
    default = basemap()
    no_tiles.MAP_TILE_ATTRIBUTION = "© 高德软件 审图号GS(0000)0000号"
    no_tiles.MAP_TILE_SUBDOMAINS = "12"
    chosen = basemap()

    assert (default["provider"], default["subdomains"]) == ("amap", "1234")
    assert default["attribution"] == "地图数据 © 高德地图"
    assert chosen["attribution"] == "© 高德软件 审图号GS(0000)0000号"
    assert chosen["subdomains"] == "12"
    assert map_config()["crs"] == "gcj02"


def test_an_unknown_tile_server_gets_leaflets_default_subdomains_and_no_attribution(no_tiles):
    no_tiles.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"

    chosen = basemap()

    assert (chosen["provider"], chosen["subdomains"], chosen["attribution"]) == ("", "abc", "")


def test_the_attribution_prefix_is_words_without_a_flag_in_each_language(no_tiles):
    chinese = map_config(staff=True)["strings"]
    with translation.override("en"):
        english = map_config(staff=True)["strings"]
        english_rider = map_config()["strings"]
        no_tiles.MAP_TILE_URL = TIANDITU
        english_tiles = basemap()

    assert chinese["prefix"] == "地图：Leaflet"
    assert english["prefix"] == "Map: Leaflet"
    assert english["noBasemap"] == "No basemap is configured: the map shows region outlines only."
    assert "MAP_TILE_URL" in english["noBasemapHow"]
    assert english_rider["noBasemap"] == (
        "This map shows region outlines and names only, without streets."
    )
    assert english_rider["noBasemapHow"] == ""
    assert english_tiles["attribution"].startswith("Map data © Tianditu")
    assert "🇺🇦" not in json.dumps(chinese, ensure_ascii=False)


def test_tiles_in_the_other_datum_are_a_configuration_warning(no_tiles):
    no_tiles.MAP_TILE_URL = AMAP
    wrong = [m.id for m in run_checks()]
    no_tiles.MAP_TILE_CRS = "gcj02"
    right = [m.id for m in run_checks()]
    no_tiles.MAP_TILE_URL = TIANDITU
    tianditu_as_gcj02 = [m.id for m in run_checks()]

    assert "nuanxin.W001" in wrong
    assert "nuanxin.W001" not in right
    assert "nuanxin.W001" in tianditu_as_gcj02


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/map/", "/reports/map/", "/stations/"])
def test_map_pages_carry_the_config_and_load_clustering_from_this_server(client, no_tiles, path):
    html = client.get(path).content.decode()

    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html)
    assert found is not None
    assert json.loads(found.group(1))["basemap"] == {"kind": "outlines"}
    assert "/static/leaflet-markercluster/leaflet.markercluster.js" in html
    assert "/static/leaflet-markercluster/MarkerCluster.Default.css" in html
    assert "//cdn" not in html and "unpkg" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/static/leaflet-markercluster/leaflet.markercluster.js",
        "/static/leaflet-markercluster/MarkerCluster.css",
        "/static/leaflet-markercluster/MarkerCluster.Default.css",
        "/static/nuanxin/map.css",
    ],
)
def test_the_clustering_files_are_served_from_the_installed_package(client, path):
    assert client.get(path).status_code == 200
