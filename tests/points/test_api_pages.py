import json

import pytest

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.points import services
from nuanxin.points.models import Entry, EntryKind
from tests.factories import staff
from tests.points.factories import funded_pool, tid, worker, worker_with_points

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_balance_and_history_api_for_the_worker(client, tree):
    person, account = worker_with_points(tree, 100)
    services.transfer(
        transfer_id=tid(),
        debit=account,
        credit=services.shop_sink(),
        amount=30,
        reason="store.redemption",
    )
    client.force_login(person)

    balance = client.get("/api/v1/points/balance").json()
    history = client.get("/api/v1/points/history").json()

    assert balance == {"available": 70, "held": 0, "posted": 70}
    assert [(h["amount"], h["reason_label"]) for h in history] == [
        (-30, "积分兑换"),
        (100, "随手拍审核通过"),
    ]


def test_history_pages_with_before(client, tree):
    person, account = worker_with_points(tree, 100)
    for _ in range(3):
        services.transfer(
            transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=1, reason="a.b"
        )
    client.force_login(person)

    first = client.get("/api/v1/points/history?limit=2").json()
    rest = client.get(f"/api/v1/points/history?limit=2&before={first[-1]['id']}").json()

    assert len(first) == 2 and len(rest) == 2
    assert rest[0]["id"] < first[-1]["id"]


def test_points_api_needs_a_login(client):
    response = client.get("/api/v1/points/balance")

    assert response.status_code == 401 and response.json()["code"] == "auth.unauthenticated"


def test_pools_are_scoped_to_the_jurisdiction(client, tree):
    funded_pool(tree, "A1a", 500)
    funded_pool(tree, "B1a", 300)
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))

    pools = client.get("/api/v1/points/pools").json()

    assert [(p["region_name"], p["available"], p["received"]) for p in pools] == [
        ("A1a社区", 500, 500)
    ]


def test_workers_cannot_list_pools(client, tree):
    client.force_login(worker(tree))

    response = client.get("/api/v1/points/pools")

    assert response.status_code == 403 and response.json()["code"] == "auth.staff_only"


def test_accounts_list_shows_workers_and_pools_in_the_jurisdiction(client, tree):
    inside, _ = worker_with_points(tree, 10, "A1a")
    outside, _ = worker_with_points(tree, 10, "B1a")
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    keys = {a["account"] for a in client.get("/api/v1/points/accounts").json()}

    assert f"worker:{inside.pk}" in keys and f"pool:{tree['A1a'].pk}" in keys
    assert f"worker:{outside.pk}" not in keys and f"pool:{tree['B1a'].pk}" not in keys


def test_adjustment_api_goes_through_the_service_and_a_retry_adjusts_once(client, tree):
    person, account = worker_with_points(tree, 10)
    funded_pool(tree, "A1a", 100)
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(officer)
    body = {"transfer_id": "adj-1", "worker_id": person.pk, "amount": 5, "reason": "补发"}

    first = post(client, "/api/v1/points/adjustments", body, **{"Idempotency-Key": "k1"})
    again = post(client, "/api/v1/points/adjustments", body, **{"Idempotency-Key": "k1"})
    same_id = post(client, "/api/v1/points/adjustments", body)

    assert first.status_code == 200
    assert (first.json()["status"], first.json()["amount"]) == ("posted", 5)
    assert again.json() == first.json() == same_id.json()
    account.refresh_from_db()
    assert account.posted == 15
    assert Entry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1
    assert AuditLog.objects.filter(action="points.manual_adjust", actor=officer).count() == 1


