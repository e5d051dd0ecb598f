"""Every finding outside clients reported against the served demo, replayed as one table.

Each row sends what the probe sent, over the full request stack, and names the answers it must
get now: a clear 4xx with a stable code where it once succeeded, crashed or leaked. After every
row the ledger and the shops reconcile, and the row's own check says nothing changed. The
detailed tests of each rule live with their app; this table is the list as it was reported.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.sms import MemorySmsBackend
from nuanxin.core.models import IdempotencyRecord
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Adjustment, Entry, EntryKind
from nuanxin.reports.models import Report
from nuanxin.store import services as store
from nuanxin.store.checks import store_check
from nuanxin.store.models import Order
from tests.factories import TEST_PASSWORD, UserFactory, staff
from tests.helpers import png_of_size, send
from tests.points.factories import funded_pool, worker_with_points
from tests.registry.factories import make_worker
from tests.reports import factories as reports
from tests.store.factories import keeper_of, make_item, station_at
from tests.volunteering.factories import make_project, only_session, seated

pytestmark = pytest.mark.django_db

ADJUST = "/api/v1/points/adjustments"


@dataclass
class World:
    """The test city with the people the probes acted as."""

    tree: Any
    street: Any  # the street admin of A1 (13800000003 in the demo)
    officer: Any  # community staff of A1a
    worker: Any  # a worker of A1a with points
    outsider: Any  # a worker of B1a, outside the street's reach
    keeper: Any
    station: Any
    item: Any


@pytest.fixture
def world(tree, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "nuanxin.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    person, _account = worker_with_points(tree, 200)
    funded_pool(tree, "A1a", 10_000)
    keeper = keeper_of(tree)
    station = station_at(name="A1a暖新驿站", keepers=[keeper])
    store.shop_open(actor=None, station=station)
    item = make_item(tree, name="电风扇", price=50)
    store.stock_restock(actor=None, station=station, item=item, quantity=5)
    return World(
        tree=tree,
        street=staff(Role.STREET_ADMIN, tree["A1"]),
        officer=staff(Role.COMMUNITY_STAFF, tree["A1a"]),
        worker=person,
        outsider=UserFactory(role=Role.WORKER, region=tree["B1a"]),
        keeper=keeper,
        station=station,
        item=item,
    )


def answer(response) -> tuple[int, str]:
    body = response.json()
    return response.status_code, body["code"] if isinstance(body, dict) else ""


def adjust(client, w: World, actor, worker_id, amount, **headers) -> tuple[int, str]:
    body = {"transfer_id": f"x{amount!r}", "worker_id": worker_id, "amount": amount}
    body["reason"] = "self"
    return answer(send(client, "post", ADJUST, body, user=actor, **headers))


def self_credit(client, w):
    return [adjust(client, w, w.street, w.street.pk, 100)]


def credit_other_staff(client, w):
    return [adjust(client, w, w.street, w.officer.pk, 100)]


def ten_million(client, w):
    return [adjust(client, w, w.officer, w.worker.pk, 10_000_000)]


def large_needs_approval(client, w):
    response = send(
        client,
        "post",
        ADJUST,
        {"transfer_id": "big", "worker_id": w.worker.pk, "amount": 500, "reason": "补贴"},
        user=w.officer,
    )
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    return [(response.status_code, response.json()["status"])]


def huge_amount_twice(client, w):
    return [adjust(client, w, w.officer, w.worker.pk, 4611686018427387904) for _ in range(2)]


def loose_amounts(client, w):
    return [adjust(client, w, w.officer, w.worker.pk, v) for v in (2**63, 1e30, "100", True)]


def staff_order(client, w):
    body = {"station_id": w.station.pk, "item_id": w.item.pk}
    return [answer(send(client, "post", "/api/v1/store/orders", body, user=w.street))]


def keeper_confirms_own_order(client, w):
    order = store.order_create(worker=w.worker, station=w.station, item=w.item)
    w.worker.role = Role.STATION_KEEPER
    w.worker.save(update_fields=["role"])
    w.station.keepers.add(w.worker)
    body = {"station_id": w.station.pk, "code": order.pickup_code}
    response = send(client, "post", "/api/v1/store/staff/pickup/confirm", body, user=w.worker)
    assert Order.objects.get(pk=order.pk).status == "pending"
    return [answer(response)]


def login_replayed(client, w):
    user = UserFactory(phone="13912345678")
    login = {"phone": user.phone, "password": TEST_PASSWORD}
    first = send(client, "post", "/api/v1/auth/login", login, **{"Idempotency-Key": "k"})
    retry = send(client, "post", "/api/v1/auth/login", login, **{"Idempotency-Key": "k"})
    tokens = [first.json()["token"], retry.json()["token"]]
    stored = b"".join(bytes(b) for b in IdempotencyRecord.objects.values_list("body", flat=True))
    assert tokens[0] != tokens[1] and b"nx_" not in stored
    return [(first.status_code, "fresh"), (retry.status_code, "fresh")]


def finding_without_data(client, w):
    from nuanxin.registry import services as registry

    campaign = registry.campaign_create(
        actor=w.street,
        name="三找",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2099, 1, 1),
        target_regions=[w.tree["A1"]],
    )
    url = f"/api/v1/registry/campaigns/{campaign.pk}/findings"
    bodies = [{"kind": "enterprise", "data": {}}, {"kind": "enterprise", "data": {"nope": 1}}]
    return [answer(send(client, "post", url, body, user=w.street)) for body in bodies]


def join_with_empty_code(client, w):
    from nuanxin.registry import services as registry

    registry.worker_self_register(
        user=w.worker, name="小李", occupation="rider", work_region=w.tree["A1a"]
    )
    body = {"community_code": ""}
    return [answer(send(client, "post", "/api/v1/registry/me/join", body, user=w.worker))]


def huge_offsets(client, w):
    client.force_login(w.worker)
    mine = client.get("/api/v1/reports/mine?offset=9223372036854775808")
    client.force_login(w.officer)
    queue = client.get("/api/v1/reports/queue?offset=10000000000000000000")
    return [answer(mine), answer(queue)]


def deep_answers(client, w):
    client.force_login(w.worker)
    deep = "[" * 100_000 + "]" * 100_000
    body = {"category": reports.category().code, "lon": "110.05", "lat": "21.05"}
    response = client.post("/api/v1/reports/", {**body, "description": "堵住了", "answers": deep})
    assert not Report.objects.exists()
    return [answer(response)]


def dates_out_of_range(client, w):
    client.force_login(w.street)
    url = "/api/v1/volunteering/staff/stats/streets?since=0001-01-01&until=9999-12-31"
    return [answer(client.get(url))]


def admin_grants_county_admin(client, w):
    client.force_login(w.street)
    form = {"phone": "13700001111", "name": "x", "role": "county_admin", "region": w.tree["A"].pk}
    response = client.post("/admin/accounts/user/add/", form)
    assert "errornote" in response.content.decode()
    assert not User.objects.filter(phone="13700001111").exists()
    return [(response.status_code, "form_error")]


def control_character_then_export(client, w):
    body = {"extra_services": ["义诊\u0001"]}
    saved = send(client, "patch", f"/api/v1/stations/{w.station.pk}", body, user=w.keeper)
    client.force_login(staff(Role.CITY_ADMIN, w.tree.city))
    export = client.get("/api/v1/stations/export")
    return [answer(saved), (export.status_code, "xlsx")]


def unhandled_error_is_json(client, w, monkeypatch):
    from nuanxin.points import api as points_api

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(points_api, "balance_of", broken)
    client.force_login(w.worker)
    client.raise_request_exception = False
    response = client.get("/api/v1/points/balance")
    assert response["Content-Type"].startswith("application/json")
    assert "a bug" not in response.content.decode()
    return [answer(response)]


def bomb_pictures(client, w):
    bomb = png_of_size(12000, 12000)
    client.force_login(w.keeper)
    photo = client.post(
        f"/api/v1/stations/{w.station.pk}/photos",
        {"image": SimpleUploadedFile("p.png", bomb, "image/png")},
    )
    client.force_login(staff(Role.CITY_ADMIN, w.tree.city))
    picture = client.post(
        f"/api/v1/store/staff/items/{w.item.pk}/picture",
        {"picture": SimpleUploadedFile("p.png", bomb, "image/png")},
    )
    return [answer(photo), answer(picture)]


def same_as_missing(client, actor, url_of: Callable[[int], str], present: int, absent: int):
    client.force_login(actor)
    there, gone = client.get(url_of(present)), client.get(url_of(absent))
    assert there.json() == gone.json(), (there.json(), gone.json())
    assert "region" not in json.dumps(there.json())
    return [answer(there), answer(gone)]


def out_of_area_worker(client, w):
    far = make_worker(w.tree["B1a"])
    return same_as_missing(
        client, w.street, lambda pk: f"/api/v1/registry/workers/{pk}", far.pk, far.pk + 10_000
    )


def out_of_area_report(client, w):
    far = reports.submitted(w.tree, reporter=w.outsider, point=(110.25, 21.05))
    return same_as_missing(client, w.street, lambda pk: f"/api/v1/reports/{pk}", far.pk, 10**9)


def withdraw_someone_elses_claim(client, w):
    claim = seated(w.tree, only_session(make_project(w.tree)))
    url = f"/api/v1/volunteering/claims/{claim.pk}/withdraw"
    theirs = send(client, "post", url, {}, user=w.worker)
    missing = send(client, "post", "/api/v1/volunteering/claims/999999/withdraw", {})
    claim.refresh_from_db()
    assert claim.status == "claimed" and theirs.json() == missing.json()
    return [answer(theirs)]


def reveal_without_purpose_and_in_bulk(client, w, settings):
    settings.REVEALS_PER_HOUR = 3
    people = [make_worker(w.tree["A1a"]) for _ in range(5)]
    url = "/api/v1/registry/workers/{}/reveal"
    bare = send(client, "post", url.format(people[0].pk), {"purpose": " "}, user=w.street)
    answers = [
        send(client, "post", url.format(p.pk), {"purpose": "核实身份"}, user=w.street)
        for p in people
    ]
    assert "Retry-After" in answers[-1]
    return [answer(bare), *[(a.status_code, a.json().get("code", "ok")) for a in answers]]


def duplicate_of_out_of_area_original(client, w):
    mine = reports.submitted(w.tree, reporter=w.worker)
    far = reports.submitted(w.tree, reporter=w.outsider, point=(110.25, 21.05))
    url = f"/api/v1/reports/{mine.pk}/duplicate"
    hidden = send(client, "post", url, {"original": far.pk}, user=w.street)
    gone = send(client, "post", url, {"original": 10**9})
    far.refresh_from_db()
    assert hidden.json() == gone.json() and far.support_count == 0
    return [answer(hidden)]


def password_guessing(client, w, settings):
    user = UserFactory(phone="13912340000")
    wrong = {"phone": user.phone, "password": "not-it"}
    answers = [send(client, "post", "/api/v1/auth/login", wrong) for _ in range(30)]
    right = send(client, "post", "/api/v1/auth/login", {**wrong, "password": TEST_PASSWORD})
    refused = {answer(a) for a in answers[settings.LOGIN_FAILURE_LIMIT :]}
    assert "Retry-After" in right
    return [answer(answers[0]), *sorted(refused), answer(right)]


def sms_bombing(client, w, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            send(client, "post", "/api/v1/auth/sms/send", {"phone": f"139{n:08d}"})
            for n in range(30)
        ]
    sent = [a for a in answers if a.status_code == 200]
    assert len(MemorySmsBackend.outbox) == len(sent) == settings.SMS_CLIENT_LIMIT_PER_MINUTE
    assert all("Retry-After" in a for a in answers if a.status_code == 429)
    return sorted({answer(a) for a in answers if a.status_code != 200})


FINDINGS = [
    ("a street admin credits 100 points to their own account", self_credit,
     [(403, "points.self_adjustment")]),
    ("a street admin credits another staff member", credit_other_staff,
     [(403, "points.not_a_worker")]),
    ("community staff credit +10,000,000 in one call", ten_million,
     [(400, "points.adjustment_too_large")]),
    ("a large adjustment posts without a second approver", large_needs_approval,
     [(200, "pending")]),
    ("amount 4611686018427387904 twice", huge_amount_twice,
     [(422, "validation_error")] * 2),
    ("amount 2^63, 1e30, \"100\", true", loose_amounts, [(422, "validation_error")] * 4),
    ("a street admin orders in the shop", staff_order, [(403, "store.workers_only")]),
    ("a keeper confirms their own pickup", keeper_confirms_own_order,
     [(403, "store.own_order")]),
    ("the login answer is replayed from the Idempotency-Key store", login_replayed,
     [(200, "fresh"), (200, "fresh")]),
    ("a finding with empty or unknown data", finding_without_data,
     [(422, "validation_error")] * 2),
    ("a registered worker joins with an empty community code", join_with_empty_code,
     [(400, "registry.required")]),
    ("offsets beyond 64 bits", huge_offsets, [(422, "validation_error")] * 2),
    ("report answers nested 100,000 deep", deep_answers, [(413, "request.too_large")]),
    ("stats from 0001-01-01 to 9999-12-31", dates_out_of_range, [(422, "validation_error")]),
    ("a street admin grants county_admin in the admin", admin_grants_county_admin,
     [(200, "form_error")]),
    ("a keeper saves a control character, then the export", control_character_then_export,
     [(400, "request.invalid_character"), (200, "xlsx")]),
    ("an unhandled error under /api/v1/", unhandled_error_is_json, [(500, "server_error")]),
    ("a 12000 x 12000 PNG as station photo and item picture", bomb_pictures,
     [(400, "images.too_many_pixels")] * 2),
    ("an out-of-area worker by id", out_of_area_worker,
     [(404, "registry.worker_not_found")] * 2),
    ("an out-of-area report by id", out_of_area_report, [(404, "reports.not_found")] * 2),
    ("withdrawing another worker's claim", withdraw_someone_elses_claim,
     [(404, "volunteering.claim_not_found")]),
    ("revealing numbers with no purpose, 30 in a minute", reveal_without_purpose_and_in_bulk,
     [(400, "registry.purpose_required"), *[(200, "ok")] * 3,
      *[(429, "reveal.rate_limited")] * 2]),
    ("marking a duplicate of an out-of-area report", duplicate_of_out_of_area_original,
     [(404, "reports.not_found")]),
    ("30 wrong passwords, then the right one", password_guessing,
     [(401, "accounts.bad_credentials"), (429, "accounts.locked_out"),
      (429, "accounts.locked_out")]),
    ("SMS codes to 30 phones from one client in a second", sms_bombing,
     [(429, "accounts.sms_client_limit")]),
]  # fmt: skip


@pytest.mark.parametrize(("finding", "replay", "expected"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_every_finding_now_gets_a_clear_answer_and_changes_nothing(
    client, world, finding, replay, expected, request
):
    extra = {
        name: request.getfixturevalue(name)
        for name in replay.__code__.co_varnames[2 : replay.__code__.co_argcount]
    }

    assert replay(client, world, **extra) == expected, finding
    assert ledger_check().problems == []
    assert store_check().problems == []
    assert (
        not Adjustment.objects.exclude(status="pending")
        .filter(requested_by__in=[world.street, world.officer], amount__gt=1_000)
        .exists()
    )
