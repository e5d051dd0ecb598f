"""Idempotency-Key for every write request to the API.

A client that retries a POST (a rider's phone losing signal mid-upload) sends the same
``Idempotency-Key`` header; the first successful answer is stored with the request's fingerprint
and replayed byte for byte, so the retry creates nothing new. The record is written in the same
transaction as the work, so a crash leaves neither. A reused key with a different request is
refused with ``idempotency.key_reused``. Answers that are errors are not stored, so running the
request again is safe; what the request recorded on its way to the refusal (a counted wrong
password) is kept, exactly as without a key.

Answers marked ``Cache-Control: no-store`` (the ones that carry a secret: a login's bearer
token, a revealed phone number) are never stored either, so no secret lies in this table in
clear; their work commits and the key is forgotten, so a retry runs the request again (a
retried login gets a fresh token, or a clear refusal such as a used SMS code).
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from nuanxin.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 255


def request_fingerprint(request: HttpRequest) -> str:
    """A digest of what the request asks for, stable across retries of the same request.

    Multipart bodies carry a random boundary per attempt, so they are fingerprinted by their
    parsed fields and the digests of their files instead of their raw bytes.
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"f:{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(f"u:{name}={file_digest.hexdigest()}\n".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def carries_secret(response: HttpResponse) -> bool:
    """Whether the answer must never be kept: it says so with ``Cache-Control: no-store``."""
    directives = response.get("Cache-Control", "").lower().replace(" ", "").split(",")
    return "no-store" in directives


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "extra": {}}, status=status)


class _Discard(Exception):
    """Raised inside the transaction to roll back a request that broke it."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.principal_of = import_string(settings.IDEMPOTENCY_PRINCIPAL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITE_METHODS:
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error("idempotency.bad_key", _("Idempotency-Key 必须是 1 到 255 个字符。"), 400)
        principal = self.principal_of(request)
        fingerprint = request_fingerprint(request)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            principal=principal,
                            key=key,
                            fingerprint=fingerprint,
                            status_code=0,
                            content_type="",
                            body=b"",
                        )
                except IntegrityError:
                    return self._replay(principal, key, fingerprint)
                response = self.get_response(request)
                if connection.needs_rollback:
                    # The work broke the transaction (only a bug does that): keep nothing.
                    raise _Discard(response)
                if (
                    not 200 <= response.status_code < 300
                    or getattr(response, "streaming", False)
                    or carries_secret(response)
                ):
                    # Not kept, so a retry runs the request again. What the request wrote on
                    # its way to a refusal stays, as it would without a key: a wrong password
                    # or SMS code must count whether or not the client sent one.
                    record.delete()
                    return response
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save(update_fields=["status_code", "content_type", "body"])
                return response
        except _Discard as discarded:
            return discarded.response

    def _replay(self, principal: str, key: str, fingerprint: str) -> HttpResponse:
        record = IdempotencyRecord.objects.get(principal=principal, key=key)
        if record.fingerprint != fingerprint:
            return _error(
                "idempotency.key_reused",
                _("该 Idempotency-Key 已用于另一个不同的请求。"),
                422,
            )
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
