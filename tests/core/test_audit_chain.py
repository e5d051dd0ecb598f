"""The audit log: client addresses, rows that never change, and the hash chain that finds a
change made outside the application."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from nuanxin.core.audit import audit_record
from nuanxin.core.audit_chain import audit_check, audit_seal
from nuanxin.core.models import AuditLog
from tests.factories import staff

pytestmark = pytest.mark.django_db


def rows(n: int, actor=None) -> list[AuditLog]:
    return [
        audit_record(actor=actor, action="test.thing", obj=actor, after={"n": i, "b": [1]})
        for i in range(n)
    ]


def later() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=1)


@pytest.fixture
def unguarded():
    """The audit table without its triggers, as someone with database access would have it;
    the test's transaction puts them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditlog_sealed_once")
        else:
            # as a superuser would: no triggers fire in this transaction (it is rolled back)
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield connection


def test_a_change_made_through_a_request_records_the_client_address(client, tree):
    from tests.registry.factories import make_worker

    officer = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    person = make_worker(tree["A1a"])
    client.force_login(officer)

    client.post(
        f"/api/v1/registry/workers/{person.pk}/reveal",
        data={"purpose": "核实身份"},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
    )
    audit_record(actor=officer, action="test.outside", obj=officer)

    assert AuditLog.objects.get(actor=officer, action="worker.reveal").client_ip == "203.0.113.9"
    assert AuditLog.objects.get(action="test.outside").client_ip == ""


def test_rows_are_sealed_into_a_chain_that_checks_clean(tree):
    person = staff(Role.CITY_ADMIN, tree.city)
    rows(5, person)
    total = AuditLog.objects.count()  # the test city's regions were audited too

    assert audit_seal() == 0  # too recent: a transaction might still be writing before them
    assert audit_seal(now=later()) == total
    report = audit_check()

    assert (report.ok, report.sealed, report.unsealed) == (True, total, 0)
    assert report.head == AuditLog.objects.order_by("-id").first().row_hash
    assert audit_seal(now=later()) == 0


def test_the_application_cannot_change_a_row_or_reseal_it(tree):
    [row] = rows(1, staff(Role.CITY_ADMIN, tree.city))
    audit_seal(now=later())

    attempts = [
        lambda: AuditLog.objects.filter(pk=row.pk).update(note="改过"),
        lambda: AuditLog.objects.filter(pk=row.pk).update(row_hash="0" * 64),
    ]
    if connection.vendor == "postgresql":
        attempts.append(lambda: AuditLog.objects.filter(pk=row.pk).delete())
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert audit_check().ok


def test_an_unsealed_row_cannot_change_either(tree):
    [row] = rows(1, staff(Role.CITY_ADMIN, tree.city))

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(action="test.other")


def test_an_edited_row_is_found(tree, unguarded):
    made = rows(4, staff(Role.CITY_ADMIN, tree.city))
    audit_seal(now=later())

    AuditLog.objects.filter(pk=made[1].pk).update(after={"n": 99, "b": [1]})

    problems = audit_check().problems
    assert problems == [f"audit row {made[1].pk} was changed after it was sealed"]


def test_a_removed_row_is_found(tree, unguarded):
    made = rows(4, staff(Role.CITY_ADMIN, tree.city))
    audit_seal(now=later())

    AuditLog.objects.filter(pk=made[2].pk).delete()

    problems = audit_check().problems
    assert len(problems) == 1 and problems[0].startswith(f"audit row {made[3].pk} does not follow")


def test_a_row_slipped_in_between_sealed_ones_is_found(tree, unguarded):
    made = rows(3, staff(Role.CITY_ADMIN, tree.city))
    AuditLog.objects.filter(pk=made[1].pk).delete()  # make room for a forged row
    audit_seal(now=later())
    forged = AuditLog.objects.create(
        id=made[1].pk, action="test.forged", object_type="x", object_id="1"
    )

    problems = audit_check().problems

    assert problems == [f"audit row {forged.pk} sits between sealed rows but is not sealed"]
    with pytest.raises(CommandError, match="audit log altered"):
        call_command("audit", "check")


def test_the_command_seals_and_checks(tree, capsys):
    rows(2, staff(Role.CITY_ADMIN, tree.city))

    call_command("audit", "seal")
    call_command("audit", "check")

    out = capsys.readouterr().out
    assert "sealed 0 audit rows" in out and "audit log intact" in out


def test_the_admin_exports_the_log_of_the_area_and_the_export_is_audited(client, tree):
    inside = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    audit_record(actor=inside, action="test.inside", obj=inside, region_path=tree["A1a"].path)
    audit_record(actor=inside, action="test.outside", obj=inside, region_path=tree["B1a"].path)
    street = staff(Role.STREET_ADMIN, tree["A1"])
    client.force_login(street)
    ids = list(AuditLog.objects.values_list("pk", flat=True))

    response = client.post(
        "/admin/core/auditlog/", {"action": "export_xlsx", "_selected_action": ids}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    actions = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "test.inside" in actions and "test.outside" not in actions
    assert AuditLog.objects.filter(action="core.audit_export", actor=street).exists()
