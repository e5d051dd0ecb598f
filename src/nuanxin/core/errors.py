"""The one error type of the application.

Services raise ApplicationError with a stable dotted code (``points.insufficient_balance``); the API
turns it into ``{"code", "message", "extra"}`` with ``status``, pages show the translated message.
Codes are part of the public contract: tests assert them and clients branch on them.
"""

from typing import Any


class ApplicationError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.extra = extra or {}
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}

    def __repr__(self) -> str:
        return f"ApplicationError({self.code!r}, {self.message!r})"


def not_found(code: str, message: str, /, **extra: Any) -> ApplicationError:
    return ApplicationError(code, message, extra=extra, status=404)


def forbidden(code: str, message: str, /, **extra: Any) -> ApplicationError:
    return ApplicationError(code, message, extra=extra, status=403)


def conflict(code: str, message: str, /, **extra: Any) -> ApplicationError:
    return ApplicationError(code, message, extra=extra, status=409)
