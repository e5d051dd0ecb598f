"""Personal data at rest: ID numbers sealed (AES-GCM or SM4-GCM), found by a keyed hash, re-sealed
by `nuanxin rotate-keys`, and absent in clear from a dump of the whole database."""

import base64
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from nuanxin.core import crypto
from nuanxin.core.models import AuditLog
from nuanxin.registry.importing.engine import registry_import, rows_workbook
from nuanxin.registry.models import Worker, id_number_key
from tests.registry.factories import build_city, id_number, make_worker

KEY_1 = "k1:" + base64.b64encode(b"1" * 32).decode()
KEY_2 = "k2:" + base64.b64encode(b"2" * 32).decode()
HASH_KEY = base64.b64encode(b"h" * 32).decode()


def _raw_id_numbers() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number FROM registry_worker WHERE id_number IS NOT NULL")
        return dict(cursor.fetchall())


@pytest.mark.parametrize("cipher", ["aes-gcm", "sm4-gcm"])
def test_seal__round_trips_and_names_its_cipher_and_key(settings, cipher):
    settings.PII_CIPHER = cipher
    sealed = crypto.seal("440804199001010012", purpose="t.col")

    assert crypto.unseal(sealed, purpose="t.col") == "440804199001010012"
    assert crypto.sealed_with(sealed) == (crypto.CIPHERS[cipher], "dev")
    assert "440804199001010012" not in sealed
    assert crypto.seal("x", purpose="t.col") != crypto.seal("x", purpose="t.col")


def test_unseal__refuses_altered_values_and_other_columns(settings):
    sealed = crypto.seal("440804199001010012", purpose="t.col")
    head, body = sealed.rsplit(":", 1)
    flipped = head + ":" + ("B" if body[5] != "B" else "C").join([body[:5], body[6:]])

    with pytest.raises(crypto.SealError):
        crypto.unseal(flipped, purpose="t.col")
    with pytest.raises(crypto.SealError):
        crypto.unseal(sealed, purpose="t.other")


def test_blind_index__is_keyed_and_stable(settings):
    one = crypto.blind_index("440804199001010012", purpose="t.col")
    settings.PII_KEYS, settings.PII_HASH_KEY = KEY_1, HASH_KEY

    assert crypto.blind_index("440804199001010012", purpose="t.col") != one
    assert crypto.blind_index("440804199001010012", purpose="t.col") == crypto.blind_index(
        "440804199001010012", purpose="t.col"
    )
    assert len(one) == 64 and crypto.blind_index("", purpose="t.col") is None


@pytest.mark.parametrize(
    ("keys", "hash_key", "cipher"),
    [
        ("k1:notbase64!", HASH_KEY, "aes-gcm"),
        ("k1:" + base64.b64encode(b"short").decode(), HASH_KEY, "aes-gcm"),
        (KEY_1, "", "aes-gcm"),
        (KEY_1, HASH_KEY, "des"),
        (f"{KEY_1},{KEY_1}", HASH_KEY, "aes-gcm"),
        ("dev:" + base64.b64encode(b"1" * 32).decode(), HASH_KEY, "aes-gcm"),
    ],
)
def test_keyring__refuses_bad_settings(settings, keys, hash_key, cipher):
    settings.PII_KEYS, settings.PII_HASH_KEY, settings.PII_CIPHER = keys, hash_key, cipher
    with pytest.raises(ImproperlyConfigured):
        crypto.keyring()


def test_production_server_refuses_the_development_key(settings):
    settings.DEBUG, settings.ALLOWED_HOSTS = False, ["nuanxin.example.cn"]
    with pytest.raises(ImproperlyConfigured):
        crypto.require_production_keys(bind_host="0.0.0.0")
    crypto.require_production_keys(bind_host="0.0.0.0", demo=True)
    settings.PII_KEYS, settings.PII_HASH_KEY = KEY_1, HASH_KEY
    crypto.require_production_keys(bind_host="0.0.0.0")
    settings.PII_KEYS, settings.PII_HASH_KEY = "", ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    crypto.require_production_keys(bind_host="127.0.0.1")


@pytest.mark.django_db
def test_worker_id_number__stored_sealed_read_in_clear_found_by_hash():
    city = build_city()
    number = id_number()
    worker = make_worker(city["haisheng"], id_number=number)

    stored = _raw_id_numbers()[worker.pk]
    assert crypto.is_sealed(stored) and number not in stored
    assert Worker.objects.get(pk=worker.pk).id_number == number
    assert Worker.objects.get(id_number_hash=id_number_key(number)) == worker
    with pytest.raises(FieldError):
        Worker.objects.filter(id_number=number).exists()


