"""The demo city's service circle: a generated network, labelled so, and real figures."""

import pytest

from nuanxin.coverage.analysis import CoverageQuery, coverage_compute
from nuanxin.coverage.models import HotSpot, RoadNetworkImport
from nuanxin.coverage.network import network_loaded
from nuanxin.geo.models import Region

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


def test_demo__planner_pages_show_figures_and_the_generated_label(demo_city, client):
    from nuanxin.accounts.models import User

    city_admin = User.objects.filter(role="city_admin", is_superuser=False).first()
    client.force_login(city_admin)
    html = client.get("/coverage/?sources=hotspots&sources=reports").content.decode()
    assert 'id="coverage-percent"' in html and "演示用的生成路网" in html
    siting = (
        "/coverage/siting/?sources=hotspots&p=2&candidates=grid&solver=exact"
        "&time_limit_s=60&mode=ride&threshold_minutes=15"
    )
    html = client.get(siting).content.decode()
    assert 'id="sites"' in html and "已证明为最优方案" in html
