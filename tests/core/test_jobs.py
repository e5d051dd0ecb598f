import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from nuanxin.core.models import IdempotencyRecord, JobRun
from nuanxin.core.scheduler import Job, all_jobs, jobs_run_due

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 12, 0))


def test_a_job_runs_when_due_and_not_again_before_its_interval():
    calls = []
    job = Job("test.count", dt.timedelta(minutes=10), lambda: calls.append(1) or len(calls))

    first = jobs_run_due([job], now=NOW)
    soon = jobs_run_due([job], now=NOW + dt.timedelta(minutes=9))
    later = jobs_run_due([job], now=NOW + dt.timedelta(minutes=10))

    assert (first, soon, later) == ({"test.count": "1"}, {}, {"test.count": "2"})
    assert JobRun.objects.get(name="test.count").last_result == "2"


def test_a_failing_job_is_recorded_and_the_others_still_run():
    def broken():
        raise RuntimeError("boom")

    ran = jobs_run_due(
        [
            Job("test.broken", dt.timedelta(hours=1), broken),
            Job("test.fine", dt.timedelta(hours=1), lambda: "ok"),
        ],
        now=NOW,
    )

    assert ran == {"test.broken": "RuntimeError: boom", "test.fine": "ok"}
    assert JobRun.objects.get(name="test.broken").last_error == "RuntimeError: boom"


def test_every_project_job_runs_on_an_empty_city(capsys):
    call_command("jobs")

    out = capsys.readouterr().out
    assert {line.split(":")[0] for line in out.splitlines()} == {job.name for job in all_jobs()}
    assert not JobRun.objects.exclude(last_error="").exists()


def test_old_idempotency_records_are_forgotten():
    old = IdempotencyRecord.objects.create(
        principal="p", key="k", fingerprint="f", status_code=200, content_type="", body=b""
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    IdempotencyRecord.objects.create(
        principal="p", key="fresh", fingerprint="f", status_code=200, content_type="", body=b""
    )

    call_command("jobs")

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_each_app_declares_its_own_jobs_under_its_own_name():
    from nuanxin.core.discovery import app_modules

    declared = {label: [job.name for job in module.JOBS] for label, module in app_modules("jobs")}

    assert set(declared) == {
        "core",
        "accounts",
        "points",
        "reports",
        "stations",
        "store",
        "volunteering",
        "party",
        "dashboard",
    }
    assert all(name.startswith(f"{label}.") for label, names in declared.items() for name in names)
    assert len({job.name for job in all_jobs()}) == sum(map(len, declared.values()))
