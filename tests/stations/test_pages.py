import datetime as dt
import io

import pytest
from openpyxl import Workbook

from nuanxin.accounts.models import Role
from nuanxin.core.audit import AuditLog
from nuanxin.core.timeutil import local_date
from nuanxin.stations import services
from nuanxin.stations.excel import COLUMNS
from nuanxin.stations.models import HoursException, Station, Visit
from tests.factories import staff
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree, amenities):
    return make_station(
        lon=110.05,
        lat=21.05,
        name="海盛驿站",
        amenities=["drinking_water", "phone_charging"],
        hours="周一至周五 08:00-20:00；周六 22:00-06:00",
        contact_phone="0759-1234567",
        standard_services=["rest", "tea"],
        extra_services=["免费理发"],
    )


def test_map_page_is_in_the_worker_navigation_with_chips_in_chinese(client, station):
    html = client.get("/stations/").content.decode()

    assert 'href="/stations/"' in html and "驿站" in html
    assert "找最近的开放驿站" in html
    assert 'data-amenity="drinking_water"' in html and "饮用水" in html
    assert html.index('data-amenity="drinking_water"') < html.index('data-amenity="rest"')
    assert 'data-nearest-url="/api/v1/stations/nearest"' in html


def test_station_page_shows_hours_amenities_and_navigation(client, station):
    services.station_set_exception(
        station=station,
        actor=None,
        date=local_date() + dt.timedelta(days=1),
        closed=True,
        note="临时闭站",
    )

    html = client.get(f"/stations/{station.pk}/").content.decode()

    assert "海盛驿站" in html
    assert "周一至周五 08:00-20:00；周六 22:00-次日06:00" in html
    assert "临时闭站" in html
    assert "饮用水" in html and "手机充电" in html
    assert "舒心小憩" in html and "免费理发" in html
    assert "https://uri.amap.com/marker?position=" in html
    assert 'href="tel:0759-1234567"' in html
    assert "打印签到二维码" not in html  # not a manager


def test_unknown_station_page_is_a_404_in_chinese(client, tree):
    response = client.get("/stations/987654/")

    assert response.status_code == 404
    assert "驿站不存在。" in response.content.decode()


def test_check_in_link_sends_a_visitor_to_log_in_and_back(client, station):
    path = services.checkin_path(station)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path.replace(':', '%3A')}"


def test_opening_the_link_asks_for_confirmation_and_records_nothing(
    client, tree, amenities, worker
):
    station = make_station(lon=110.05, lat=21.05, name="海盛驿站", hours="每天 24小时")
    client.force_login(worker)

    html = client.get(services.checkin_path(station)).content.decode()

    assert "用手机定位签到" in html and "海盛驿站" in html
    assert not Visit.objects.exists()


def test_confirming_records_the_visit_and_shows_it(client, tree, amenities, worker):
    station = make_station(lon=110.05, lat=21.05, name="海盛驿站", hours="每天 24小时")
    client.force_login(worker)

    here = {"lon": f"{station.lon:.6f}", "lat": f"{station.lat:.6f}", "accuracy": "20"}
    response = client.post(services.checkin_path(station), here, follow=True)

    html = response.content.decode()
    visit = Visit.objects.get()
    assert response.redirect_chain[-1][0] == f"/stations/visits/#visit-{visit.pk}"
    assert "签到成功！欢迎来到海盛驿站。" in html
    assert f'id="visit-{visit.pk}"' in html and "海盛驿站" in html


def local_noon():
    from django.utils import timezone

    today = local_date()
    while today.weekday() > 4:  # the fixture station opens on weekdays
        today -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(today, dt.time(12)))


def test_forged_check_in_link_shows_the_error(client, station, worker):
    client.force_login(worker)

    response = client.get(f"/stations/checkin/{station.pk}-1:forged/")

    assert response.status_code == 404
    assert "签到二维码无效。" in response.content.decode()


def test_poster_and_qr_images_are_for_managers(client, station, keeper, worker):
    services.station_update(station=station, actor=None, keepers=[keeper])

    client.force_login(worker)
    denied = client.get(f"/stations/{station.pk}/poster/")
    client.force_login(keeper)
    poster = client.get(f"/stations/{station.pk}/poster/").content.decode()
    png = client.get(f"/stations/{station.pk}/qr.png")
    svg = client.get(f"/stations/{station.pk}/qr.svg")

    assert denied.status_code == 403
    assert "海盛驿站" in poster and "扫码签到" in poster and "饮用水" in poster
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_manager_sees_todays_visits_on_the_station_page(client, station, keeper, worker):
    services.station_update(station=station, actor=None, keepers=[keeper])
    Visit.objects.create(
        station=station,
        worker=worker,
        day=local_date(),
        first_at=local_noon(),
        last_at=local_noon(),
    )
    client.force_login(keeper)

    html = client.get(f"/stations/{station.pk}/").content.decode()

    assert "今天签到 1 人次。" in html
    assert "打印签到二维码" in html


def test_stats_page_for_staff_only(client, station, worker, tree):
    services.visit_record(station=station, worker=worker, at=local_noon())

    client.force_login(worker)
    denied = client.get("/stations/staff/stats/")
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    html = client.get("/stations/staff/stats/").content.decode()

    assert denied.status_code == 403
    assert 'data-total="1"' in html and "海盛驿站" in html


