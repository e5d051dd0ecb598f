"""Claims racing for the last places: run on SQLite and PostgreSQL (threads, real commits)."""

import pytest

from nuanxin.volunteering import services
from nuanxin.volunteering.models import Claim, ClaimStatus
from tests.helpers import race
from tests.volunteering.factories import community_staff, make_project, only_session, worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_workers_racing_for_three_places_seat_exactly_three(tree, clock):
    session = only_session(make_project(tree, places=3))
    people = [worker(tree) for _ in range(10)]

    results = race([lambda p=p: services.claim_create(session=session, worker=p) for p in people])

    assert all(isinstance(r, Claim) for r in results), results
    statuses = sorted(Claim.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(ClaimStatus.CLAIMED) == 3
    assert statuses.count(ClaimStatus.WAITLISTED) == 7


def test_last_place_freed_by_a_withdrawal_goes_to_exactly_one(tree, clock):
    session = only_session(make_project(tree, places=2))
    holder = services.claim_create(session=session, worker=worker(tree))
    services.claim_create(session=session, worker=worker(tree))
    people = [worker(tree) for _ in range(6)]

    calls = [lambda: services.claim_withdraw(claim=holder, worker=holder.worker)]
    calls += [lambda p=p: services.claim_create(session=session, worker=p) for p in people]
    race(calls)

    assert Claim.objects.filter(session=session, status=ClaimStatus.CLAIMED).count() == 2
    assert Claim.objects.filter(session=session, status=ClaimStatus.WAITLISTED).count() == 5


def test_one_worker_claiming_from_several_phones_gets_one_claim(tree, clock):
    session = only_session(make_project(tree, places=5))
    person = worker(tree)

    results = race([lambda: services.claim_create(session=session, worker=person)] * 5)

    assert sum(isinstance(r, Claim) for r in results) == 1
    assert results.count("volunteering.already_claimed") == 4
    assert Claim.objects.filter(session=session, worker=person).count() == 1


def test_eight_workers_racing_for_the_last_place_seat_exactly_one(tree, clock):
    session = only_session(make_project(tree, places=3))
    for _ in range(2):
        services.claim_create(session=session, worker=worker(tree))
    people = [worker(tree) for _ in range(8)]

    race([lambda p=p: services.claim_create(session=session, worker=p) for p in people])

    seated = Claim.objects.filter(session=session, status=ClaimStatus.CLAIMED)
    assert seated.count() == 3
    assert seated.filter(worker__in=people).count() == 1
    assert Claim.objects.filter(session=session, status=ClaimStatus.WAITLISTED).count() == 7


def test_eight_staff_recording_on_the_spot_for_the_last_place_seat_one(tree, clock):
    session = only_session(make_project(tree, places=2))
    services.claim_create(session=session, worker=worker(tree))
    staff_member = community_staff(tree)
    people = [worker(tree) for _ in range(8)]

    results = race(
        [
            lambda p=p: services.claim_record(session=session, worker=p, staff=staff_member)
            for p in people
        ]
    )

    assert sum(isinstance(r, Claim) for r in results) == 1
    assert results.count("volunteering.session_full") == 7
    assert Claim.objects.filter(session=session, status=ClaimStatus.CLAIMED).count() == 2
