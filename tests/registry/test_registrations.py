import threading

import pytest
from django.db import connection

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError
from nuanxin.registry.models import Registration
from nuanxin.registry.selectors import counts_for
from nuanxin.registry.services import (
    registration_accept,
    registration_reject,
    registration_submit,
    registration_withdraw,
)
from tests.factories import UserFactory, staff
from tests.helpers import error_code, race
from tests.registry.factories import build_city, make_enterprise, make_worker


@pytest.mark.django_db
def test_registration__accepted_ones_count_up_the_tree(city):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])
    enterprise = make_enterprise(city["haisheng"])
    worker = make_worker(city["haisheng"])

    for subject in ({"enterprise": enterprise}, {"worker": worker}):
        registration = registration_submit(community=city["haisheng"], actor=None, **subject)
        registration_accept(registration=registration, reviewer=clerk)
    pending = registration_submit(
        community=city["haisheng"], actor=None, worker=make_worker(city["haisheng"])
    )

    counts = counts_for([city["haisheng"], city["potou"], city["xiashan"]])
    assert pending.status == "submitted"
    assert counts[city["potou"].pk].registered_enterprises == 1
    assert counts[city["potou"].pk].registered_workers == 1
    assert counts[city["xiashan"].pk].registered_workers == 0


@pytest.mark.django_db
def test_registration__only_to_a_community(city):
    worker = make_worker(city["haisheng"])

    code = error_code(
        lambda: registration_submit(community=city["nandiao"], actor=None, worker=worker)
    )

    assert code == "registry.not_a_community"


@pytest.mark.django_db
def test_registration__one_open_registration_per_subject_until_withdrawn(city):
    worker = make_worker(city["haisheng"])
    first = registration_submit(community=city["haisheng"], actor=None, worker=worker)

    again = error_code(lambda: registration_submit(
        community=city["nandiao_c"], actor=None, worker=worker
    ))  # fmt: skip
    registration_withdraw(registration=first, actor=None)
    moved = registration_submit(community=city["nandiao_c"], actor=None, worker=worker)

    assert again == "registry.already_registered"
    assert moved.status == "submitted"
    assert Registration.objects.get(pk=first.pk).status == "withdrawn"


@pytest.mark.django_db
def test_registration__community_staff_of_the_next_community_finds_no_such_registration(city):
    registration = registration_submit(
        community=city["haisheng"], actor=None, worker=make_worker(city["haisheng"])
    )
    neighbour = staff(Role.COMMUNITY_STAFF, city["nandiao_c"])

    code = error_code(lambda: registration_accept(registration=registration, reviewer=neighbour))

    assert code == "registry.registration_not_found"
    assert Registration.objects.get(pk=registration.pk).status == "submitted"


@pytest.mark.django_db
def test_registration__reject_needs_a_reason_and_cannot_be_decided_twice(city):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])
    registration = registration_submit(
        community=city["haisheng"], actor=None, worker=make_worker(city["haisheng"])
    )

    no_reason = error_code(lambda: registration_reject(
        registration=registration, reviewer=clerk, reason=" "
    ))  # fmt: skip
    registration_reject(registration=registration, reviewer=clerk, reason="不在本社区工作")
    twice = error_code(lambda: registration_accept(registration=registration, reviewer=clerk))

    registration.refresh_from_db()
    assert (no_reason, twice) == ("registry.reason_required", "registry.registration_not_pending")
    assert (registration.status, registration.decision_reason) == ("rejected", "不在本社区工作")


@pytest.mark.django_db
def test_registration__a_worker_registers_only_themself_and_others_are_not_found(city):
    account = UserFactory(role=Role.WORKER, phone="13900007777")
    own = make_worker(city["haisheng"], phone="13900007777")
    someone_else = make_worker(city["haisheng"])

    mine = registration_submit(community=city["haisheng"], actor=account, worker=own)
    theirs = error_code(lambda: registration_submit(
        community=city["haisheng"], actor=account, worker=someone_else
    ))  # fmt: skip
    accept_own = error_code(lambda: registration_submit(
        community=city["nandiao_c"], actor=account, enterprise=make_enterprise(city["haisheng"]),
    ))  # fmt: skip

    assert mine.status == "submitted"
    assert theirs == "registry.worker_not_found"
    assert accept_own == "registry.enterprise_not_found"


@pytest.mark.django_db
def test_registration__staff_may_register_and_accept_at_once_in_their_community(city):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])

    registration = registration_submit(
        community=city["haisheng"], actor=clerk, worker=make_worker(city["haisheng"]),
        channel="staff", accept_now=True,
    )  # fmt: skip
    outside = error_code(lambda: registration_submit(
        community=city["nandiao_c"], actor=clerk, worker=make_worker(city["haisheng"]),
        accept_now=True,
    ))  # fmt: skip

    assert (registration.status, registration.decided_by) == ("accepted", clerk)
    assert outside == "auth.out_of_jurisdiction"


@pytest.mark.django_db(transaction=True)
def test_registration__two_simultaneous_submissions_leave_one_open_registration():
    city = build_city()
    worker = make_worker(city["haisheng"])
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit(community) -> None:
        try:
            barrier.wait()
            registration_submit(community=community, actor=None, worker=worker)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(city[k],)) for k in ("haisheng", "nandiao_c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "registry.already_registered"]
    assert Registration.objects.filter(worker=worker).count() == 1


@pytest.mark.django_db
def test_registration__the_worker_is_told_the_decision(city, django_capture_on_commit_callbacks):
    from nuanxin.core.models import Notification

    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])
    person = UserFactory()
    accepted = make_worker(city["haisheng"], phone=person.phone)
    refused = make_worker(city["haisheng"])
    with django_capture_on_commit_callbacks(execute=True):
        registration_accept(
            registration=registration_submit(
                community=city["haisheng"], actor=person, worker=accepted
            ),
            reviewer=clerk,
        )
        registration_reject(
            registration=registration_submit(
                community=city["haisheng"], actor=clerk, worker=refused
            ),
            reviewer=clerk,
            reason="证件信息不全",
        )

    note = Notification.objects.get(user=person)
    assert note.kind == "registry.accepted" and "报到已通过" in note.title
    rejected = Notification.objects.get(user=clerk)
    assert rejected.kind == "registry.rejected" and "证件信息不全" in rejected.body


@pytest.mark.django_db(transaction=True)
def test_registration__eight_submissions_at_once_leave_one_open_registration():
    city = build_city()
    worker = make_worker(city["haisheng"])
    communities = [city[k] for k in ("haisheng", "nandiao_c", "potou_c", "guanhai_xs")] * 2

    results = race(
        [
            lambda c=c: registration_submit(community=c, actor=None, worker=worker).status
            for c in communities
        ]
    )

    assert sorted(results) == ["registry.already_registered"] * 7 + ["submitted"]
    assert Registration.objects.filter(worker=worker).count() == 1
