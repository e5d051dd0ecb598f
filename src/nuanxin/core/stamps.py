"""Version stamps for in-memory indexes (region lookup, nearest station, ...).

A service that changes indexed data calls ``stamp_bump(topic, keys=...)`` inside its
transaction. A ``StampedCache`` keeps one built index per process and brings it up to date when
the stamp moved, so every app server sees a change on its next lookup without a shared cache.

``stamp_bump`` also writes which keys changed at the new version (``StampChange``; ``keys=None``
means "everything"). A cache given a ``patch`` function hands it the keys changed since the
version it holds when the log covers every version in between; otherwise (first build, a
version pruned from the log, an "everything" entry, a version it holds that was never committed)
it builds from scratch.
"""

import secrets
import threading
from collections.abc import Callable, Iterable
from typing import ClassVar, Generic, TypeVar

from django.db.models import F

from nuanxin.core.models import ChangeStamp, StampChange

T = TypeVar("T")

# Versions of the change log kept per topic; an index further behind than this rebuilds.
STAMP_LOG_KEEP = 2000
# The log is pruned on every this many versions, so it holds at most KEEP + PRUNE_EVERY rows.
STAMP_PRUNE_EVERY = 100

Stamp = tuple[int, str]


def stamp_bump(topic: str, keys: Iterable[int] | None = None) -> int:
    """Move the topic's stamp and record ``keys`` as what changed (None: everything).

    Call it inside the transaction that makes the change: the stamp and its log row commit or
    roll back with it. Returns the new version.
    """
    token = secrets.token_hex(16)
    updated = ChangeStamp.objects.filter(topic=topic).update(version=F("version") + 1, token=token)
    if not updated:
        _stamp, created = ChangeStamp.objects.get_or_create(
            topic=topic, defaults={"version": 1, "token": token}
        )
        if not created:
            ChangeStamp.objects.filter(topic=topic).update(version=F("version") + 1, token=token)
    # The row is locked by the update until commit, so this is the version just written.
    version = ChangeStamp.objects.filter(topic=topic).values_list("version", flat=True).get()
    StampChange.objects.create(
        topic=topic,
        version=version,
        token=token,
        keys=None if keys is None else sorted(set(keys)),
    )
    if version % STAMP_PRUNE_EVERY == 0:
        StampChange.objects.filter(topic=topic, version__lte=version - STAMP_LOG_KEEP).delete()
    return version


def stamp_read(topic: str) -> int:
    return ChangeStamp.objects.filter(topic=topic).values_list("version", flat=True).first() or 0


def stamp_state(topic: str) -> Stamp:
    """The version and token of the topic's stamp, ``(0, "")`` before the first bump."""
    row = ChangeStamp.objects.filter(topic=topic).values_list("version", "token").first()
    return (row[0], row[1]) if row else (0, "")


def stamp_changes(topic: str, held: Stamp, target: Stamp) -> frozenset | None:
    """The keys changed after ``held`` up to ``target``, or None when the log cannot say.

    None when ``held`` is not a committed version still in the log (its token differs: it was
    read inside a transaction that rolled back), when a version in between is missing (pruned)
    or was an "everything" change, or when ``target`` is not ahead of ``held``.
    """
    (held_version, held_token), (version, token) = held, target
    if not held_token or version <= held_version or version - held_version > STAMP_LOG_KEEP:
        return None
    rows = list(
        StampChange.objects.filter(
            topic=topic, version__gte=held_version, version__lte=version
        ).values_list("version", "token", "keys")
    )
    rows.sort()
    if len(rows) != version - held_version + 1:
        return None
    if rows[0][1] != held_token or rows[-1][1] != token:
        return None
    changed: set = set()
    for _version, _token, keys in rows[1:]:
        if keys is None:
            return None
        changed.update(keys)
    return frozenset(changed)


class StampedCache(Generic[T]):
    """One value per process, built by ``build`` and kept to the topic's stamp.

    With ``patch(value, keys) -> value`` a move of the stamp that the change log covers updates
    the value from the changed keys; ``patch`` must return a new value (readers in other threads
    may be using the old one) and may return ``build()`` when a patch does not pay.
    """

    instances: ClassVar[list["StampedCache"]] = []

    def __init__(
        self,
        topic: str,
        build: Callable[[], T],
        patch: Callable[[T, frozenset], T] | None = None,
    ) -> None:
        self.topic = topic
        self._build = build
        self._patch = patch
        self._lock = threading.Lock()
        # The value with the stamp it reflects, swapped as one object so a reader never pairs
        # one with the other's predecessor.
        self._held: tuple[Stamp, T] | None = None
        StampedCache.instances.append(self)

    def get(self) -> T:
        stamp = stamp_state(self.topic)
        held = self._held
        if held is not None and held[0] == stamp:
            return held[1]
        with self._lock:
            held = self._held
            if held is not None and held[0] != stamp:
                # Another thread may have brought the value further while this one waited.
                stamp = stamp_state(self.topic)
            if held is not None and held[0] == stamp:
                return held[1]
            keys = None
            if self._patch is not None and held is not None:
                keys = stamp_changes(self.topic, held[0], stamp)
            value = self._build() if keys is None else self._patch(held[1], keys)
            self._held = (stamp, value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._held = None
