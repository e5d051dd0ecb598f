"""Pluggable SMS sending. Production plugs in a carrier's gateway; development prints."""

import logging
import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes the message to standard output, for development and the demo."""

    def send(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[短信] 发往 {phone}：{text}\n")
        sys.stdout.flush()


class MemorySmsBackend:
    """Keeps sent messages in a list, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
