"""The demo city's service circle: a generated network, labelled so, and real figures."""

import pytest

from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.coverage.models import HotSpot, RoadNetworkImport
from nuanxin.coverage.network import network_loaded
from nuanxin.geo.models import Region
from tests.coverage.worker import run_task_worker

pytestmark = pytest.mark.django_db


def test_demo__has_a_generated_network_said_to_be_generated(demo_city):
    record = RoadNetworkImport.objects.get()
    assert record.is_generated and "非真实" in record.source
    network = network_loaded()
    assert network is not None and network.meta["generated"] is True
    assert network.nodes > 10_000 and HotSpot.objects.count() > 100


def test_demo__potou_coverage_on_the_network(demo_city):
    potou = Region.objects.get(code="440804")
    result = coverage_compute(CoverageQuery.clean(sources={"hotspots": 1.0}))
    assert result.method in {"network", "mixed"}
    assert result.times.method_counts()["network"] > 0.9 * len(result.demand)
    (row,) = [r for r in result.table("county") if r.code == potou.code]
    assert 0 < row.percent <= 100
    assert len(result.stations.ids) >= 10


@pytest.mark.django_db(transaction=True)
def test_demo__planner_pages_show_figures_and_the_generated_label(demo_city, client):
    from nuanxin.accounts.models import User

    city_admin = User.objects.filter(role="city_admin", is_superuser=False).first()
    client.force_login(city_admin)
    html = client.get("/coverage/?sources=hotspots&sources=reports").content.decode()
    assert 'id="coverage-percent"' in html and "演示用的生成路网" in html
    siting = {
        "sources": "hotspots", "p": "2", "candidates": "grid", "solver": "exact",
        "time_limit_s": "60", "mode": "ride", "threshold_minutes": "15",
    }  # fmt: skip
    response = client.post("/coverage/siting/", siting)
    assert response.status_code == 302
    run_task_worker()
    html = client.get(response["Location"]).content.decode()
    assert 'id="sites"' in html and "已证明为最优方案" in html


def test_demo__main_roads_are_named_for_the_basemap(demo_city):
    network = network_loaded()
    # main roads outside the county's area are left out, so not every number is there
    potou = [n for n in network.names if n.startswith("坡头")]
    assert any(n.endswith("路") for n in potou) and any(n.endswith("街") for n in potou)
    assert len(network.name_index) == len(network.name_lons) > 10
