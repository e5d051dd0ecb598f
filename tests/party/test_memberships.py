"""Memberships: one organisation at a time, transfers keep the history, leaving needs a reason."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from nuanxin.core.models import AuditLog
from nuanxin.party import services
from nuanxin.party.models import LeaveReason, Membership, MembershipKind, OrgKind, OrgStatus
from nuanxin.registry.models import PoliticalStatus
from tests.factories import staff
from tests.helpers import error_code
from tests.party.factories import member, org, party_staff

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_member_joins_and_the_audit_records_it(tree):
    branch = org(tree["A1"])
    worker = member(tree["A1a"])

    m = services.membership_join(
        actor=None, worker=worker, organisation=branch, kind=MembershipKind.FORMAL,
        joined_on=D(2021, 1, 1),
    )  # fmt: skip

    assert m.left_on is None
    assert AuditLog.objects.filter(action="party.membership_join", object_id=str(m.pk)).exists()


def test_a_second_open_membership_is_refused(tree):
    one, two = org(tree["A1"]), org(tree["A2"])
    worker = member(tree["A1a"])
    services.membership_join(
        actor=None, worker=worker, organisation=one, kind="formal", joined_on=D(2021, 1, 1)
    )

    code = error_code(
        lambda: services.membership_join(
            actor=None, worker=worker, organisation=two, kind="formal", joined_on=D(2021, 2, 1)
        )
    )

    assert code == "party.already_member"
    assert Membership.objects.filter(worker=worker).count() == 1


def test_the_database_itself_refuses_two_open_memberships(tree):
    one, two = org(tree["A1"]), org(tree["A2"])
    worker = member(tree["A1a"])
    Membership.objects.create(
        worker=worker, organisation=one, kind="formal", joined_on=D(2021, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            worker=worker, organisation=two, kind="formal", joined_on=D(2021, 1, 1)
        )


def test_the_database_refuses_leaving_without_a_reason(tree):
    worker = member(tree["A1a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            worker=worker, organisation=org(tree["A1"]), kind="formal",
            joined_on=D(2021, 1, 1), left_on=D(2022, 1, 1),
        )  # fmt: skip


def test_transfer_closes_the_old_period_and_links_the_new_one(tree):
    one, two = org(tree["A1"]), org(tree["B1"])
    worker = member(tree["A1a"])
    first = services.membership_join(
        actor=None, worker=worker, organisation=one, kind="formal", joined_on=D(2021, 1, 1)
    )

    second = services.membership_transfer(
        actor=None, membership=first, to_organisation=two, on=D(2023, 5, 4), note="换站点"
    )

    first.refresh_from_db()
    assert (first.left_on, first.leave_reason, first.next_id) == (
        D(2023, 5, 4), LeaveReason.TRANSFER, second.pk,
    )  # fmt: skip
    assert (second.organisation, second.joined_on, second.left_on) == (two, D(2023, 5, 4), None)
    assert Membership.objects.filter(worker=worker, left_on__isnull=True).count() == 1


def test_a_retried_transfer_changes_nothing(tree):
    one, two = org(tree["A1"]), org(tree["A2"])
    worker = member(tree["A1a"])
    first = services.membership_join(
        actor=None, worker=worker, organisation=one, kind="formal", joined_on=D(2021, 1, 1)
    )
    services.membership_transfer(
        actor=None, membership=first, to_organisation=two, on=D(2022, 1, 1)
    )

    code = error_code(
        lambda: services.membership_transfer(
            actor=None, membership=first, to_organisation=two, on=D(2022, 1, 1)
        )
    )

    assert code == "party.membership_closed"
    assert Membership.objects.filter(worker=worker).count() == 2


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [
        ("", "", "party.reason_required"),
        ("nonsense", "", "party.reason_required"),
        (LeaveReason.OTHER, "  ", "party.reason_required"),
        (LeaveReason.TRANSFER, "", "party.use_transfer"),
    ],
)
def test_leaving_without_a_recorded_reason_is_impossible(tree, reason, note, code):
    worker = member(tree["A1a"])
    m = services.membership_join(
        actor=None, worker=worker, organisation=org(tree["A1"]), kind="formal",
        joined_on=D(2021, 1, 1),
    )  # fmt: skip

    assert (
        error_code(
            lambda: services.membership_end(
                actor=None, membership=m, on=D(2022, 1, 1), reason=reason, note=note
            )
        )
        == code
    )
    m.refresh_from_db()
    assert m.left_on is None


def test_leaving_with_a_reason_is_recorded(tree):
    worker = member(tree["A1a"])
    m = services.membership_join(
        actor=None, worker=worker, organisation=org(tree["A1"]), kind="formal",
        joined_on=D(2021, 1, 1),
    )  # fmt: skip
    services.membership_end(
        actor=None, membership=m, on=D(2022, 1, 1), reason=LeaveReason.MOVED_AWAY
    )
    m.refresh_from_db()
    assert (m.left_on, m.leave_reason) == (D(2022, 1, 1), LeaveReason.MOVED_AWAY)


def test_kinds_follow_the_registry(tree):
    branch = org(tree["A1"])
    masses = member(tree["A1a"], status=PoliticalStatus.MASSES)
    assert (
        error_code(
            lambda: services.membership_join(
                actor=None,
                worker=masses,
                organisation=branch,
                kind="formal",
                joined_on=D(2021, 1, 1),
            )
        )
        == "party.not_a_party_member"
    )
    activist = services.membership_join(
        actor=None, worker=masses, organisation=branch, kind="activist", joined_on=D(2021, 1, 1)
    )
    assert activist.kind == MembershipKind.ACTIVIST


def test_merging_moves_every_member_and_dissolving_needs_an_empty_organisation(tree):
    one, two = org(tree["A1"]), org(tree["A1"])
    workers = [member(tree["A1a"]) for _ in range(3)]
    for w in workers:
        services.membership_join(
            actor=None, worker=w, organisation=one, kind="formal", joined_on=D(2021, 1, 1)
        )
    assert (
        error_code(
            lambda: services.organisation_end(
                actor=None, organisation=one, status=OrgStatus.DISSOLVED, on=D(2024, 1, 1)
            )
        )
        == "party.organisation_has_members"
    )

    services.organisation_end(
        actor=None, organisation=one, status=OrgStatus.MERGED, on=D(2024, 1, 1), merged_into=two
    )

    open_rows = Membership.objects.filter(left_on__isnull=True)
    assert set(open_rows.values_list("organisation", flat=True)) == {two.pk}
    assert open_rows.count() == 3
    one.refresh_from_db()
    assert (one.status, one.ended_on) == (OrgStatus.MERGED, D(2024, 1, 1))
    assert list(one.status_changes.values_list("status", flat=True)) == ["active", "merged"]


def test_no_branch_under_a_branch(tree):
    branch = org(tree["A1"])
    assert error_code(lambda: org(tree["A1"], parent=branch)) == "party.invalid_parent"
    committee = org(tree["A"], kind=OrgKind.JOINT_COMMITTEE)
    assert org(tree["A1"], parent=committee).parent == committee


def test_staff_without_party_work_or_outside_the_area_cannot_write(tree):
    branch = org(tree["A1"])
    worker = member(tree["A1a"])
    plain = staff("county_admin", tree["A"])
    other_county = party_staff(tree["B"])
    own = party_staff(tree["A"])

    def join(actor):
        return lambda: services.membership_join(
            actor=actor, worker=worker, organisation=branch, kind="formal",
            joined_on=D(2021, 1, 1),
        )  # fmt: skip

    assert error_code(join(plain)) == "party.not_party_staff"
    assert error_code(join(other_county)) == "party.organisation_not_found"
    assert join(own)().organisation == branch
