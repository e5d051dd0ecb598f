import datetime as dt

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog, Notification
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Claim, ClaimStatus, Requirement
from nuanxin.volunteering.services import _common, claims
from tests.factories import staff
from tests.volunteering.factories import (
    DAY,
    code_of,
    community_staff,
    make_project,
    only_session,
    seated,
    worker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def party_members(monkeypatch):
    """Make the users in the returned set party members (the registry hook)."""
    members: set[int] = set()
    monkeypatch.setattr(_common, "_is_party_member", lambda user: user.pk in members)
    return members


def test_worker_claims_a_place_and_gets_a_short_code(tree, clock):
    session = only_session(make_project(tree))
    person = worker(tree)

    claim = services.claim_create(session=session, worker=person)

    assert claim.status == ClaimStatus.CLAIMED and claim.seated_at == clock.at
    assert len(claim.code) == 6 and claim.code.isalnum() and claim.code.isupper()
    assert AuditLog.objects.filter(action="volunteer.claim", object_id=claim.pk).exists()


def test_codes_are_unique_within_a_session(tree, clock):
    session = only_session(make_project(tree, places=40))

    codes = {seated(tree, session).code for _ in range(40)}

    assert len(codes) == 40


def test_claims_beyond_the_places_go_to_the_waiting_list(tree, clock):
    session = only_session(make_project(tree, places=2))
    seated(tree, session)
    seated(tree, session)

    third = services.claim_create(session=session, worker=worker(tree))

    assert third.status == ClaimStatus.WAITLISTED and third.seated_at is None
    assert Claim.objects.filter(session=session, status="claimed").count() == 2


def test_a_worker_cannot_claim_the_same_session_twice(tree, clock):
    session = only_session(make_project(tree))
    claim = seated(tree, session)

    code = code_of(lambda: services.claim_create(session=session, worker=claim.worker))

    assert code == "volunteering.already_claimed"
    assert Claim.objects.filter(worker=claim.worker).count() == 1


def test_a_worker_may_claim_again_after_withdrawing(tree, clock):
    session = only_session(make_project(tree))
    claim = seated(tree, session)
    services.claim_withdraw(claim=claim, worker=claim.worker)

    again = services.claim_create(session=session, worker=claim.worker)

    assert again.status == ClaimStatus.CLAIMED and again.pk != claim.pk


def test_staff_cannot_claim(tree, clock):
    session = only_session(make_project(tree))

    code = code_of(lambda: services.claim_create(session=session, worker=community_staff(tree)))

    assert code == "volunteering.workers_only"


def test_draft_closed_and_cancelled_projects_take_no_claims(tree, clock):
    actor = community_staff(tree)
    draft = make_project(tree, publish=False)
    closed = services.project_close(project=make_project(tree), actor=actor)
    cancelled = services.project_cancel(project=make_project(tree), actor=actor)

    codes = [
        code_of(
            lambda p=project: services.claim_create(session=only_session(p), worker=worker(tree))
        )
        for project in (draft, closed, cancelled)
    ]

    # A draft is not shown to workers at all: its sessions are "not found".
    assert codes == [
        "volunteering.session_not_found",
        "volunteering.not_open",
        "volunteering.not_open",
    ]
    assert Claim.objects.count() == 0


def test_an_ended_session_takes_no_claims(tree, clock):
    session = only_session(make_project(tree))
    clock.set(DAY, 11, 0)

    code = code_of(lambda: services.claim_create(session=session, worker=worker(tree)))

    assert code == "volunteering.session_ended"


def test_withdrawing_frees_the_place_for_the_first_on_the_waiting_list(
    tree, clock, django_capture_on_commit_callbacks
):
    session = only_session(make_project(tree, places=1))
    first = seated(tree, session)
    second = services.claim_create(session=session, worker=worker(tree))
    third = services.claim_create(session=session, worker=worker(tree))

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_withdraw(claim=first, worker=first.worker)

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, second.status, third.status) == ("withdrawn", "claimed", "waitlisted")
    assert Notification.objects.get(user=second.worker).kind == "volunteer.promoted"


