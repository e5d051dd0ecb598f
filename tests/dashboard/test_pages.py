"""The big screen, its API, exports and monthly report on the demo city, through the real
request stack: jurisdiction, drill-down in the URL, assets from installed packages, pinned
query counts."""

import io
import re
from pathlib import Path

import plotly
import pytest
from openpyxl import load_workbook

from nuanxin.accounts.models import Role, User
from nuanxin.dashboard.figures import region_figures
from nuanxin.dashboard.snapshots import snapshots_take
from nuanxin.dashboard.sources import CHARTS
from nuanxin.geo.models import Region

pytestmark = pytest.mark.django_db


def _user(role, **lookup):
    return User.objects.filter(role=role, **lookup).order_by("id").first()


def _tiles(page) -> dict[str, str]:
    """The headline tiles of a big screen page: figure key -> the value shown."""
    found = re.findall(r'data-figure="(\w+)"><span class="value">([^<]*)<', page.content.decode())
    return dict(found)


def _logged_in(client, role, **lookup):
    client.force_login(_user(role, **lookup))
    return client


def test_screen__city_admin_sees_the_city_with_every_chart_and_no_outside_script(
    demo_city, client, django_assert_max_num_queries
):
    _logged_in(client, Role.CITY_ADMIN)
    # With no snapshot taken, the region, its figures and charts take 38 (the region 1, the
    # snapshot looked for 1, its figures 23, the charts 13: the volunteering months are read
    # once for both charts that draw them), 13 more on the first view, which computes the
    # city's service circle; the page around them takes 7
    # (session, user, the second factor's device, jurisdiction, menus, inbox). The first
    # request of the session also writes the staff idle stamp into the session (3: savepoint,
    # update, release; the second-factor gate does so at most once a minute).
    with django_assert_max_num_queries(61):
        page = client.get("/dashboard/")
    with django_assert_max_num_queries(45):
        client.get("/dashboard/")
    snapshots_take()
    # From the snapshot: the region 1, its snapshot, regions and trail 3, the first mobile
    # branch 1, the industry chart 1; the page 7.
    with django_assert_max_num_queries(13):
        kept = client.get("/dashboard/")
    assert _tiles(kept) == _tiles(page) != {}
    text = page.content.decode()

    assert page.status_code == 200
    assert "湛江市新就业群体工作数据大屏" in text
    assert 'data-figure="enterprises"><span class="value">213<' in text
    assert 'data-figure="party_organisations"><span class="value">18<' in text
    assert 'data-figure="mass_organisations"><span class="value">88<' in text
    assert 'data-figure="party_org_members"><span class="value">165<' in text
    branch = re.search(r'data-highlight="first_mobile_branch">(.*?)</div>', text).group(1)
    assert '<span class="value">27<' in branch
    assert re.search(r'<span class="name"[^>]*>湛江市滴滴快车司机第一流动党支部</span>', branch)
    assert '<span class="since">2021-05-20 成立</span>' in branch
    for key in ("must_set_up", "organisation_coverage_rate", "coverage_15min"):
        assert f'data-figure="{key}"><span class="value">' in text
    for chart in CHARTS:
        assert f'id="chart-{chart.key}"' in text
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', text)
    assert "/static/plotly/plotly.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    assert text.count('href="?region=44') >= 10  # one link per county


def test_screen__drill_down_is_in_the_url_and_the_trail_leads_back(demo_city, client):
    _logged_in(client, Role.CITY_ADMIN)
    potou = Region.objects.get(name="坡头区", level="county")
    nandiao = Region.objects.get(name="南调街道", parent=potou)

    text = client.get(f"/dashboard/?region={potou.code}").content.decode()
    assert f'href="?region={nandiao.code}"' in text
    assert 'href="?region=440800">湛江市</a>' in text

    text = client.get(f"/dashboard/?region={nandiao.code}").content.decode()
    assert f'href="?region={potou.code}">坡头区</a>' in text
    assert '<strong aria-current="page">南调街道</strong>' in text


def test_screen__county_admin_sees_their_county_only(demo_city, client):
    admin = _user(Role.COUNTY_ADMIN)
    client.force_login(admin)
    other = Region.objects.filter(level="county").exclude(pk=admin.region_id).first()

    own = client.get("/dashboard/")
    assert own.status_code == 200
    assert f"{admin.region.name}新就业群体工作数据大屏" in own.content.decode()
    refused = client.get(f"/dashboard/?region={other.code}")
    assert refused.status_code == 403
    assert 'data-code="auth.out_of_jurisdiction"' in refused.content.decode()
    assert client.get("/dashboard/?region=440800").status_code == 403


