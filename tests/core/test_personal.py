"""A worker downloads everything held about them (JSON, .xlsx) and erases their account: the
person is gone, the ledger and every count stay exact."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum

from nuanxin.accounts.models import Role, User
from nuanxin.core.models import AuditLog
from nuanxin.points.models import Account, Entry
from nuanxin.registry.models import PARTY_STATUSES, Worker
from nuanxin.reports.models import Report
from nuanxin.stations.models import Visit
from nuanxin.store.models import Order
from nuanxin.volunteering.models import Attendance

pytestmark = pytest.mark.django_db


def _busy_worker() -> User:
    """A demo worker with a ledger record, an ID number, points, and reports or visits."""
    return (
        User.objects.filter(role=Role.WORKER, registry_worker__id_number_hash__isnull=False,
                            points_account__posted__gt=0)
        .annotate(n=Count("reports", distinct=True) + Count("station_visits", distinct=True))
        .order_by("-n", "pk")
        .first()
    )  # fmt: skip


def _figures() -> dict:
    return {
        "reports": Report.objects.count(),
        "reports_accepted_points": Report.objects.aggregate(s=Sum("points_awarded"))["s"],
        "visits": Visit.objects.count(),
        "entries": Entry.objects.aggregate(n=Count("id"), s=Sum("amount")),
        "balances": list(Account.objects.order_by("pk").values_list("posted", "held")),
        "orders": dict(Order.objects.values_list("status").annotate(n=Count("id"))),
        "workers": Worker.objects.count(),
        "party_members": Worker.objects.filter(political_status__in=PARTY_STATUSES).count(),
        "by_occupation": dict(Worker.objects.values_list("occupation").annotate(n=Count("id"))),
        "hours": Attendance.objects.aggregate(s=Sum("hours_verified"))["s"],
    }


def _checks_clean() -> None:
    for command in (["points", "check"], ["store", "check"], ["audit", "check"]):
        call_command(*command, stdout=io.StringIO(), stderr=io.StringIO())


def test_my_data__json_and_xlsx_hold_the_full_record_and_are_audited(demo_city, client):
    user = _busy_worker()
    worker = user.registry_worker
    client.force_login(user)

    as_json = client.get("/accounts/profile/my-data.json")
    as_xlsx = client.get("/accounts/profile/my-data.xlsx")

    assert as_json.status_code == 200 and as_json["Cache-Control"] == "no-store"
    data = json.loads(as_json.content)["tables"]
    assert data["account"]["rows"][0]["phone"] == user.phone
    assert data["worker"]["rows"][0]["id_number"] == worker.id_number
    assert (
        len(data["points_entries"]["rows"])
        == Entry.objects.filter(
            Q(debit=user.points_account) | Q(credit=user.points_account)
        ).count()
    )
    assert len(data["reports"]["rows"]) == user.reports.count()
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    cells = {c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row}  # fmt: skip
    assert worker.id_number in cells and user.phone in cells
    assert AuditLog.objects.filter(action="personal.export", object_id=str(user.pk)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_erase__forgets_the_person_and_keeps_ledger_and_counts_exact(demo_city, client):
    user = _busy_worker()
    phone, number, name = user.phone, user.registry_worker.id_number, user.registry_worker.name
    before = _figures()
    client.force_login(user)

    refused = client.post("/accounts/profile/erase/", {"confirm": "好的"})
    assert refused.status_code == 400 and User.objects.get(pk=user.pk).phone == phone
    done = client.post("/accounts/profile/erase/", {"confirm": "注销"})

    assert done.status_code == 302
    user.refresh_from_db()
    worker = Worker.objects.get(user=user)
    assert (user.name, user.is_active, user.has_usable_password()) == ("", False, False)
    assert user.phone != phone and worker.phone == user.phone and worker.id_number is None
    assert worker.name != name and not user.api_tokens.exists()
    assert _figures() == before
    _checks_clean()
    assert client.get("/accounts/profile/").status_code == 302  # logged out
    connection.ensure_connection()
    dump = "\n".join(connection.connection.iterdump()) if connection.vendor == "sqlite" else ""
    if dump:
        assert phone not in dump and number not in dump


def test_erase__staff_cannot_erase_themselves(demo_city, client):
    staff = User.objects.exclude(role=Role.WORKER).filter(is_active=True).first()
    client.force_login(staff)

    response = client.post("/accounts/profile/erase/", {"confirm": "注销"})

    assert response.status_code == 400 and "不能自行注销" in response.content.decode()
    assert User.objects.get(pk=staff.pk).is_active
