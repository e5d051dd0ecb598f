"""Pluggable SMS sending. Production plugs in a carrier's gateway; development prints."""

import logging
import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from nuanxin.core.fields import phones_sealed
from nuanxin.core.masking import mask_phone

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes the message to standard output, for development and the demo. Where phones are
    sealed at rest (PII_SEAL_PHONES) the output, a log, names the phone masked."""

    def send(self, *, phone: str, text: str) -> None:
        shown = mask_phone(phone) if phones_sealed() else phone
        sys.stdout.write(f"[短信] 发往 {shown}：{text}\n")
        sys.stdout.flush()


class MemorySmsBackend:
    """Keeps sent messages in a list, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
