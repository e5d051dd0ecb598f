"""Small helpers the tests of every app share."""

import datetime as dt
import json
import os
import struct
import threading
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from nuanxin.core.errors import ApplicationError


def in_ci() -> bool:
    """Whether the run is CI's (``CI`` set and not false): there, tests that need something the
    machine lacks (the system Chromium, the official Open311 schemas) fail instead of skipping."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def error_code(call: Callable[[], Any]) -> str:
    """The code of the ApplicationError that ``call`` raises (the test fails if it raises none)."""
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.code


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at once, each in its own thread and database connection, with real
    commits; returns each call's result, or the code of the ApplicationError it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except ApplicationError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def send(client: Any, method: str, url: str, body: Any = None, user: Any = None, **headers: str):
    """A JSON API call through Django's test client, logged in as ``user`` when given."""
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers=headers,
    )


class Clock:
    """Holds the services' notion of now (django.utils.timezone.now) at a chosen moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: dt.datetime) -> None:
        self.at = at
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


def png_of_size(width: int, height: int) -> bytes:
    """A valid, all-black 1-bit PNG of any size in a few kilobytes (12000 x 12000 is 17 KB):
    the shape of a decompression bomb, made without ever holding its pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    rows_at_once = max(1, 1_000_000 // len(row))
    body = []
    for start in range(0, height, rows_at_once):
        body.append(packer.compress(row * min(rows_at_once, height - start)))
    body.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(body))
        + chunk(b"IEND", b"")
    )
