import pytest

from nuanxin.accounts.models import Role
from nuanxin.coverage.services import hotspots_import, roads_import
from nuanxin.stations.services import amenity_defaults_ensure
from tests.coverage.osm import street_grid, write_osm
from tests.factories import staff
from tests.stations.factories import make_station

# The test city (tests.factories.build_tree) spans lon 110.0-110.4, lat 21.0-21.4: county A
# is the western half, its street A1 the south-west quarter. The streets below lie in A1 and
# spill into A2 (north of lat 21.2), about 10 x 23 km.
GRID = {"rows": 90, "cols": 40, "lon0": 110.005, "lat0": 21.005, "step": 0.0025}


@pytest.fixture
def amenities(db):
    amenity_defaults_ensure()


@pytest.fixture
def roads(db, tmp_path):
    nodes, ways = street_grid(GRID["rows"], GRID["cols"], lon0=GRID["lon0"], lat0=GRID["lat0"],
                              step=GRID["step"], seed=4)  # fmt: skip
    record, _summary = roads_import(path=write_osm(tmp_path / "city.osm.pbf", nodes, ways))
    return record


@pytest.fixture
def city(tree, roads, amenities):
    """The test city with its streets, the hot spots of ``test_coverage.SPOTS`` and a station."""
    from tests.coverage.test_coverage import SPOTS, _sheet

    hotspots_import(data=_sheet(SPOTS), filename="spots.csv")
    make_station(lon=110.021, lat=21.021, name="南街驿站", amenities=())
    return tree


@pytest.fixture
def planner(city):
    return staff(Role.COUNTY_ADMIN, city["A"], name="县规划员")
