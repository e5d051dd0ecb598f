"""Full phone and ID numbers: shown only with a stated purpose, audited with it, and at most
``REVEALS_PER_HOUR`` times an hour per staff member, whichever detail view shows them."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.core.reveals import REVEAL_ACTIONS
from nuanxin.registry.services import worker_reveal
from nuanxin.reports.services import reporter_reveal
from tests.factories import staff
from tests.helpers import Clock, race, send
from tests.registry.factories import make_worker
from tests.reports import factories as reports

NOON = timezone.make_aware(dt.datetime(2031, 3, 3, 12, 0))


def _reveals(user) -> list[str]:
    rows = AuditLog.objects.filter(actor=user, action__in=REVEAL_ACTIONS).order_by("id")
    return list(rows.values_list("note", flat=True))


@pytest.mark.django_db
def test_worker_reveal_over_the_api_needs_a_stated_purpose(client, tree):
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    person = make_worker(tree["A1a"], phone="13800001234")
    url = f"/api/v1/registry/workers/{person.pk}/reveal"

    no_body = send(client, "post", url, user=clerk)
    blank = send(client, "post", url, {"purpose": "  "})
    stated = send(client, "post", url, {"purpose": "核实报到信息"})

    assert no_body.status_code == 422
    assert (blank.status_code, blank.json()["code"]) == (400, "registry.purpose_required")
    assert stated.status_code == 200 and stated.json()["phone"] == "13800001234"
    assert _reveals(clerk) == ["核实报到信息"]


@pytest.mark.django_db
def test_a_worker_sees_their_own_numbers_without_a_purpose_or_budget(tree, settings):
    settings.REVEALS_PER_HOUR = 0
    account = reports.worker(tree, phone="13800001235")
    person = make_worker(tree["A1a"], phone="13800001235")
    assert person.user == account

    numbers = worker_reveal(worker=person, actor=account)

    assert numbers["phone"] == "13800001235"
    assert len(_reveals(account)) == 1


@pytest.mark.django_db
def test_reveals_share_one_hourly_budget_per_staff_member(client, tree, settings, monkeypatch):
    settings.REVEALS_PER_HOUR = 3
    clock = Clock(monkeypatch, NOON)
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    colleague = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    people = [make_worker(tree["A1a"]) for _ in range(3)]
    report = reports.submitted(tree)

    worker_reveal(worker=people[0], actor=clerk, purpose="核实")
    clock.advance(minutes=10)
    worker_reveal(worker=people[1], actor=clerk, purpose="核实")
    reporter_reveal(report=report, viewer=clerk, purpose="回访")
    clock.advance(minutes=10)
    client.force_login(clerk)
    refused = send(
        client, "post", f"/api/v1/registry/workers/{people[2].pk}/reveal", {"purpose": "核实"}
    )
    refused_report = send(
        client, "post", f"/api/v1/reports/{report.pk}/reporter", {"purpose": "回访"}
    )
    others = worker_reveal(worker=people[2], actor=colleague, purpose="核实")
    clock.advance(minutes=40, seconds=1)
    again = worker_reveal(worker=people[2], actor=clerk, purpose="核实")

    assert refused.status_code == 429
    assert refused.json() == {
        "code": "reveal.rate_limited",
        "message": "查看完整号码过于频繁（每小时最多 3 次），请稍后再试。",
        "extra": {"limit": 3, "retry_after_seconds": 2400},
    }
    assert refused["Retry-After"] == "2400"
    assert refused_report.status_code == 429 and refused_report["Retry-After"] == "2400"
    assert others["phone"] == people[2].phone and again["phone"] == people[2].phone
    assert _reveals(clerk) == ["核实", "核实", "回访", "核实"]


@pytest.mark.django_db
def test_the_worker_page_refuses_past_the_budget_with_retry_after(client, tree, settings):
    settings.REVEALS_PER_HOUR = 1
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    first, second = make_worker(tree["A1a"]), make_worker(tree["A1a"], phone="13800007777")
    client.force_login(clerk)

    client.post(f"/registry/workers/{first.pk}/", {"reveal": "1", "purpose": "核实"})
    refused = client.post(f"/registry/workers/{second.pk}/", {"reveal": "1", "purpose": "核实"})

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3500
    assert 'data-code="reveal.rate_limited"' in refused.content.decode()
    assert "13800007777" not in refused.content.decode()
    assert len(_reveals(clerk)) == 1


@pytest.mark.django_db(transaction=True)
def test_eight_reveals_racing_for_the_last_two_of_the_hour(tree, settings):
    settings.REVEALS_PER_HOUR = 5
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    people = [make_worker(tree["A1a"]) for _ in range(11)]
    for person in people[:3]:
        worker_reveal(worker=person, actor=clerk, purpose="核实")

    results = race(
        [
            lambda p=p: worker_reveal(worker=p, actor=clerk, purpose="核实")["phone"]
            for p in people[3:]
        ]
    )

    assert results.count("reveal.rate_limited") == 6
    assert sum(r in {p.phone for p in people} for r in results) == 2
    assert len(_reveals(clerk)) == 5
