import pytest

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import AuditLog, Notification
from nuanxin.geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from nuanxin.reports.models import Channel, EventKind, Report, ReportPhoto, State
from nuanxin.reports.services import ReporterContact, report_submit
from tests.reports import factories as f

pytestmark = pytest.mark.django_db(transaction=False)


def submit(tree, reporter, cat, **overrides):
    fields = {
        "reporter": reporter,
        "category": cat,
        "lon": f.IN_A1A_1[0],
        "lat": f.IN_A1A_1[1],
        "description": "井盖不见了",
    }
    fields.update(overrides)
    return report_submit(**fields)


def test_submit__routes_to_the_grid_and_its_community_and_records_history(
    tree, reporter, django_capture_on_commit_callbacks
):
    dept = f.department()
    cat = f.category(department=dept, handling_hours=24, points=7)

    with django_capture_on_commit_callbacks(execute=True):
        report = submit(tree, reporter, cat)

    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert report.region == tree["A1a-1"]
    assert report.community == tree["A1a"]
    assert report.department == dept
    assert report.points_requested == 7
    assert (report.due_at - report.created_at).total_seconds() == pytest.approx(24 * 3600, abs=5)
    events = list(report.events.values_list("kind", "to_state"))
    assert events == [(EventKind.SUBMITTED, "submitted")]
    assert AuditLog.objects.filter(action="reports.submitted", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(user=reporter, kind="reports.submitted").count() == 1


def test_submit__the_receipt_names_the_community_that_reviews_not_the_grid(
    tree, reporter, cat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(tree, reporter, cat)

    receipt = Notification.objects.get(user=reporter, kind="reports.submitted")
    assert tree["A1a"].name in receipt.body and tree["A1a-1"].name not in receipt.body


@pytest.mark.parametrize("system,convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_submit__converts_map_coordinates_to_wgs84(tree, reporter, cat, system, convert):
    lon, lat = convert(*f.IN_A1A_1)

    report = submit(tree, reporter, cat, lon=lon, lat=lat, coord_system=system)

    assert report.lon == pytest.approx(f.IN_A1A_1[0], abs=1e-6)
    assert report.lat == pytest.approx(f.IN_A1A_1[1], abs=1e-6)


def test_submit__point_outside_every_region_is_refused_and_creates_nothing(tree, reporter, cat):
    with pytest.raises(ApplicationError) as err:
        submit(tree, reporter, cat, lon=100.0, lat=30.0)

    assert err.value.code == "reports.outside_area"
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "overrides,code",
    [
        ({"description": "   "}, "reports.description_required"),
        ({"description": "长" * 2001}, "reports.text_too_long"),
        ({"lon": 200.0}, "geo.bad_coordinates"),
        ({"coord_system": "mars"}, "geo.bad_coordinates"),
        ({"photos": [b"x"] * 5}, "reports.too_many_photos"),
        ({"answers": {"nope": "1"}}, "reports.unknown_question"),
        ({"media_url": "javascript:alert(1)"}, "reports.bad_media_url"),
    ],
)
def test_submit__bad_input_is_refused_with_its_code(tree, reporter, cat, overrides, code):
    with pytest.raises(ApplicationError) as err:
        submit(tree, reporter, cat, **overrides)

    assert err.value.code == code
    assert Report.objects.count() == 0


def test_submit__without_a_reporter_outside_a_client_channel_is_refused(tree, cat):
    with pytest.raises(ApplicationError) as err:
        submit(tree, None, cat)

    assert err.value.code == "reports.reporter_required"


def test_submit__inactive_category_is_refused(tree, reporter):
    cat = f.category(is_active=False)

    with pytest.raises(ApplicationError) as err:
        submit(tree, reporter, cat)

    assert err.value.code == "reports.category_inactive"


def test_submit__answers_are_checked_against_the_category_questions(tree, reporter):
    cat = f.category(
        questions=[
            {
                "code": "where",
                "label": "位置",
                "type": "single",
                "required": True,
                "options": [{"key": "window", "name": "窗外"}, {"key": "indoor", "name": "室内"}],
            },
            {"code": "count", "label": "数量", "type": "number"},
        ]
    )

    with pytest.raises(ApplicationError) as missing:
        submit(tree, reporter, cat)
    with pytest.raises(ApplicationError) as wrong:
        submit(tree, reporter, cat, answers={"where": "roof"})
    report = submit(tree, reporter, cat, answers={"where": "window", "count": "3"})

    assert missing.value.code == "reports.answer_required"
    assert wrong.value.code == "reports.bad_answer"
    assert report.answers == {"where": "window", "count": 3.0}


def test_submit__same_submit_key_returns_the_first_report(tree, reporter, cat):
    first = submit(tree, reporter, cat, submit_key="k-1", photos=[f.jpeg_bytes()])
    again = submit(tree, reporter, cat, submit_key="k-1", photos=[f.jpeg_bytes()])

    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert ReportPhoto.objects.count() == 1


def test_submit__same_key_from_another_reporter_is_another_report(tree, reporter, cat):
    first = submit(tree, reporter, cat, submit_key="k-1")
    other = submit(tree, f.worker(tree), cat, submit_key="k-1")

    assert other.pk != first.pk


def test_submit__anonymous_client_user_keeps_contact_and_channel(tree, cat):
    report = submit(
        tree,
        None,
        cat,
        channel=Channel.OPEN311,
        client_id="city-app",
        contact=ReporterContact(name="张三", phone="13900001111", email="z@example.com"),
        address="人民大道 1 号",
        media_url="https://example.com/p.jpg",
    )

    assert report.reporter is None
    assert (report.contact_name, report.contact_email) == ("张三", "z@example.com")
    assert report.channel == "open311" and report.client_id == "city-app"
    assert report.address == "人民大道 1 号"


def test_submit__daily_limit_refuses_the_next_report(tree, reporter, cat, settings):
    settings.REPORTS_DAILY_LIMIT = 2
    submit(tree, reporter, cat)
    submit(tree, reporter, cat)

    with pytest.raises(ApplicationError) as err:
        submit(tree, reporter, cat)

    assert err.value.code == "reports.daily_limit"
    assert err.value.status == 429
    assert Report.objects.count() == 2


def test_submit__bad_photo_creates_nothing_and_leaves_no_files(tree, reporter, cat, settings):
    with pytest.raises(ApplicationError) as err:
        submit(tree, reporter, cat, photos=[f.jpeg_bytes(), b"not an image at all"])

    assert err.value.code == "images.unsupported_format"
    assert Report.objects.count() == 0
    media = settings.MEDIA_ROOT / "reports"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
