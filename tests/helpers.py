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


def authenticator_of(user: Any) -> Any:
    """The user's confirmed authenticator, made (with a key derived from the phone, like the
    demo's) if they have none yet."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nuanxin.demo.loader import demo_totp_key

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="authenticator", key=demo_totp_key(user.phone), confirmed=True
        )
    return device


def totp_code(user: Any) -> str:
    """A code the user's authenticator accepts now: the current one, or, when that was already
    used (two logins within one 30-second step), the next, which the device's tolerance of one
    step admits."""
    from django_otp.oath import TOTP, hotp

    device = authenticator_of(user)
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "more logins than one authenticator step admits"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def verify_second_factor(client: Any, user: Any) -> None:
    """Mark the test client's logged-in session as having passed the second factor (what the
    verification page does), for a user whose role needs one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
    session.save()


def browser_second_factor(page: Any, user_or_phone: Any) -> None:
    """In a browser that just submitted the login form: pass the second-factor step if the
    login led to it (staff roles that need one), typing the authenticator's current code. A
    user sent to set one up first gets the test's authenticator (``authenticator_of``), and
    the set-up page, asked again, sends them on to the code."""
    from nuanxin.accounts.models import User

    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/second-factor/" not in page.url:
        return
    user = user_or_phone
    if not isinstance(user, User):
        user = User.objects.get(phone=user_or_phone)
    if "/accounts/second-factor/setup/" in page.url:
        authenticator_of(user)
        page.reload()
        page.wait_for_url(lambda url: "/setup/" not in url)
    page.get_by_label("动态验证码").fill(totp_code(user))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("domcontentloaded")


def give_location_consent(user: Any) -> Any:
    """Record the user's consent to location use through the accounts service, as the profile
    page's button does: the pages then ask the browser for the position."""
    from nuanxin.accounts.services import location_consent_give

    return location_consent_give(user=user)
