"""Siting runs with TASKS_BACKEND=rq: the page queues the task in Redis through django-tasks-rq,
an RQ worker (``nuanxin rq-worker --burst``) computes it once, and the result
is kept in Redis. Against the Redis on 127.0.0.1:6379, in a database number of its own that is
emptied before and after; skipped where no Redis answers."""

import importlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from nuanxin.coverage.models import SitingRun
from tests.coverage.test_runs import FORM

REDIS = "redis://127.0.0.1:6379/9"
RQ_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
    "RQ_QUEUES": {"default": {"URL": REDIS}},
}


@pytest.fixture
def redis():
    connection = Redis.from_url(REDIS)
    try:
        connection.ping()
    except RedisConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    with override_settings(**RQ_SETTINGS):
        yield connection
    connection.flushdb()
    connection.close()


def _rq_worker_burst() -> None:
    """``nuanxin rq-worker --burst`` in this process (SimpleWorker: no fork, so the job uses
    the test's database)."""
    call_command(
        "rq_worker", burst=True, worker_class="rq.SimpleWorker", stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_siting__queued_in_redis_run_once_by_an_rq_worker_and_its_result_kept(
    client, planner, redis
):
    from django_rq import get_queue
    from django_tasks_rq import Job

    from nuanxin.coverage.tasks import siting_run_execute

    client.force_login(planner)
    assert client.post("/coverage/siting/", FORM).status_code == 302
    run = SitingRun.objects.get()
    queue = get_queue("default", job_class=Job)
    assert queue.job_ids == [run.task_id]  # queued in Redis, not in the database
    assert siting_run_execute.get_result(run.task_id).status == "READY"

    _rq_worker_burst()

    run.refresh_from_db()
    assert run.state == SitingRun.State.DONE and run.progress == 100
    result = siting_run_execute.get_result(run.task_id)
    assert result.status == "SUCCESSFUL" and result.return_value == "done"
    job = Job.fetch(run.task_id, connection=redis)
    assert len(job.results()) == 1  # ran once
    assert queue.count == 0

    _rq_worker_burst()  # a second worker finds nothing left to do
    assert len(Job.fetch(run.task_id, connection=redis).results()) == 1


def test_rq_worker__refuses_while_tasks_wait_in_the_database():
    with pytest.raises(CommandError, match="task-worker"):
        call_command("rq_worker", burst=True)


def test_settings__rq_backend_from_the_environment(monkeypatch):
    import nuanxin.settings as project_settings

    monkeypatch.setenv("TASKS_BACKEND", "rq")
    monkeypatch.setenv("TASKS_REDIS_URL", REDIS)
    try:
        loaded = importlib.reload(project_settings)
        assert loaded.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
        assert loaded.RQ_QUEUES == {"default": {"URL": REDIS}}
        assert {"django_rq", "django_tasks_rq"} <= set(loaded.INSTALLED_APPS)
        monkeypatch.setenv("TASKS_BACKEND", "celery")
        with pytest.raises(ValueError, match="TASKS_BACKEND"):
            importlib.reload(project_settings)
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)