def test_withdrawal_closes_before_the_start(tree, clock):
    session = only_session(make_project(tree, withdraw_hours_before=2))
    claim = seated(tree, session)
    clock.set(DAY, 7, 0)

    code = code_of(lambda: services.claim_withdraw(claim=claim, worker=claim.worker))

    claim.refresh_from_db()
    assert code == "volunteering.withdraw_closed" and claim.status == ClaimStatus.CLAIMED


def test_a_waiting_claim_may_be_withdrawn_any_time(tree, clock):
    session = only_session(make_project(tree, places=1))
    seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))
    clock.set(DAY, 8, 59)

    services.claim_withdraw(claim=waiting, worker=waiting.worker)

    waiting.refresh_from_db()
    assert waiting.status == ClaimStatus.WITHDRAWN


def test_only_the_claimer_may_withdraw_and_only_once(tree, clock):
    claim = seated(tree, only_session(make_project(tree)))

    other = code_of(lambda: services.claim_withdraw(claim=claim, worker=worker(tree)))
    services.claim_withdraw(claim=claim, worker=claim.worker)
    again = code_of(lambda: services.claim_withdraw(claim=claim, worker=claim.worker))
    # Someone else's claim is "not found" whatever its state: ownership comes before state.
    other_after = code_of(lambda: services.claim_withdraw(claim=claim, worker=worker(tree)))

    assert (other, again) == ("volunteering.claim_not_found", "volunteering.claim_not_active")
    assert other_after == "volunteering.claim_not_found"


def test_party_first_seats_party_members_and_holds_back_others(tree, clock, party_members):
    session = only_session(make_project(tree, requirement=Requirement.PARTY_FIRST, places=2))
    member, other = worker(tree), worker(tree)
    party_members.add(member.pk)

    member_claim = services.claim_create(session=session, worker=member)
    other_claim = services.claim_create(session=session, worker=other)

    assert (member_claim.status, member_claim.party_member) == ("claimed", True)
    assert (other_claim.status, other_claim.held_back) == ("waitlisted", True)


def test_held_back_claims_are_seated_in_order_when_the_hold_ends(tree, clock, party_members):
    project = make_project(tree, requirement=Requirement.PARTY_FIRST, party_hold_hours=24, places=2)
    session = only_session(project)
    early = services.claim_create(session=session, worker=worker(tree))
    clock.advance(minutes=5)
    later = services.claim_create(session=session, worker=worker(tree))
    clock.advance(minutes=5)
    last = services.claim_create(session=session, worker=worker(tree))
    assert {early.status, later.status, last.status} == {"waitlisted"}

    clock.advance(hours=24)
    seated_now = services.sessions_promote_due()

    statuses = [Claim.objects.get(pk=c.pk).status for c in (early, later, last)]
    assert seated_now == 2
    assert statuses == ["claimed", "claimed", "waitlisted"]


def test_after_the_hold_a_newcomer_waits_behind_those_already_waiting(tree, clock):
    session = only_session(
        make_project(tree, requirement=Requirement.PARTY_FIRST, party_hold_hours=1, places=1)
    )
    held = services.claim_create(session=session, worker=worker(tree))
    clock.advance(hours=2)

    newcomer = services.claim_create(session=session, worker=worker(tree))

    held.refresh_from_db()
    assert (held.status, newcomer.status) == ("claimed", "waitlisted")


def test_the_hold_never_outlasts_the_session_start(tree, clock, party_members):
    project = make_project(
        tree, requirement=Requirement.PARTY_FIRST, party_hold_hours=720, places=1
    )
    session = only_session(project)

    assert services.hold_until(project, session) == session.starts_at


def test_without_party_first_nobody_is_held_back(tree, clock):
    project = make_project(tree)

    assert services.hold_until(project, only_session(project)) is None


