import io

import openpyxl
import pytest

from nuanxin.volunteering import services
from nuanxin.volunteering.models import Attendance, Claim, Project
from tests.volunteering.factories import (
    DAY,
    community_staff,
    fund,
    make_project,
    only_session,
    worker,
)

pytestmark = pytest.mark.django_db


def test_worker_list_shows_community_projects_and_claims_through_the_form(tree, clock, client):
    project = make_project(tree, title="楼道巡查（周一）")
    person = worker(tree)
    client.force_login(person)

    page = client.get("/volunteer/")
    session = only_session(project)
    response = client.post(f"/volunteer/s/{session.pk}/claim/", {"next": "/volunteer/"})
    after = client.get("/volunteer/").content.decode()

    assert "楼道巡查（周一）" in page.content.decode()
    assert response.status_code == 302
    claim = Claim.objects.get(worker=person)
    assert claim.code in after


def test_worker_list_with_a_position_shows_nearby_projects(tree, clock, client):
    make_project(tree, region="B1a", title="远处项目", place=(110.25, 21.05))
    client.force_login(worker(tree))

    near = client.get("/volunteer/", {"lon": "110.2501", "lat": "21.0501"}).content.decode()
    default = client.get("/volunteer/").content.decode()

    assert "远处项目" in near and "远处项目" not in default


def test_anonymous_visitor_is_asked_to_log_in(client):
    html = client.get("/volunteer/").content.decode()

    assert "登录后查看附近项目" in html


def test_worker_sees_claims_hours_and_withdraws(tree, clock, client):
    session = only_session(make_project(tree))
    person = worker(tree)
    claim = services.claim_create(session=session, worker=person)
    client.force_login(person)

    mine = client.get("/volunteer/mine/").content.decode()
    client.post(f"/volunteer/c/{claim.pk}/withdraw/")

    claim.refresh_from_db()
    assert claim.code in mine and "服务时长" in mine
    assert claim.status == "withdrawn"


def test_scan_page_checks_in_and_out_with_quantity(tree, clock, client):
    session = only_session(make_project(tree, kind="leaflets", quantity_target=100))
    person = worker(tree)
    services.claim_create(session=session, worker=person)
    token = services.session_token(session)
    client.force_login(person)

    clock.set(DAY, 9, 0)
    before = client.get(f"/volunteer/scan/{token}/").content.decode()
    client.post(f"/volunteer/scan/{token}/", {"op": "check_in"})
    clock.set(DAY, 10, 30)
    during = client.get(f"/volunteer/scan/{token}/").content.decode()
    client.post(f"/volunteer/scan/{token}/", {"op": "check_out", "quantity": "35"})

    attendance = Attendance.objects.get(worker=person)
    assert 'id="vt-check-in"' in before and 'id="vt-check-out"' in during
    assert (attendance.hours_recorded, attendance.quantity_reported) == (1.5, 35)


def test_a_bad_qr_token_shows_the_error(tree, client):
    client.force_login(worker(tree))

    response = client.get("/volunteer/scan/not-a-token/")

    assert response.status_code == 400
    assert 'data-code="volunteering.bad_token"' in response.content.decode()


def test_staff_post_a_project_through_the_form(tree, clock, client):
    poster = community_staff(tree)
    client.force_login(poster)

    form = client.get("/volunteer/staff/new/")
    response = client.post(
        "/volunteer/staff/new/",
        {
            "title": "政策传单随手派",
            "kind": "leaflets",
            "region": str(tree["A1a"].pk),
            "place_name": "A1a 社区广场",
            "lon": "110.05",
            "lat": "21.05",
            "coord_system": "wgs84",
            "recurrence": "weekly",
            "first_date": "2031-03-03",
            "last_date": "2031-03-16",
            "weekdays": ["2", "4"],
            "start_time": "10:00",
            "end_time": "12:00",
            "places": "8",
            "award_rule": "per_task",
            "points_per_task": "20",
            "requirement": "none",
            "quantity_target": "300",
            "withdraw_hours_before": "2",
            "publish": "on",
        },
    )

    project = Project.objects.get()
    assert form.status_code == 200 and "发布志愿服务项目" in form.content.decode()
    assert response.status_code == 302
    assert (project.status, project.sessions.count(), project.quantity_target) == (
        "published",
        4,
        300,
    )


def test_staff_form_shows_the_service_error(tree, clock, client):
    client.force_login(community_staff(tree))

    response = client.post(
        "/volunteer/staff/new/",
        {
            "title": "x",
            "kind": "other",
            "region": str(tree["A1a"].pk),
            "place_name": "x",
            "coord_system": "wgs84",
            "recurrence": "once",
            "first_date": "2031-03-03",
            "start_time": "10:00",
            "end_time": "12:00",
            "places": "8",
            "award_rule": "per_task",
            "requirement": "none",
            "withdraw_hours_before": "2",
        },
    )

    assert response.status_code == 400
    assert 'data-code="volunteering.bad_points"' in response.content.decode()
    assert not Project.objects.exists()


