import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from nuanxin.accounts.models import Role
from nuanxin.geo.coords import wgs84_to_gcj02
from nuanxin.stations.excel import COLUMNS, export_workbook, template_workbook
from nuanxin.stations.models import Station, WeeklySpan
from nuanxin.stations.services import stations_import_xlsx
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

HEADERS = [header for _key, header in COLUMNS]


def sheet(*rows: dict) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(header) for header in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(**values) -> dict:
    base = {
        "类型": "暖新服务驿站",
        "名称": "海滨驿站",
        "承建场所类型": "银行网点",
        "承建单位": "某银行海滨支行",
        "地址": "海滨大道 1 号",
        "经度": 110.05,
        "纬度": 21.05,
        "服务设施": "饮用水、卫生间",
        "5+X基本服务": "舒心小憩，温心热茶",
        "特色服务": "免费理发",
        "营业时间": "周一至周五 08:00-20:00；周末 09:00-18:00",
        "可容纳人数": 10,
    }
    base.update(values)
    return base


def test_import_creates_stations_with_hours_and_amenities(tree, amenities):
    actor = staff(Role.STREET_ADMIN, tree["A1"])
    keeper = UserFactory(role=Role.STATION_KEEPER, phone="13700001111")
    g_lon, g_lat = wgs84_to_gcj02(110.06, 21.06)
    data = sheet(
        row(),
        row(
            类型="服务中心",
            名称="党群中心",
            承建场所类型="党群服务中心",
            经度=g_lon,
            纬度=g_lat,
            坐标系="GCJ-02",
            营业时间="每天 24小时",
            驿站管理员手机号="137 0000 1111",
        ),
    )

    report = stations_import_xlsx(data=data, actor=actor)

    assert report.ok and (report.created, report.updated) == (2, 0)
    bank = Station.objects.get(name="海滨驿站")
    assert sorted(bank.amenities.values_list("code", flat=True)) == ["drinking_water", "toilet"]
    assert bank.standard_services == ["rest", "tea"]
    assert bank.extra_services == ["免费理发"]
    assert bank.capacity == 10
    assert WeeklySpan.objects.filter(station=bank).count() == 7
    centre = Station.objects.get(name="党群中心")
    assert centre.kind == "centre"
    assert (centre.lon, centre.lat) == pytest.approx((110.06, 21.06), abs=1e-7)
    assert list(centre.keepers.all()) == [keeper]


def test_one_bad_row_imports_nothing_and_names_every_bad_row(tree, amenities):
    data = sheet(row(), row(服务设施="按摩椅"), row(营业时间="看心情"), row(经度="东经"))

    report = stations_import_xlsx(data=data, actor=None)

    assert not report.ok
    assert [(e.row, e.code) for e in report.errors] == [
        (3, "stations.unknown_amenity"),
        (4, "stations.bad_hours"),
        (5, "stations.bad_coordinates"),
    ]
    assert (report.created, report.updated) == (0, 0)
    assert not Station.objects.exists()


def test_rows_outside_the_jurisdiction_are_refused(tree, amenities):
    actor = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    report = stations_import_xlsx(data=sheet(row(经度=110.25)), actor=actor)  # county B

    assert [e.code for e in report.errors] == ["auth.out_of_jurisdiction"]
    assert not Station.objects.exists()


def test_dry_run_checks_and_writes_nothing(tree, amenities):
    report = stations_import_xlsx(data=sheet(row()), actor=None, dry_run=True)

    assert report.ok and report.dry_run
    assert not Station.objects.exists()


def test_a_row_with_an_existing_code_updates_that_station(tree, amenities):
    stations_import_xlsx(data=sheet(row(编号="HB-1")), actor=None)

    report = stations_import_xlsx(
        data=sheet(row(编号="HB-1", 名称="海滨驿站（新址）", 营业时间="每天 24小时")), actor=None
    )

    assert (report.created, report.updated) == (0, 1)
    station = Station.objects.get(code="HB-1")
    assert station.name == "海滨驿站（新址）"
    assert WeeklySpan.objects.filter(station=station, start="00:00", end="00:00").count() == 7


def test_export_then_import_changes_nothing(tree, amenities):
    keeper = UserFactory(role=Role.STATION_KEEPER)
    stations_import_xlsx(data=sheet(row(), row(名称="第二站", 经度=110.07)), actor=None)
    Station.objects.get(name="第二站").keepers.add(keeper)
    exported = export_workbook(
        Station.objects.prefetch_related("amenities", "weekly_spans", "keepers").order_by("code")
    )
    before = list(Station.objects.values().order_by("code"))

    report = stations_import_xlsx(data=exported, actor=None)

    assert report.ok and report.updated == 2
    after = list(Station.objects.values().order_by("code"))
    for old, new in zip(before, after, strict=True):
        old.pop("updated_at"), new.pop("updated_at")
        assert old == new
    assert list(Station.objects.get(name="第二站").keepers.all()) == [keeper]  # masked: kept
    assert "****" in str(load_workbook(io.BytesIO(exported)).active["S3"].value)


def test_template_has_the_headers_and_an_example_that_imports(tree, amenities):
    template = template_workbook()
    workbook = load_workbook(io.BytesIO(template))

    assert [c.value for c in workbook.active[1]] == HEADERS
    assert workbook.sheetnames == ["驿站", "填写说明"]
    assert stations_import_xlsx(data=template, actor=None, dry_run=True).errors[0].code == (
        "stations.outside_regions"  # the example is in Zhanjiang, the test city is not
    )


def test_a_file_that_is_not_a_sheet_is_reported(tree):
    report = stations_import_xlsx(data=b"PK not really", actor=None)

    assert [e.code for e in report.errors] == ["stations.bad_sheet"]


def test_import_command(tree, amenities, tmp_path):
    path = tmp_path / "stations.xlsx"
    path.write_bytes(sheet(row()))
    out = io.StringIO()

    call_command("stations", "import", str(path), stdout=out)

    assert "新建 1 个" in out.getvalue()
    assert Station.objects.count() == 1