def test_adjustment_api_refuses_a_blank_reason_and_the_next_community(client, tree):
    person = worker(tree, "A1b")
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    blank = post(
        client,
        "/api/v1/points/adjustments",
        {"transfer_id": "a1", "worker_id": worker(tree, "A1a").pk, "amount": 5, "reason": " "},
    )
    outside = post(
        client,
        "/api/v1/points/adjustments",
        {"transfer_id": "a2", "worker_id": person.pk, "amount": 5, "reason": "x"},
    )

    missing = post(
        client,
        "/api/v1/points/adjustments",
        {"transfer_id": "a3", "worker_id": person.pk + 1000, "amount": 5, "reason": "x"},
    )

    assert blank.status_code == 400 and blank.json()["code"] == "points.reason_required"
    # A worker outside the area answers exactly like one who does not exist.
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert outside.json()["code"] == "points.unknown_worker"
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


@pytest.mark.parametrize("amount", ["100", True, 1.5, 2**62, 2**63, 1e30, None])
def test_adjustment_amounts_are_strict_bounded_json_integers(client, tree, amount):
    person = worker(tree, "A1a")
    funded_pool(tree, "A1a", 1_000)
    client.force_login(staff(Role.COMMUNITY_STAFF, tree["A1a"]))

    response = post(
        client,
        "/api/v1/points/adjustments",
        {"transfer_id": "s1", "worker_id": person.pk, "amount": amount, "reason": "x"},
    )

    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_adjustment_api_lists_and_decides_pending_adjustments_in_scope(client, tree, settings):
    settings.POINTS_ADJUSTMENT_APPROVAL_ABOVE = 100
    person = worker(tree, "A1a")
    funded_pool(tree, "A1a", 1_000)
    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    client.force_login(officer)
    made = post(
        client,
        "/api/v1/points/adjustments",
        {"transfer_id": "big", "worker_id": person.pk, "amount": 400, "reason": "补贴"},
    ).json()
    url = f"/api/v1/points/adjustments/{made['id']}"

    assert made["status"] == "pending" and made["entry_transfer_id"] is None
    own = post(client, f"{url}/approve", {})
    assert own.status_code == 403 and own.json()["code"] == "points.approver_is_requester"

    client.force_login(staff(Role.STREET_ADMIN, tree["B1"]))
    hidden = post(client, f"{url}/approve", {})
    gone = post(
        client, "/api/v1/points/adjustments/00000000-0000-0000-0000-000000000000/approve", {}
    )
    assert hidden.status_code == gone.status_code == 404
    assert hidden.json() == gone.json()
    assert client.get("/api/v1/points/adjustments").json() == []

    client.force_login(staff(Role.STREET_ADMIN, tree["A1"]))
    listed = client.get("/api/v1/points/adjustments?status=pending").json()
    approved = post(client, f"{url}/approve", {"note": "同意"})

    assert [a["id"] for a in listed] == [made["id"]]
    assert approved.status_code == 200 and approved.json()["status"] == "posted"
    assert services.worker_account(person).posted == 400


def test_my_points_page_shows_balance_and_history_in_chinese(client, tree):
    person, account = worker_with_points(tree, 100)
    services.hold(
        transfer_id=tid(),
        debit=account,
        credit=services.shop_sink(),
        amount=40,
        reason="store.redemption",
    )
    client.force_login(person)

    html = client.get("/points/").content.decode()

    assert "我的积分" in html and "随手拍审核通过" in html
    assert 'data-testid="available">60<' in html
    assert "冻结中 40" in html and "积分兑换" in html


def test_history_partial_loads_older_lines(client, tree):
    person, account = worker_with_points(tree, 100)
    for _ in range(25):
        services.transfer(
            transfer_id=tid(), debit=account, credit=services.shop_sink(), amount=1, reason="a.b"
        )
    earned = Entry.objects.get(credit=account, kind=EntryKind.EARN)
    client.force_login(person)

    page = client.get("/points/").content.decode()
    up_to_earn = client.get(f"/points/history/?before={earned.pk + 1}").content.decode()
    before_earn = client.get(f"/points/history/?before={earned.pk}").content.decode()

    assert "加载更多" in page and "随手拍审核通过" not in page
    assert "随手拍审核通过" in up_to_earn and "+100" in up_to_earn
    assert "<li" not in before_earn


def test_points_page_needs_a_login(client):
    assert client.get("/points/").status_code == 302