def test_staff_sheet_checks_in_by_code_and_verifies(tree, clock, client):
    fund(tree)
    session = only_session(make_project(tree))
    person = worker(tree, phone="13912345678")
    claim = services.claim_create(session=session, worker=person)
    staff = community_staff(tree)
    client.force_login(staff)

    sheet = client.get(f"/volunteer/staff/s/{session.pk}/").content.decode()
    # A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request: after each jump
    # of the clock (two days, then two hours) the staff member logs in again.
    clock.set(DAY, 9, 0)
    client.force_login(staff)
    client.post(f"/volunteer/staff/s/{session.pk}/code/", {"code": claim.code, "op": "check_in"})
    clock.set(DAY, 11, 0)
    client.force_login(staff)
    client.post(f"/volunteer/staff/c/{claim.pk}/mark/", {"op": "check_out"})
    client.post(f"/volunteer/staff/c/{claim.pk}/verify/", {"outcome": "full"})
    verified = client.get(f"/volunteer/staff/s/{session.pk}/").content.decode()

    assert "139****5678" in sheet and "13912345678" not in sheet
    assert Attendance.objects.get(claim=claim).points_awarded == 20
    assert "+20" in verified


def test_staff_of_another_community_get_an_error_page(tree, clock, client):
    session = only_session(make_project(tree))
    client.force_login(community_staff(tree, "A1b"))

    response = client.get(f"/volunteer/staff/s/{session.pk}/")

    assert response.status_code == 404
    assert 'data-code="volunteering.session_not_found"' in response.content.decode()


def test_workers_cannot_open_staff_pages(tree, client):
    client.force_login(worker(tree))

    response = client.get("/volunteer/staff/")

    assert response.status_code == 403


def test_staff_project_page_poster_and_transitions(tree, clock, client):
    project = make_project(tree, publish=False)
    session = only_session(project)
    client.force_login(community_staff(tree))

    page = client.get(f"/volunteer/staff/p/{project.pk}/").content.decode()
    client.post(f"/volunteer/staff/p/{project.pk}/publish/")
    poster = client.get(f"/volunteer/staff/s/{session.pk}/poster/").content.decode()

    project.refresh_from_db()
    assert "签到表" in page and project.status == "published"
    assert "<svg" in poster and services.session_token(session) in poster


def test_stats_page_and_export(tree, clock, client):
    fund(tree)
    session = only_session(make_project(tree, kind="leaflets"))
    claim = services.claim_create(session=session, worker=worker(tree, name="骑手乙"))
    clock.set(DAY, 12)
    staff_user = community_staff(tree)
    services.attendance_verify(
        claim=claim, staff=staff_user, outcome="full", quantity=30, note="现场签到表"
    )
    client.force_login(staff_user)

    page = client.get("/volunteer/staff/stats/", {"street": tree["A1"].code}).content.decode()
    export = client.get("/volunteer/staff/stats/export.xlsx")

    assert 'id="vt-total"' in page and "骑手乙" in page
    assert export["Content-Type"].startswith("application/vnd.openxml")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content))["街道统计"].values)
    assert rows[0][:3] == ("街道", "项目数", "服务人数")
    assert rows[1][0] == "A区A1街道" and rows[1][5] == 30


def test_staff_change_places_on_the_project_page(tree, clock, client):
    project = make_project(tree, places=3)
    client.force_login(community_staff(tree))

    client.post(f"/volunteer/staff/p/{project.pk}/places/", {"places": "6"})
    refused = client.post(f"/volunteer/staff/p/{project.pk}/places/", {"places": "0"}, follow=True)

    assert only_session(project).places == 6
    assert "每场名额必须在 1 到 500 之间。" in refused.content.decode()


def test_staff_home_lists_the_projects_in_jurisdiction_only(tree, clock, client):
    make_project(tree, title="本社区项目")
    make_project(tree, region="A1b", title="隔壁社区项目")
    client.force_login(community_staff(tree))

    response = client.get("/volunteer/staff/")
    drafts = client.get("/volunteer/staff/", {"status": "draft"}).content.decode()

    html = response.content.decode()
    assert response.status_code == 200
    assert "本社区项目" in html and "隔壁社区项目" not in html
    assert "本社区项目" not in drafts


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_withdrawing_a_claim_and_logging_out_are_named_apart(tree, clock, client, language):
    import re

    session = only_session(make_project(tree))
    person = worker(tree)
    services.claim_create(session=session, worker=person)
    client.force_login(person)
    client.cookies["django_language"] = language

    html = client.get("/volunteer/mine/").content.decode()

    def button_of(action: str) -> str:
        form = re.search(rf'<form[^>]*action="[^"]*{action}[^"]*".*?</form>', html, re.S)
        assert form, action
        return re.sub(r"<[^>]+>", "", re.search(r"<button.*?</button>", form[0], re.S)[0]).strip()

    log_out, withdraw = button_of("/accounts/logout/"), button_of("/withdraw/")
    assert log_out and withdraw and log_out != withdraw
    assert withdraw not in log_out and log_out not in withdraw