def test_screen__workers_are_refused_and_visitors_sent_to_login(demo_city, client):
    assert client.get("/dashboard/").status_code == 302
    _logged_in(client, Role.WORKER)
    assert client.get("/dashboard/").status_code == 403


def test_plotly__is_the_installed_package_file(client):
    answer = client.get("/static/plotly/plotly.min.js")
    body = b"".join(answer.streaming_content)
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

    assert answer.status_code == 200
    assert body == bundled.read_bytes()
    assert client.get("/static/plotly/widgetbundle.js").status_code == 404


def test_api__figures_match_the_page_and_respect_jurisdiction(
    demo_city, client, django_assert_max_num_queries
):
    potou = Region.objects.get(name="坡头区", level="county")
    _logged_in(client, Role.CITY_ADMIN)
    # The region and its figures 25 (no snapshot taken), the service circle 13 (a cold cache),
    # the request's session, user, second-factor device and jurisdiction 4, and the first
    # request's write of the staff idle stamp into the session 3.
    with django_assert_max_num_queries(45):
        answer = client.get(f"/api/v1/dashboard/figures?region={potou.code}")

    assert answer.status_code == 200
    assert answer.json()["totals"] == region_figures(potou).totals
    assert answer.json()["rates"]["coverage_15min"] == ["demand_covered_15min", "demand_15min"]
    assert answer.json()["highlights"] == []
    city = client.get("/api/v1/dashboard/figures").json()
    assert [(h["key"], h["value"]) for h in city["highlights"]] == [("first_mobile_branch", 27)]
    overview = client.get(f"/api/v1/dashboard/overview?region={potou.code}").json()
    assert {c["key"] for c in overview["charts"]} == {c.key for c in CHARTS}
    shown = client.get(f"/api/v1/dashboard/map?region={potou.code}&crs=gcj02").json()
    assert shown["child_level"] == "street"
    assert sum(shown["reports"].values()) <= region_figures(potou).totals["reports"]
    assert len(shown["stations"]) == (
        region_figures(potou).totals["centres"] + region_figures(potou).totals["stations"]
    )

    admin = _user(Role.COUNTY_ADMIN)
    client.force_login(admin)
    refused = client.get("/api/v1/dashboard/figures?region=440800")
    assert (refused.status_code, refused.json()["code"]) == (403, "auth.out_of_jurisdiction")
    missing = client.get("/api/v1/dashboard/charts?region=000000")
    assert (missing.status_code, missing.json()["code"]) == (404, "dashboard.unknown_region")
    client.logout()
    assert client.get("/api/v1/dashboard/figures").status_code == 401


def test_export__the_street_table_of_potou_adds_up_and_every_chart_exports(demo_city, client):
    potou = Region.objects.get(name="坡头区", level="county")
    figures = region_figures(potou)
    _logged_in(client, Role.CITY_ADMIN)

    answer = client.get(f"/dashboard/export/regions.xlsx?region={potou.code}")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "区域" and rows[0][1] == "新就业群体企业"
    assert rows[-1][0] == "合计"
    assert rows[-1][1] == figures.totals["enterprises"] == sum(r[1] for r in rows[1:-1])
    assert [r[0] for r in rows[1 : 1 + len(figures.rows)]] == [r.name for r in figures.rows]
    for chart in CHARTS:
        # The demo's industry figures are 遂溪's, 徐闻's and 廉江's: that chart exports the city.
        where = "" if chart.key == "industry" else f"?region={potou.code}"
        sheet_answer = client.get(f"/dashboard/export/{chart.key}.xlsx{where}")
        assert sheet_answer.status_code == 200, chart.key
        assert len(list(load_workbook(io.BytesIO(sheet_answer.content)).active.rows)) > 1
    assert client.get("/dashboard/export/nothing.xlsx").status_code == 404


def test_monthly_report__prints_in_chinese_on_a4_for_a_county_and_the_city(demo_city, client):
    _logged_in(client, Role.CITY_ADMIN)
    potou = Region.objects.get(name="坡头区", level="county")

    for code, name in ((potou.code, "坡头区"), ("440800", "湛江市")):
        page = client.get(f"/dashboard/report/?region={code}")
        text = page.content.decode()
        assert page.status_code == 200
        assert f"{name}新就业群体工作月报" in text
        assert "/static/dashboard/report.css" in text
        assert "南调街道" in text if code == potou.code else "坡头区" in text
    css = b"".join(client.get("/static/dashboard/report.css").streaming_content).decode()
    assert "size: A4" in css and "@media print" in css
    bad = client.get(f"/dashboard/report/?region={potou.code}&month=1999-01")
    assert bad.status_code == 400
    assert 'data-code="dashboard.bad_month"' in bad.content.decode()