def test_staff_record_a_walk_in_even_after_the_session(tree, clock):
    session = only_session(make_project(tree, requirement=Requirement.PARTY_FIRST))
    clock.set(DAY + dt.timedelta(days=1), 10)
    person = worker(tree)

    claim = services.claim_record(session=session, worker=person, staff=community_staff(tree))

    assert claim.status == ClaimStatus.CLAIMED and claim.added_by is not None
    assert AuditLog.objects.filter(action="volunteer.claim_record").count() == 1


def test_staff_cannot_record_into_a_full_session_or_another_community(tree, clock):
    session = only_session(make_project(tree, places=1))
    seated(tree, session)

    full = code_of(
        lambda: services.claim_record(
            session=session, worker=worker(tree), staff=community_staff(tree)
        )
    )
    outside = code_of(
        lambda: services.claim_record(
            session=session, worker=worker(tree), staff=community_staff(tree, "A1b")
        )
    )

    assert (full, outside) == ("volunteering.session_full", "volunteering.session_not_found")


def test_staff_cancel_a_claim_and_the_next_is_seated(tree, clock):
    session = only_session(make_project(tree, places=1))
    first = seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))

    services.claim_cancel(claim=first, staff=community_staff(tree), reason="本人电话告知")

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == ("cancelled", "claimed")


def test_staff_of_the_next_community_cannot_cancel(tree, clock):
    claim = seated(tree, only_session(make_project(tree)))

    code = code_of(lambda: services.claim_cancel(claim=claim, staff=community_staff(tree, "A1b")))

    claim.refresh_from_db()
    assert code == "volunteering.claim_not_found" and claim.status == ClaimStatus.CLAIMED


def test_the_waiting_list_expires_when_the_session_ends(tree, clock):
    session = only_session(make_project(tree, places=1))
    seated(tree, session)
    waiting = services.claim_create(session=session, worker=worker(tree))
    clock.set(DAY, 12)

    services.session_promote_waitlist(session=session, actor=community_staff(tree))

    waiting.refresh_from_db()
    assert waiting.status == ClaimStatus.EXPIRED


def test_promote_button_needs_jurisdiction(tree, clock):
    session = only_session(make_project(tree))
    admin = staff(Role.STREET_ADMIN, tree["B1"])

    code = code_of(lambda: services.session_promote_waitlist(session=session, actor=admin))

    assert code == "volunteering.session_not_found"


def test_code_alphabet_has_no_lookalike_characters():
    assert not set("01OI") & set(claims.CODE_ALPHABET)


def test_the_promote_command_seats_held_back_claims_once_the_hold_ends(tree, clock):
    import io

    from django.core.management import call_command

    session = only_session(
        make_project(tree, requirement=Requirement.PARTY_FIRST, party_hold_hours=2, places=2)
    )
    held = services.claim_create(session=session, worker=worker(tree))
    out = io.StringIO()

    call_command("volunteering_promote", stdout=out)
    still_held = Claim.objects.get(pk=held.pk).status
    clock.advance(hours=3)
    call_command("volunteering_promote", stdout=out)

    assert still_held == ClaimStatus.WAITLISTED
    assert Claim.objects.get(pk=held.pk).status == ClaimStatus.CLAIMED
    assert out.getvalue().splitlines() == ["递补 0 人。", "递补 1 人。"]


def test_party_membership_comes_from_the_registry(tree, clock):
    from nuanxin.registry.models import PoliticalStatus
    from tests.registry.factories import make_worker

    session = only_session(make_project(tree, requirement=Requirement.PARTY_FIRST, places=2))
    member, other = worker(tree), worker(tree)
    make_worker(tree["A1a"], phone=member.phone, political_status=PoliticalStatus.PROBATIONARY)
    make_worker(tree["A1a"], phone=other.phone, political_status=PoliticalStatus.MASSES)

    member_claim = services.claim_create(session=session, worker=member)
    other_claim = services.claim_create(session=session, worker=other)

    assert (member_claim.status, member_claim.party_member) == ("claimed", True)
    assert (other_claim.status, other_claim.held_back) == ("waitlisted", True)