@pytest.mark.django_db
def test_import__seals_id_numbers_and_matches_them_on_the_next_sheet():
    build_city()
    number = id_number()
    rider = {"name": "张三", "occupation": "骑手", "work_region": "海盛社区", "id_number": number}
    registry_import(
        workbook=rows_workbook([("worker", [{**rider, "phone": "13900000001"}])]), actor=None
    )

    job = registry_import(
        workbook=rows_workbook([("worker", [{**rider, "phone": "13900000002"}])]), actor=None
    ).job

    assert job.counts["worker"]["updated"] == 1
    worker = Worker.objects.get()
    assert (worker.phone, worker.id_number) == ("13900000002", number)
    assert crypto.is_sealed(_raw_id_numbers()[worker.pk])
    assert worker.id_number_hash == id_number_key(number)


@pytest.mark.django_db
def test_rotate_keys__reseals_every_row_in_batches_and_resumes(settings):
    city = build_city()
    numbers = [id_number() for _ in range(7)]
    for i, number in enumerate(numbers):
        make_worker(city["haisheng"], id_number=number, phone=f"1390000{i:04d}")
    stored = _raw_id_numbers()
    settings.PII_CIPHER = "sm4-gcm"  # rotate from AES-GCM to SM4-GCM under the same key
    out = io.StringIO()
    call_command("rotate_keys", "--batch", "3", stdout=out)

    after = _raw_id_numbers()
    assert all(crypto.sealed_with(v) == ("s", "dev") for v in after.values())
    assert all(after[pk] != stored[pk] for pk in stored)
    assert sorted(Worker.objects.values_list("id_number", flat=True)) == sorted(numbers)
    assert "重新加密 7 行" in out.getvalue()
    assert AuditLog.objects.filter(action="crypto.reseal").count() == 3  # batches of 3, 3, 1

    call_command("rotate_keys", stdout=(again := io.StringIO()))
    assert "重新加密 0 行" in again.getvalue() and _raw_id_numbers() == after


@pytest.mark.django_db
def test_rotate_keys__finishes_rows_an_interrupted_run_left(settings):
    city = build_city()
    for i in range(4):
        make_worker(city["haisheng"], id_number=id_number(), phone=f"1390000{i:04d}")
    settings.PII_CIPHER = "sm4-gcm"
    first = Worker.objects.order_by("pk").values_list("pk", flat=True)[:2]
    from nuanxin.core.rotation import _reseal_batch

    _reseal_batch(Worker, Worker._meta.get_field("id_number"), 0, 2)  # then the run stops
    assert [crypto.sealed_with(_raw_id_numbers()[pk])[0] for pk in first] == ["s", "s"]

    call_command("rotate_keys", stdout=(out := io.StringIO()))

    assert "共 4 行，重新加密 2 行" in out.getvalue()
    assert {crypto.sealed_with(v)[0] for v in _raw_id_numbers().values()} == {"s"}


@pytest.mark.django_db
def test_rotate_keys__moves_to_a_new_key_and_rehashes(settings):
    city = build_city()
    settings.PII_KEYS, settings.PII_HASH_KEY = KEY_1, HASH_KEY
    number = id_number()
    worker = make_worker(city["haisheng"], id_number=number)
    new_hash = base64.b64encode(b"n" * 32).decode()
    settings.PII_KEYS, settings.PII_HASH_KEY = f"{KEY_2},{KEY_1}", new_hash

    assert Worker.objects.get(pk=worker.pk).id_number == number  # old key still opens
    call_command("rotate_keys", stdout=io.StringIO())

    assert crypto.sealed_with(_raw_id_numbers()[worker.pk]) == ("a", "k2")
    settings.PII_KEYS = KEY_2  # the old key can go now
    assert Worker.objects.get(id_number_hash=id_number_key(number)).id_number == number


@pytest.mark.django_db(transaction=True)
def test_database_dump_holds_no_id_number_in_clear(tmp_path):
    city = build_city()
    numbers = [id_number() for _ in range(5)]
    for i, number in enumerate(numbers):
        make_worker(city["haisheng"], id_number=number, phone=f"1390000{i:04d}")
    extra = id_number()
    rider = {"name": "李四", "phone": "13900009999", "occupation": "骑手", "id_number": extra,
             "work_region": "海盛社区"}  # fmt: skip
    registry_import(workbook=rows_workbook([("worker", [rider])]), actor=None)
    assert Worker.objects.filter(id_number_hash=id_number_key(extra)).exists()

    dump = _dump(tmp_path / "dump.sql")

    assert "registry_worker" in dump and "13900009999" in dump  # phones stay in clear here
    for number in [*numbers, extra]:
        assert number not in dump
        assert number[:17] not in dump  # nor without its check digit


def _dump(path) -> str:
    """The whole database as SQL: sqlite3's iterdump, or pg_dump's plain format."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not on PATH")
    db = connection.settings_dict
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    subprocess.run(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
         "-U", db["USER"], "-f", str(path), db["NAME"]],
        check=True, env={**__import__("os").environ, **env}, timeout=120,
    )  # fmt: skip
    return path.read_text()
