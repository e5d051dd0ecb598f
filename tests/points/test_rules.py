"""What pays, read by the worker; and every award that paid less says why."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.points import services
from nuanxin.reports.services import report_accept
from nuanxin.stations import services as stations
from nuanxin.stations.models import Visit
from tests.points.factories import city_admin, funded_pool, tid
from tests.reports import factories as reports
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db


def _earn(person, points, tree, community="A1a"):
    return services.earn(
        transfer_id=tid(),
        worker=person,
        community=tree[community],
        source="report.accepted",
        points=points,
        reference="r",
    )


def test_the_rules_page_lists_what_pays_the_caps_and_my_progress(client, tree):
    reports.category(name="测试用堵塞类别", points=15)
    reports.category(name="不计分类别", points=0)
    services.policy_update(actor=city_admin(tree), daily_cap=100, checkin_points=2)
    funded_pool(tree, "A1a", 500)
    person = reports.worker(tree)
    _earn(person, 30, tree)
    client.force_login(person)

    page = client.get("/points/rules/").content.decode()
    api = client.get("/api/v1/points/rules").json()

    assert "随手拍：测试用堵塞类别" in page and "不计分类别" not in page
    assert "驿站扫码打卡" in page and "志愿服务（核验后）" in page
    assert "30 / 100" in page
    by_label = {rule["label"]: rule for rule in api["rules"]}
    assert by_label["随手拍：测试用堵塞类别"]["points"] == 15
    assert by_label["驿站扫码打卡"]["points"] == 2
    assert (api["daily_cap"], api["earned_today"]) == (100, 30)
    assert "/points/rules/" in client.get("/points/").content.decode()


def test_staff_see_the_rules_without_a_progress_of_their_own(client, tree):
    client.force_login(reports.community_staff(tree))

    api = client.get("/api/v1/points/rules").json()

    assert api["earned_today"] is None and api["earned_this_month"] is None


def test_a_report_accepted_past_the_daily_cap_says_why_it_paid_nothing(
    client, tree, django_capture_on_commit_callbacks
):
    services.policy_update(actor=city_admin(tree), daily_cap=20)
    funded_pool(tree, "A1a", 500)
    person = reports.worker(tree)
    _earn(person, 20, tree)
    report = reports.submitted(tree, reporter=person, cat=reports.category(points=10))

    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, reviewer=reports.community_staff(tree))

    report.refresh_from_db()
    assert (report.points_awarded, report.points_limited_by) == (0, "daily_cap")
    client.force_login(person)
    page = client.get(f"/reports/mine/{report.pk}/").content.decode()
    api = client.get(f"/api/v1/reports/mine/{report.pk}").json()
    assert "本次未获得积分" in page and "已达每人每日积分上限（20 分）" in page
    assert api["points_note"].startswith("已达每人每日积分上限")
    notice = person.notifications.get(kind="reports.accepted")
    assert "已达每人每日积分上限" in notice.body


def test_a_report_paid_in_part_says_the_rest_met_the_cap(tree):
    services.policy_update(actor=city_admin(tree), daily_cap=25)
    funded_pool(tree, "A1a", 500)
    person = reports.worker(tree)
    _earn(person, 20, tree)
    report = reports.submitted(tree, reporter=person, cat=reports.category(points=10))

    report_accept(report=report, reviewer=reports.community_staff(tree))

    report.refresh_from_db()
    assert (report.points_awarded, report.points_limited_by) == (5, "daily_cap")


def test_a_second_check_in_the_same_day_says_check_in_points_come_once_a_day(client, tree):
    funded_pool(tree, "A1a", 500)
    person = reports.worker(tree)
    first = make_station(lon=110.05, lat=21.05, amenities=())
    second = make_station(lon=110.06, lat=21.05, amenities=())
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))

    paid = stations.visit_record(station=first, worker=person, at=noon)
    unpaid = stations.visit_record(station=second, worker=person, at=noon)

    assert paid.visit.points_awarded > 0 and unpaid.visit.points_awarded == 0
    assert Visit.objects.get(pk=unpaid.visit.pk).points_limited_by == "once_a_day"
    client.force_login(person)
    mine = client.get("/api/v1/stations/visits/mine").json()
    notes = {visit["station"]["id"]: visit["points_note"] for visit in mine}
    assert notes[first.pk] == "" and "每天只发一次" in notes[second.pk]
    assert "每天只发一次" in client.get("/stations/visits/").content.decode()
