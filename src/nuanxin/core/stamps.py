"""Version stamps for in-memory indexes (region lookup, nearest station, ...).

A service that changes indexed data calls ``stamp_bump(topic)`` inside its transaction. A
``StampedCache`` keeps one built index per process and rebuilds it when the stamp moved, so every
app server sees a change on its next lookup without a shared cache.
"""

import threading
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from django.db.models import F

from nuanxin.core.models import ChangeStamp

T = TypeVar("T")


def stamp_bump(topic: str) -> None:
    updated = ChangeStamp.objects.filter(topic=topic).update(version=F("version") + 1)
    if not updated:
        ChangeStamp.objects.get_or_create(topic=topic, defaults={"version": 1})


def stamp_read(topic: str) -> int:
    return ChangeStamp.objects.filter(topic=topic).values_list("version", flat=True).first() or 0


class StampedCache(Generic[T]):
    instances: ClassVar[list["StampedCache"]] = []

    def __init__(self, topic: str, build: Callable[[], T]) -> None:
        self.topic = topic
        self._build = build
        self._lock = threading.Lock()
        self._version: int | None = None
        self._value: T | None = None
        StampedCache.instances.append(self)

    def get(self) -> T:
        version = stamp_read(self.topic)
        if self._version != version or self._value is None:
            with self._lock:
                if self._version != version or self._value is None:
                    self._value = self._build()
                    self._version = version
        return self._value

    def clear(self) -> None:
        with self._lock:
            self._version = None
            self._value = None
