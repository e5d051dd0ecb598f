"""Periodic jobs (expire overdue holds and orders, fold old visits into counts, ...).

Each app lists its own jobs as ``JOBS`` in its ``jobs.py``; ``all_jobs`` gathers them.
``jobs_run_due`` runs each job whose interval has passed; the job's ``JobRun`` row is claimed
with a conditional update, so when several app servers run the loop, one of them runs a given
job and the others skip it. A failing job is logged and recorded, and the others still run.
"""

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from nuanxin.core.discovery import app_modules
from nuanxin.core.models import JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


def all_jobs() -> list[Job]:
    """Every app's jobs, in app order (an app offers them as ``JOBS`` in its ``jobs.py``)."""
    return [job for _label, module in app_modules("jobs") for job in module.JOBS]


def _claim(job: Job, now: dt.datetime) -> bool:
    JobRun.objects.get_or_create(name=job.name)
    due = Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every)
    return bool(JobRun.objects.filter(due, name=job.name).update(last_started_at=now))


def jobs_run_due(jobs: list[Job], *, now: dt.datetime | None = None) -> dict[str, str]:
    """Run the jobs that are due; returns {name: result or error} for those that ran."""
    now = now or timezone.now()
    ran: dict[str, str] = {}
    for job in jobs:
        if not _claim(job, now):
            continue
        try:
            result, error = str(job.run()), ""
        except Exception as exc:  # one failing job must not stop the others
            logger.exception("periodic job %s failed", job.name)
            result, error = "", f"{type(exc).__name__}: {exc}"
        JobRun.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_result=result[:2000], last_error=error[:2000]
        )
        ran[job.name] = error or result
    return ran


def jobs_loop(jobs: list[Job], *, tick_seconds: float, stop: threading.Event) -> None:
    """Run due jobs every ``tick_seconds`` until ``stop`` is set (a server's background thread)."""
    while not stop.is_set():
        close_old_connections()
        try:
            jobs_run_due(jobs)
        except Exception:
            logger.exception("periodic jobs loop failed; trying again next tick")
        finally:
            connection.close()
        stop.wait(tick_seconds)


def watch_parent(stop: threading.Event, *, every_seconds: float = 2) -> None:
    """Set ``stop`` once the process that started this one has gone (it is then re-parented)."""
    parent = os.getppid()

    def watch() -> None:
        while not stop.wait(every_seconds):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch, name="nuanxin-jobs-parent", daemon=True).start()
