"""Industry figures (党建+电商 / 党建+直播 / 党建+产销): the service's rules, the form, the .xlsx
import with row errors (nothing written), jurisdiction, the series the charts draw."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog
from nuanxin.party import services
from nuanxin.party.models import IndustryFigure
from nuanxin.party.selectors.industry import figures_for, industry_series, period_label
from nuanxin.party.services.industry_import import amount, columns
from tests.factories import staff
from tests.party.factories import make_enterprise, party_staff

pytestmark = pytest.mark.django_db
D = dt.date
YEAR_2022 = {"period_start": D(2022, 1, 1), "period_end": D(2022, 12, 31)}


def county_figure(region, actor=None, **figures):
    return services.industry_figure_record(
        actor=actor, theme="ecommerce", scope="county", region=region, **YEAR_2022,
        **(figures or {"sales_yuan": 1_380_000_000}),
    )  # fmt: skip


def test_a_county_records_a_year_in_whole_yuan_with_an_audit_row(tree):
    row = county_figure(tree["A"], party_staff(tree["A"]), sales_yuan=1_380_000_000,
                        ecommerce_workers=7800)  # fmt: skip
    assert (row.subject, row.sales_yuan, row.ecommerce_workers) == ("A区", 1_380_000_000, 7800)
    assert type(IndustryFigure.objects.get().sales_yuan) is int
    log = AuditLog.objects.get(action="party.industry_figure_record")
    assert log.after["sales_yuan"] == 1_380_000_000


def test_the_same_period_again_is_a_correction(tree):
    county_figure(tree["A"], sales_yuan=100)
    county_figure(tree["A"], sales_yuan=250)
    assert IndustryFigure.objects.get().sales_yuan == 250
    log = AuditLog.objects.get(action="party.industry_figure_correct")
    assert (log.before["sales_yuan"], log.after["sales_yuan"]) == (100, 250)


@pytest.mark.parametrize(
    ("figures", "code"),
    [
        ({"sales_yuan": 1.5}, "party.invalid_figure"),
        ({"sales_yuan": 100.0}, "party.invalid_figure"),
        ({"sales_yuan": -1}, "party.invalid_figure"),
        ({"sales_yuan": True}, "party.invalid_figure"),
        ({"sales_yuan": 10**15}, "party.invalid_figure"),
        ({"ecommerce_workers": 10**9}, "party.invalid_figure"),
        ({"sales_yuan": None, "items_sold": None}, "party.figures_missing"),
    ],
)
def test_figures_are_bounded_whole_numbers(tree, figures, code):
    with pytest.raises(ApplicationError) as caught:
        county_figure(tree["A"], **figures)
    assert caught.value.code == code
    assert not IndustryFigure.objects.exists()


def test_a_period_ends_after_it_starts_and_a_county_is_a_county(tree):
    with pytest.raises(ApplicationError) as caught:
        services.industry_figure_record(
            actor=None, theme="ecommerce", scope="county", region=tree["A"],
            period_start=D(2023, 2, 1), period_end=D(2023, 1, 1), sales_yuan=1,
        )  # fmt: skip
    assert caught.value.code == "party.invalid_period"
    with pytest.raises(ApplicationError) as caught:
        services.industry_figure_record(
            actor=None, theme="ecommerce", scope="county", region=tree["A1"], **YEAR_2022,
            sales_yuan=1,
        )  # fmt: skip
    assert caught.value.code == "party.not_a_county"


def test_staff_record_only_inside_their_area_and_only_party_staff(tree):
    with pytest.raises(ApplicationError) as caught:
        county_figure(tree["B"], party_staff(tree["A"]))
    assert caught.value.code == "auth.out_of_jurisdiction"
    with pytest.raises(ApplicationError) as caught:
        county_figure(tree["A"], staff("county_admin", tree["A"]))
    assert caught.value.code == "party.not_party_staff"
    assert not IndustryFigure.objects.exists()


def test_series_per_subject_in_period_order_and_scoped(tree):
    park = make_enterprise(tree["A1a"], name="电商产业园", kind="logistics_park")
    for year, value in ((2021, 300_000_000), (2022, 591_000_000)):
        services.industry_figure_record(
            actor=None, theme="ecommerce", scope="park", enterprise=park,
            period_start=D(year, 1, 1), period_end=D(year, 12, 31), sales_yuan=value,
        )  # fmt: skip
    county_figure(tree["B"], sales_yuan=9)
    services.industry_figure_record(
        actor=None, theme="livestream", scope="chain", region=tree["B1"], chain_name="菠萝",
        period_start=D(2023, 1, 1), period_end=D(2023, 3, 31), livestream_sessions=300,
    )  # fmt: skip

    assert industry_series(within=tree["A"].path) == {
        "电商产业园": {"2021": 300_000_000, "2022": 591_000_000}
    }
    assert industry_series(figure="livestream_sessions") == {"菠萝": {"2023-01～2023-03": 300}}
    assert set(industry_series()) == {"电商产业园", "B区"}
    assert [f.subject for f in figures_for(party_staff(tree["B"]))] == ["B区", "菠萝"]
    assert not figures_for(staff("county_admin", tree["B"])).exists()


def test_period_labels():
    assert period_label(D(2022, 1, 1), D(2022, 12, 31)) == "2022"
    assert period_label(D(2023, 3, 1), D(2023, 3, 31)) == "2023-03"
    assert period_label(D(2023, 1, 1), D(2023, 3, 31)) == "2023-01～2023-03"
    assert period_label(D(2023, 1, 5), D(2023, 3, 9)) == "2023-01-05～2023-03-09"


@pytest.mark.parametrize(
    ("text", "value"),
    [("591,000,000", 591_000_000), ("5.91亿", 591_000_000), ("60万元", 600_000),
     ("300场", 300), (1400000.0, 1_400_000), (7800, 7800), ("", None)],
)  # fmt: skip
def test_amounts_as_people_write_them(text, value):
    assert amount(text, "sales_yuan") == value


@pytest.mark.parametrize("text", ["1.5", "1.38", 2.5, "一百", "1e9", True])
def test_amounts_that_are_not_whole_numbers_are_refused(text):
    with pytest.raises(ApplicationError) as caught:
        amount(text, "sales_yuan")
    assert caught.value.code == "party.import_bad_number"


# --- the page: form and import ---


def sheet(*rows, header=None):
    book = Workbook()
    ws = book.active
    ws.append(header or [label for _key, label in columns()])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "figures.xlsx"
    return out


GOOD = [
    ["党建+电商", "县（市、区）", "A区", "2022-01-01", "2022-12-31", "", 1380000000, 7800, None,
     None, "全年"],
    ["党建+直播", "产业链", "菠萝", D(2023, 1, 1), D(2023, 3, 31), "A1街道", "6000万", None, 300,
     "140万", ""],
]  # fmt: skip


def test_the_import_records_every_row(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.post("/party/staff/industry/import/", {"file": sheet(*GOOD)})
    assert response.status_code == 302, response.context["report"].errors
    rows = {r.subject: r for r in IndustryFigure.objects.all()}
    assert (rows["A区"].sales_yuan, rows["A区"].ecommerce_workers) == (1_380_000_000, 7800)
    assert (rows["菠萝"].sales_yuan, rows["菠萝"].items_sold) == (60_000_000, 1_400_000)
    assert rows["菠萝"].region == tree["A1"]


def test_an_import_with_bad_rows_lists_them_and_writes_nothing(client, tree):
    make_enterprise(tree["B1a"], name="乙区电商企业")
    bad = [
        ["党建+电商", "县（市、区）", "A区", "2022-01-01", "2022-12-31", "", "1.5", None, None,
         None, ""],
        ["党建+电商", "企业", "乙区电商企业", "2022-01-01", "2022-12-31", "", 5, None, None,
         None, ""],
        ["党建+电商", "县（市、区）", "A区", "2023-02-01", "2023-01-01", "", 5, None, None,
         None, ""],
        ["党建+外卖", "县（市、区）", "A区", "2023-01-01", "2023-01-31", "", 5, None, None,
         None, ""],
        ["党建+电商", "县（市、区）", "A区", "明年", "2023-01-31", "", 5, None, None, None, ""],
    ]  # fmt: skip
    client.force_login(party_staff(tree["A"]))
    response = client.post("/party/staff/industry/import/", {"file": sheet(*GOOD, *bad)})
    assert response.status_code == 400
    page = response.content.decode()
    codes = ["party.import_bad_number", "party.enterprise_not_found", "party.invalid_period",
             "party.import_bad_choice", "party.import_bad_date"]  # fmt: skip
    for code in codes:
        assert f'data-code="{code}"' in page, code
    report = response.context["report"]
    assert [e.row for e in report.errors] == [4, 5, 6, 7, 8]
    assert not IndustryFigure.objects.exists()


def test_a_dry_run_writes_nothing_and_a_missing_column_is_named(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.post("/party/staff/industry/import/", {"file": sheet(*GOOD), "dry_run": "on"})
    assert response.status_code == 200 and response.context["report"].created == 2
    assert not IndustryFigure.objects.exists()
    response = client.post(
        "/party/staff/industry/import/", {"file": sheet(["党建+电商"], header=["类别"])}
    )
    (error,) = response.context["report"].errors
    assert error.code == "party.import_missing_column" and "统计期起" in error.message
    response = client.post("/party/staff/industry/import/", {"file": io.BytesIO(b"not a zip")})
    assert response.status_code == 400
    assert not IndustryFigure.objects.exists()


def test_the_form_records_and_refuses_bad_input(client, tree):
    client.force_login(party_staff(tree["A"]))
    form = {"theme": "ecommerce", "scope": "county", "region": tree["A"].code,
            "period_start": "2022-01-01", "period_end": "2022-12-31", "sales_yuan": "13.8亿",
            "ecommerce_workers": "7800"}  # fmt: skip
    response = client.post("/party/staff/industry/record/", form, follow=True)
    assert next(iter(response.context["messages"])).level_tag == "success"
    assert IndustryFigure.objects.get().sales_yuan == 1_380_000_000
    for broken in ({"sales_yuan": "1.5"}, {"region": tree["B"].code}, {"period_end": "x"},
                   {"theme": "food"}, {"sales_yuan": "", "ecommerce_workers": ""}):  # fmt: skip
        response = client.post("/party/staff/industry/record/", form | broken, follow=True)
        assert response.status_code == 200
        assert next(iter(response.context["messages"])).level_tag == "error", broken
    assert IndustryFigure.objects.get().sales_yuan == 1_380_000_000


def test_the_page_shows_the_area_and_charts_it(client, tree):
    county_figure(tree["A"], sales_yuan=1_380_000_000)
    county_figure(tree["B"], sales_yuan=7)
    client.force_login(party_staff(tree["A"]))
    response = client.get("/party/staff/industry/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("data-figure=") == 1 and "industry-chart-sales_yuan" in page
    assert response.context["charts"][0]["series"] == {"A区": {"2022": 1_380_000_000}}
    assert "plotly/plotly.min.js" in page
    client.force_login(staff("county_admin", tree["A"]))
    assert client.get("/party/staff/industry/").status_code == 403


def test_the_template_downloads_with_the_headers(client, tree):
    client.force_login(party_staff(tree["A"]))
    response = client.get("/party/staff/industry/template.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == [label for _key, label in columns()]


# --- the demo: the article's figures ---


def test_the_demo_has_the_articles_industry_figures(demo_city):
    from nuanxin.demo.industry import PINEAPPLE

    workers = industry_series(figure="ecommerce_workers")["遂溪县"]
    assert workers == {"2020": 400, "2022": 7800}
    sales = industry_series(figure="sales_yuan")
    assert sales["遂溪县"] == {"2022": 1_380_000_000}
    assert sales["遂溪县电子商务产业园"] == {"2022": 591_000_000}
    pineapple = IndustryFigure.objects.get(subject=PINEAPPLE)
    assert (pineapple.livestream_sessions, pineapple.items_sold, pineapple.sales_yuan) == (
        300, 1_400_000, 60_000_000,
    )  # fmt: skip
    assert pineapple.period_end == D(2023, 3, 31) and pineapple.region.name == "徐闻县"
    red_orange = IndustryFigure.objects.filter(subject="红橙产业链")
    assert red_orange.count() == 2 and {r.region.parent.name for r in red_orange} == {"廉江市"}
    # A county's figures stay inside it.
    suixi = industry_series(within=pineapple.region.parent.path + "440823/")
    assert set(suixi) == {"遂溪县", "遂溪县电子商务产业园"}


def test_the_city_dashboard_charts_the_sales_in_ten_thousand_yuan(demo_city):
    from nuanxin.dashboard.figures import region_charts
    from nuanxin.geo.models import Region

    city = Region.objects.get(code="440800")
    (chart,) = [c for c in region_charts(city) if c["key"] == "industry"]
    by_name = {t["name"]: dict(zip(chart["x"], t["y"], strict=True)) for t in chart["traces"]}
    assert by_name["遂溪县"]["2022"] == 138_000
    assert by_name["遂溪县电子商务产业园"]["2022"] == 59_100
    assert by_name["徐闻菠萝产业链"]["2023-01～2023-03"] == 6_000
    assert by_name["遂溪县"]["2023-01～2023-03"] is None
