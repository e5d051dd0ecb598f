import pytest

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point, region_tree
from nuanxin.geo.services import region_save
from tests.factories import box

pytestmark = pytest.mark.django_db


def test_point_resolves_to_the_deepest_region_containing_it(tree):
    match = region_at_point(110.05, 21.05)

    assert match.region == tree["A1a-1"]
    assert match.method == "boundary"
    assert [r.name for r in match.region.ancestors()] == [
        "测试市",
        "A区",
        "A1街道",
        "A1a社区",
        "第1网格",
    ]


def test_each_grid_centre_maps_to_that_grid(tree):
    grids = Region.objects.filter(level=RegionLevel.GRID)
    for grid in grids:
        assert region_at_point(*grid.centre).region == grid


def test_region_without_children_covering_the_point_is_the_answer(tree):
    region_save(
        code="44990301",
        name="C区",
        level=RegionLevel.COUNTY,
        parent=tree.city,
        boundary=box(111.0, 21.0, 111.1, 21.1),
    )

    assert region_at_point(111.05, 21.05).region.name == "C区"


def test_point_outside_every_boundary_falls_back_to_a_near_community_centre(tree, settings):
    settings.REGION_FALLBACK_MAX_METERS = 8000
    community = tree["B1b"]
    # 0.01 degree east of the city's east edge (~1 km out), ~6 km from the community centre.
    lon, lat = 110.41, community.centre_lat

    match = region_at_point(lon, lat)

    assert match.method == "nearest_centre"
    assert match.region == community
    assert 5000 < match.distance_m <= 8000


def test_point_far_from_everything_has_no_region(tree, settings):
    settings.REGION_FALLBACK_MAX_METERS = 2000

    assert region_at_point(112.5, 23.0) is None


def test_lookup_sees_a_region_added_after_the_index_was_built(tree):
    assert region_at_point(115.05, 25.05) is None

    region_save(
        code="449999",
        name="新区",
        level=RegionLevel.COUNTY,
        parent=tree.city,
        boundary=box(115.0, 25.0, 115.1, 25.1),
    )

    assert region_at_point(115.05, 25.05).region.code == "449999"


def test_region_save_refuses_bad_input_and_changes_nothing(tree):
    before = Region.objects.count()
    bad_calls = [
        ({"code": "", "name": "x", "level": "county", "parent": tree.city}, "geo.bad_code"),
        ({"code": "1/2", "name": "x", "level": "county", "parent": tree.city}, "geo.bad_code"),
        ({"code": "9", "name": " ", "level": "county", "parent": tree.city}, "geo.bad_name"),
        ({"code": "9", "name": "x", "level": "planet", "parent": tree.city}, "geo.bad_level"),
        ({"code": "9", "name": "x", "level": "county"}, "geo.bad_parent"),
        ({"code": "9", "name": "x", "level": "county", "parent": tree["A1a"]}, "geo.bad_parent"),
        ({"code": "9", "name": "x", "level": "city", "parent": tree.city}, "geo.bad_parent"),
        (
            {
                "code": "9",
                "name": "x",
                "level": "county",
                "parent": tree.city,
                "boundary": {"type": "Point", "coordinates": [1, 2]},
            },
            "geo.bad_boundary",
        ),
        (
            {
                "code": "9",
                "name": "x",
                "level": "county",
                "parent": tree.city,
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                },
            },
            "geo.bad_boundary",
        ),
        (
            {
                "code": "9",
                "name": "x",
                "level": "county",
                "parent": tree.city,
                "boundary": box(200, 0, 201, 1),
            },
            "geo.bad_boundary",
        ),
        (
            {"code": tree["A1a"].code, "name": "x", "level": "community", "parent": tree["B1"]},
            "geo.reparent_refused",
        ),
    ]
    for kwargs, code in bad_calls:
        with pytest.raises(ApplicationError) as error:
            region_save(**kwargs)
        assert error.value.code == code, kwargs
    assert Region.objects.count() == before


def test_region_save_updates_in_place_and_audits_the_change(tree):
    region, created = region_save(
        code=tree["A"].code,
        name="甲区",
        level="county",
        parent=tree.city,
        boundary=tree["A"].boundary,
    )

    assert not created
    assert region.pk == tree["A"].pk
    row = AuditLog.objects.filter(action="region.update", object_id=str(region.pk)).get()
    assert row.before["name"] == "A区"
    assert row.after["name"] == "甲区"


def test_region_tree_nests_children_to_the_asked_depth(tree):
    nodes = region_tree(tree["A"], 1)

    assert [n["name"] for n in nodes] == ["A区"]
    assert [c["name"] for c in nodes[0]["children"]] == ["A1街道", "A2街道"]
    assert all(c["children"] == [] for c in nodes[0]["children"])
