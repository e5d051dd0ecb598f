"""Per-person limits that hold under concurrency (reports a day, reveals an hour...).

A limit counted with a plain read can be passed by two requests that both count before either
writes. Every such check therefore runs inside the write's own transaction, after
``lock_user``: on PostgreSQL the user's row lock makes a second request of the same person
wait until the first has committed, and its count then sees the first one's row; on SQLite the
IMMEDIATE transaction already holds the database's write lock from BEGIN.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction


def lock_user(user: Any) -> None:
    """Lock ``user``'s row until the end of the current transaction (nothing for no user).

    Must be called inside ``transaction.atomic``; take it before any other row lock of the same
    service, so that two services never wait on each other in a circle.
    """
    if getattr(user, "pk", None) is None:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_user must run inside the write transaction")
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