def test_import_page_checks_then_imports(client, tree, amenities):
    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    workbook = Workbook()
    workbook.active.append([h for _k, h in COLUMNS])
    values = {"kind": "驿站", "name": "导入站", "host_type": "药店", "address": "某路"}
    values.update(lon=110.05, lat=21.05, hours="每天 24小时")
    workbook.active.append([values.get(k) for k, _h in COLUMNS])
    data = io.BytesIO()
    workbook.save(data)

    def upload(dry_run):
        form = {"file": io.BytesIO(data.getvalue())}
        form["file"].name = "stations.xlsx"
        if dry_run:
            form["dry_run"] = "on"
        return client.post("/stations/staff/import/", form, follow=True).content.decode()

    checked = upload(True)
    assert "检查通过" in checked and not Station.objects.exists()
    imported = upload(False)
    assert "导入完成" in imported and Station.objects.get().name == "导入站"


def test_admin_lists_are_scoped_and_keepers_see_their_own(client, tree, amenities, keeper):
    mine = make_station(lon=110.05, lat=21.05, name="本社区站", keepers=[keeper])
    make_station(lon=110.15, lat=21.05, name="隔壁社区站")

    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))
    community = client.get("/admin/stations/station/").content.decode()
    client.force_login(keeper)
    keepers_list = client.get("/admin/stations/station/").content.decode()
    keeper_add = client.get("/admin/stations/station/add/")
    keeper_edit = client.get(f"/admin/stations/station/{mine.pk}/change/")

    assert "本社区站" in community and "隔壁社区站" not in community
    assert "本社区站" in keepers_list and "隔壁社区站" not in keepers_list
    assert keeper_add.status_code == 403
    assert keeper_edit.status_code == 200


def admin_form(**values):
    form = {
        "code": "",
        "kind": "station",
        "name": "后台新建站",
        "host_type": "hotel",
        "host_name": "",
        "address": "酒店路 2 号",
        "lon": "110.05",
        "lat": "21.05",
        "coord_system": "wgs84",
        "region": "",
        "amenities": [],
        "standard_services": [],
        "extra_services": "",
        "hours_text": "每天 22:00-次日06:00",
        "timezone": "Asia/Shanghai",
        "capacity": "",
        "checkin_radius_m": "200",
        "contact_name": "",
        "contact_phone": "",
        "status": "open",
        "status_note": "",
        "description": "",
        "keepers": [],
    }
    form.update(values)
    return form


def test_admin_creates_a_station_through_the_services(client, tree, amenities):
    actor = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(actor)

    response = client.post("/admin/stations/station/add/", admin_form(checkin_radius_m="150"))

    assert response.status_code == 302
    station = Station.objects.get()
    assert station.name == "后台新建站" and station.weekly_spans.count() == 7
    assert station.checkin_radius_m == 150
    assert AuditLog.objects.filter(action="station.create", actor=actor).exists()
    assert AuditLog.objects.filter(action="station.set_hours", actor=actor).count() == 1


def test_admin_shows_service_errors_on_the_form_and_saves_nothing(client, tree, amenities):
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    bad_hours = client.post("/admin/stations/station/add/", admin_form(hours_text="看心情"))
    elsewhere = client.post("/admin/stations/station/add/", admin_form(lon="110.25"))

    assert bad_hours.status_code == 200 and "无法识别的营业时间" in bad_hours.content.decode()
    assert "不在您的管辖范围内" in elsewhere.content.decode()
    assert not Station.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="station.").exists()


def test_keeper_adds_a_holiday_closure_in_the_admin(client, station, keeper):
    services.station_update(station=station, actor=None, keepers=[keeper])
    client.force_login(keeper)
    day = local_date() + dt.timedelta(days=10)

    response = client.post(
        "/admin/stations/hoursexception/add/",
        {"station": station.pk, "date": day.isoformat(), "is_closed": "on", "note": "春节"},
    )

    assert response.status_code == 302
    exception = HoursException.objects.get()
    assert (exception.date, exception.is_closed, exception.note) == (day, True, "春节")


def test_station_pages_have_an_english_version(client, station):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    map_html = client.get("/stations/").content.decode()
    detail_html = client.get(f"/stations/{station.pk}/").content.decode()

    assert "Nearest open station" in map_html and "Open now only" in map_html
    assert "Opening hours" in detail_html and "Navigate with AMap" in detail_html


def test_check_in_page_of_a_closed_station_says_so_without_a_button(
    client, tree, amenities, worker
):
    closed = make_station(lon=110.05, lat=21.05, name="打烊驿站", hours=None)
    client.force_login(worker)

    html = client.get(services.checkin_path(closed)).content.decode()

    assert "驿站当前不在开放时间，暂不能签到。" in html
    assert "确认签到" not in html and "用手机定位签到" not in html


def test_city_admins_extend_the_amenity_list_in_the_admin(client, tree, amenities):
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    county = client.post(
        "/admin/stations/amenity/add/", {"code": "shower", "name": "淋浴", "sort_order": 200}
    )
    client.force_login(staff(Role.CITY_ADMIN, tree.city))
    city = client.post(
        "/admin/stations/amenity/add/",
        {"code": "shower", "name": "淋浴", "icon": "🚿", "sort_order": 200, "is_active": "on"},
    )

    assert county.status_code == 403
    assert city.status_code == 302
    assert AuditLog.objects.filter(action="amenity.create").count() == 1


def test_stats_page_dates_fill_the_date_inputs_and_like_names_show_their_place(
    client, station, worker, tree
):
    twin = make_station(lon=110.05, lat=21.25, name="海盛驿站", amenities=())
    for place in (station, twin):
        services.visit_record(station=place, worker=worker, at=local_noon())
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    html = client.get("/stations/staff/stats/").content.decode()

    today = local_date()
    start = (today - dt.timedelta(days=29)).isoformat()
    assert f'type="date" name="date_from" value="{start}"' in html
    assert f'type="date" name="date_to" value="{today.isoformat()}"' in html
    assert "海盛驿站 · A区 A1街道" in html and "海盛驿站 · A区 A2街道" in html
