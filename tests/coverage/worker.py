"""A task worker for tests: ``nuanxin task-worker --batch`` in its own thread, with its own
database connection, as it runs beside the server (the test's data must be committed)."""

import io
import threading

from django.core.management import call_command
from django.db import connections


def run_task_worker(timeout: float = 300) -> None:
    def work() -> None:
        try:
            call_command("task_worker", "--batch", stdout=io.StringIO())
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=timeout)
    assert not thread.is_alive(), "the worker did not finish the queued tasks in time"
