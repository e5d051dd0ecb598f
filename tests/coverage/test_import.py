"""Importing roads from an OpenStreetMap file: the graphs per mode, one-ways, what is dropped."""

import io
import math

import numpy as np
import pytest
from django.core.management import call_command

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.coverage.models import RoadNetworkImport
from nuanxin.coverage.network import network_loaded, network_path
from nuanxin.coverage.osm_import import network_from_osm
from nuanxin.coverage.services import roads_import
from nuanxin.geo.coords import haversine_m
from tests.coverage.osm import OsmWay, write_osm

A, B, C, D, E = (
    (110.400, 21.200),
    (110.405, 21.200),
    (110.410, 21.200),
    (110.410, 21.205),
    (110.415, 21.205),
)


def _edges(network, mode):
    """{(tail, head): seconds}, nodes named by their rounded position."""
    g = network.graphs[mode].forward.tocoo()
    name = [(round(network.lons[i], 6), round(network.lats[i], 6)) for i in range(network.nodes)]
    return {(name[u], name[v]): s for u, v, s in zip(g.row, g.col, g.data, strict=True)}


def _key(point):
    return (round(point[0], 6), round(point[1], 6))


@pytest.fixture
def small_file(tmp_path):
    nodes = {1: A, 2: B, 3: C, 4: D, 5: E}
    ways = [
        OsmWay(10, [1, 2], {"highway": "residential"}),
        OsmWay(11, [2, 3], {"highway": "primary", "oneway": "yes"}),
        OsmWay(12, [4, 3], {"highway": "secondary", "oneway": "-1"}),  # rides 3 -> 4 only
        OsmWay(13, [4, 5], {"highway": "motorway"}),
        OsmWay(14, [1, 4], {"route": "ferry"}),
        OsmWay(15, [2, 4], {"highway": "footway"}),
        OsmWay(16, [3, 5], {"highway": "service", "access": "private"}),
        OsmWay(17, [5, 99], {"highway": "residential"}),  # node 99 is not in the file
        OsmWay(18, [1, 5], {"highway": "proposed"}),
        OsmWay(19, [1, 2], {"building": "yes"}),  # not a road at all: not even read
    ]
    return write_osm(tmp_path / "small.osm.pbf", nodes, ways)


def test_import__ride_follows_oneways_and_walk_goes_both_ways(small_file, settings):
    network, _summary = network_from_osm(small_file)
    ride = _edges(network, "ride")
    walk = _edges(network, "walk")
    a, b, c, d = _key(A), _key(B), _key(C), _key(D)
    assert set(ride) == {(a, b), (b, a), (b, c), (c, d)}
    assert (c, b) not in ride and (d, c) not in ride
    for pair in [(a, b), (b, c), (c, b), (c, d), (d, c), (b, d), (d, b), (a, d), (d, a)]:
        assert pair in walk
    # travel time is great-circle length at the type's speed
    metres = haversine_m(*A, *B)
    assert ride[(a, b)] == pytest.approx(metres / (15 / 3.6), rel=1e-9)
    assert walk[(a, b)] == pytest.approx(metres / (4.5 / 3.6), rel=1e-9)
    assert walk[(a, d)] == pytest.approx(haversine_m(*A, *D) / (10 / 3.6), rel=1e-9)


def test_import__summary_names_every_dropped_way_by_reason(small_file):
    _network, summary = network_from_osm(small_file)
    assert summary.ways_read == 9
    assert summary.dropped["ride"] == {
        "motorway": 1, "ferry": 1, "not_for_mode": 1, "no_access": 1, "missing_nodes": 1,
        "unsupported": 1,
    }  # fmt: skip
    assert summary.dropped["walk"] == {
        "motorway": 1, "no_access": 1, "missing_nodes": 1, "unsupported": 1
    }  # fmt: skip
    text = "\n".join(summary.lines())
    assert "高速公路" in text and "轮渡" in text and "节点坐标缺失" in text


def test_import__speeds_come_from_the_settings(small_file, settings):
    settings.COVERAGE_SPEEDS_KMH = {
        "ride": {**settings.COVERAGE_SPEEDS_KMH["ride"], "residential": 20.0},
        "walk": settings.COVERAGE_SPEEDS_KMH["walk"],
    }
    network, _ = network_from_osm(small_file)
    ride = _edges(network, "ride")
    assert ride[(_key(A), _key(B))] == pytest.approx(haversine_m(*A, *B) / (20 / 3.6), rel=1e-9)


@pytest.mark.django_db
def test_import_roads_command__installs_the_network_and_reports(small_file, settings):
    out = io.StringIO()
    call_command("import_roads", str(small_file), stdout=out)
    text = out.getvalue()
    assert "正在建图" in text and "电动车未用 1 条：高速公路" in text
    record = RoadNetworkImport.objects.get()
    assert (record.source, record.nodes, record.ride_edges) == ("small.osm.pbf", 4, 4)
    assert record.is_generated is False
    assert AuditLog.objects.filter(action="coverage.network_import").count() == 1
    assert network_path().is_file()
    network = network_loaded()
    assert network.nodes == 4 and network.meta["source"] == "small.osm.pbf"
    assert math.isclose(float(np.max(network.lats)), D[1])


@pytest.mark.django_db
def test_import__a_file_that_is_not_osm_is_refused_and_changes_nothing(tmp_path):
    bad = tmp_path / "roads.osm.pbf"
    bad.write_bytes(b"not a pbf file at all")
    with pytest.raises(ApplicationError) as caught:
        roads_import(path=bad)
    assert caught.value.code == "coverage.bad_osm_file"
    assert not RoadNetworkImport.objects.exists()
    assert not network_path().exists()


@pytest.mark.django_db
def test_import__a_file_without_roads_is_refused(tmp_path):
    empty = write_osm(
        tmp_path / "empty.osm.pbf", {1: A, 2: B}, [OsmWay(1, [1, 2], {"building": "yes"})]
    )
    with pytest.raises(ApplicationError) as caught:
        roads_import(path=empty)
    assert caught.value.code == "coverage.empty_network"
