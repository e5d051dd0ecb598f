import datetime as dt

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog, Notification
from nuanxin.volunteering import services
from nuanxin.volunteering.models import (
    AwardRule,
    ClaimStatus,
    Project,
    ProjectKind,
    ProjectStatus,
    Recurrence,
)
from tests.factories import staff
from tests.volunteering.factories import (
    DAY,
    END,
    START,
    code_of,
    community_staff,
    make_project,
    only_session,
    seated,
    street_admin,
    worker,
)

pytestmark = pytest.mark.django_db


def test_community_staff_post_a_single_session_project(tree, clock):
    poster = community_staff(tree)

    project = make_project(tree, actor=poster, places=5, publish=False)

    session = only_session(project)
    assert project.status == ProjectStatus.DRAFT
    assert (project.region, project.street, project.pool_region) == (
        tree["A1a"],
        tree["A1"],
        tree["A1a"],
    )
    assert session.places == 5 and session.hours == 2
    assert session.starts_at.hour == 1  # 09:00 in Asia/Shanghai is 01:00 UTC
    assert AuditLog.objects.filter(action="volunteer.project_create", object_id=project.pk).exists()


def test_weekly_project_makes_one_session_per_chosen_weekday(tree, clock):
    project = make_project(
        tree,
        recurrence=Recurrence.WEEKLY,
        last_date=DAY + dt.timedelta(days=13),
        weekdays=[1, 3],
    )

    days = [s.starts_at.astimezone(dt.UTC).date() for s in project.sessions.all()]
    assert [d.isoweekday() for d in days] == [1, 3, 1, 3]
    assert project.weekdays == "1,3" and project.last_date == DAY + dt.timedelta(days=13)


def test_street_project_pays_from_the_community_of_its_meeting_place(tree, clock):
    # (110.15, 21.05) lies in community A1b of street A1.
    project = make_project(tree, region="A1", place=(110.15, 21.05))

    assert project.pool_region == tree["A1b"] and project.street == tree["A1"]
    assert (project.place_lon, project.place_lat) == (110.15, 21.05)


def test_street_project_may_name_its_paying_community(tree, clock):
    project = make_project(tree, region="A1", pool_region=tree["A1a"], place=(110.15, 21.05))

    assert project.pool_region == tree["A1a"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": " "}, "volunteering.bad_title"),
        ({"kind": "dance"}, "volunteering.bad_kind"),
        ({"place_name": ""}, "volunteering.bad_place"),
        ({"place": (500, 21)}, "geo.bad_coordinates"),
        ({"places": 0}, "volunteering.bad_places"),
        ({"end_time": START}, "volunteering.bad_schedule"),
        (
            {"recurrence": Recurrence.WEEKLY, "last_date": DAY, "weekdays": []},
            "volunteering.bad_schedule",
        ),
        (
            {
                "recurrence": Recurrence.WEEKLY,
                "last_date": DAY - dt.timedelta(days=1),
                "weekdays": [1],
            },
            "volunteering.bad_schedule",
        ),
        (
            {
                "recurrence": Recurrence.WEEKLY,
                "last_date": DAY + dt.timedelta(days=300),
                "weekdays": [1, 2, 3],
            },
            "volunteering.too_many_sessions",
        ),
        ({"award_rule": AwardRule.PER_TASK}, "volunteering.bad_points"),
        ({"points_per_hour": -1}, "volunteering.bad_points"),
        ({"quantity_target": 0}, "volunteering.bad_quantity"),
        ({"requirement": "vip"}, "volunteering.bad_requirement"),
    ],
)
def test_bad_project_input_is_refused_and_creates_nothing(tree, clock, fields, code):
    assert code_of(lambda: make_project(tree, **fields)) == code
    assert Project.objects.count() == 0


def test_street_project_without_pool_or_place_in_the_street_is_refused(tree, clock):
    assert code_of(lambda: make_project(tree, region="A1")) == "volunteering.pool_required"
    assert (
        code_of(lambda: make_project(tree, region="A1", pool_region=tree["A2a"]))
        == "volunteering.bad_pool"
    )


def test_community_project_cannot_pay_from_another_pool(tree, clock):
    code = code_of(lambda: make_project(tree, pool_region=tree["A1b"]))

    assert code == "volunteering.bad_pool"


def test_project_must_be_posted_by_a_community_or_street(tree, clock):
    admin = staff(Role.COUNTY_ADMIN, tree["A"])

    assert code_of(lambda: make_project(tree, region="A", actor=admin)) == "volunteering.bad_region"


def test_community_staff_cannot_post_in_the_next_community(tree, clock):
    poster = community_staff(tree, "A1a")

    code = code_of(lambda: make_project(tree, region="A1b", actor=poster))

    assert code == "auth.out_of_jurisdiction"
    assert Project.objects.count() == 0


def test_street_admin_governs_the_projects_of_its_communities(tree, clock):
    project = make_project(tree, region="A1a", publish=False)

    published = services.project_publish(project=project, actor=street_admin(tree, "A1"))

    assert published.status == ProjectStatus.PUBLISHED and published.published_at == clock.at


def test_publish_close_reopen_and_cancel(tree, clock):
    project = make_project(tree, publish=False)
    actor = community_staff(tree)

    assert services.project_publish(project=project, actor=actor).status == "published"
    assert services.project_publish(project=project, actor=actor).status == "published"
    assert services.project_close(project=project, actor=actor).status == "closed"
    assert services.project_publish(project=project, actor=actor).status == "published"
    assert services.project_cancel(project=project, actor=actor).status == "cancelled"
    assert (
        code_of(lambda: services.project_publish(project=project, actor=actor))
        == "volunteering.bad_transition"
    )
    assert (
        code_of(lambda: services.project_close(project=project, actor=actor))
        == "volunteering.bad_transition"
    )


def test_closing_a_draft_is_a_bad_transition(tree, clock):
    project = make_project(tree, publish=False)

    code = code_of(lambda: services.project_close(project=project, actor=community_staff(tree)))

    assert code == "volunteering.bad_transition"


def test_cancelling_cancels_future_claims_and_tells_the_workers(
    tree, clock, django_capture_on_commit_callbacks
):
    project = make_project(tree)
    claim = seated(tree, only_session(project))

    with django_capture_on_commit_callbacks(execute=True):
        services.project_cancel(project=project, actor=community_staff(tree), reason="台风")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CANCELLED
    note = Notification.objects.get(user=claim.worker)
    assert note.kind == "volunteer.cancelled" and note.body == "台风"


def test_places_cannot_drop_below_the_claims_held(tree, clock):
    project = make_project(tree, places=3)
    session = only_session(project)
    seated(tree, session)
    seated(tree, session)
    actor = community_staff(tree)

    code = code_of(lambda: services.project_update(project=project, actor=actor, places=1))
    updated = services.project_update(project=project, actor=actor, places=2, title="新名称")

    session.refresh_from_db()
    assert code == "volunteering.places_below_claimed"
    assert (updated.title, updated.places, session.places) == ("新名称", 2, 2)


def test_raising_places_seats_the_waiting_list(tree, clock):
    project = make_project(tree, places=1)
    session = only_session(project)
    seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))

    services.project_update(project=project, actor=community_staff(tree), places=2)

    waiting.refresh_from_db()
    assert waiting.status == ClaimStatus.CLAIMED


def test_leaflet_project_records_its_quantity_target(tree, clock):
    project = make_project(tree, kind=ProjectKind.LEAFLETS, quantity_target=300)

    assert project.is_leaflet_task and project.quantity_target == 300
    assert (only_session(project).starts_at.time(), END) == (dt.time(1, 0), END)
