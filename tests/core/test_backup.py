"""`nuanxin backup` / `nuanxin restore`: a round trip of the demo city gives back every row, and
the ledger, the shops and the audit chain check clean afterwards."""

import io

import pytest
from django.core.management import CommandError, call_command

from nuanxin.core.backup import table_counts
from nuanxin.registry.models import Worker
from nuanxin.registry.services import worker_create


def _checks_clean() -> None:
    for command in (["points", "check"], ["store", "check"], ["audit", "check"]):
        call_command(*command, stdout=io.StringIO(), stderr=io.StringIO())  # raises on mismatch


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore__gives_back_every_row_and_checks_clean(demo_city, tmp_path):
    before = table_counts()
    backup = tmp_path / "city.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    some = Worker.objects.select_related("region").first()
    worker_create(
        actor=None, name="新来的", phone="13999999999", occupation="rider",
        work_region=some.region,
    )  # fmt: skip
    assert table_counts() != before

    call_command("restore", str(backup), stdout=(out := io.StringIO()))

    assert table_counts() == before
    assert not Worker.objects.filter(phone="13999999999").exists()
    assert "restored" in out.getvalue()
    _checks_clean()


@pytest.mark.django_db
def test_restore__refuses_a_file_that_is_no_backup(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database at all")

    with pytest.raises(CommandError, match="not a nuanxin backup"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing"))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore__a_small_registry_round_trips_with_sealed_numbers(tmp_path):
    """Quick on both engines: sealed ID numbers and their hashes come back and still open."""
    from tests.registry.factories import build_city, id_number, make_worker

    city = build_city()
    numbers = [id_number() for _ in range(3)]
    for i, number in enumerate(numbers):
        make_worker(city["haisheng"], id_number=number, phone=f"1390000{i:04d}")
    before = table_counts()
    backup = tmp_path / "small.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    Worker.objects.filter(phone="13900000000").update(name="改过")

    call_command("restore", str(backup), stdout=io.StringIO())

    assert table_counts() == before
    assert sorted(Worker.objects.values_list("id_number", flat=True)) == sorted(numbers)
    assert not Worker.objects.filter(name="改过").exists()
    _checks_clean()
