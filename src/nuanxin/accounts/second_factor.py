"""Two-factor login for staff: who needs it, enrolment, the check after the password, resets.

The rule is ``second_factor_required``, and nothing else decides it: the login steps, the gate
in front of every page and API operation (``accounts.second_factor_gate``), bearer tokens and
the admin all ask it. Authenticator apps (TOTP, django-otp's ``TOTPDevice``) are the second
factor; single-use backup codes (``StaticDevice``) stand in when the phone is lost; an admin can
reset a user's devices, and the user enrols again at the next login.
"""

import base64
import io
from typing import Any

import qrcode
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nuanxin.accounts.history import login_event_record
from nuanxin.accounts.models import ROLE_REGION_LEVEL, LoginMethod, Role, User
from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.core.scoping import in_jurisdiction

SECOND_FACTOR_REQUIRED = "auth.second_factor_required"

# Roles a stolen password alone must not open. Region staff (community to city) award and
# adjust points, see and reveal full phone and ID numbers, do party work and create staff and
# change their roles inside their region; station keepers hand out goods against workers' held
# points. Workers and enterprise liaisons (who see their own people's numbers masked) log in
# with one factor. Superusers always need it.
SECOND_FACTOR_ROLES = frozenset(ROLE_REGION_LEVEL) | {Role.STATION_KEEPER}
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` must pass a second factor before any staff page or operation."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role in SECOND_FACTOR_ROLES)


def second_factor_passed(user: Any) -> bool:
    """Whether this request's session passed a second factor (django-otp's middleware marks
    it; a user object the middleware never saw, as right after a password login, did not)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def second_factor_refusal() -> ApplicationError:
    return forbidden(
        SECOND_FACTOR_REQUIRED, _("您的角色需要两步验证：请先输入身份验证器中的动态验证码。")
    )


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app asks to have it typed in (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address of ``device`` as a PNG data URI, for the enrolment page."""
    image = qrcode.make(device.config_url, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The user's authenticator device waiting for its first code (made now if there is none).

    A user who already has a confirmed authenticator is refused: a new one comes only after an
    admin's reset, so someone who got hold of a session cannot swap in their own phone."""
    if has_authenticator(user):
        raise ApplicationError(
            "accounts.second_factor_enrolled", _("您已设置身份验证器；如需更换，请联系管理员重置。")
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _bad_code() -> ApplicationError:
    return ApplicationError(
        "accounts.bad_second_factor", _("动态验证码或备用验证码不正确。"), status=401
    )


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the waiting authenticator with a code it shows; returns it and a fresh set of
    backup codes (shown once). Raises accounts.bad_second_factor for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or has_authenticator(user):
        raise not_found("accounts.no_enrolment", _("没有待确认的身份验证器，请重新开始设置。"))
    if not device.verify_token(_digits(code)):
        raise _bad_code()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(user)
    audit_record(
        actor=user, action="second_factor.enrol", obj=user, after={"authenticator": True},
        region_path=user.region.path if user.region_id else "",
    )  # fmt: skip
    return device, codes


def _digits(code: str) -> str:
    return "".join(str(code or "").split())


def _backup_codes_replace(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """A new set of backup codes for a user with an authenticator; the old ones stop working."""
    if not has_authenticator(user):
        raise not_found("accounts.no_authenticator", _("请先设置身份验证器。"))
    codes = _backup_codes_replace(user)
    audit_record(
        actor=user, action="second_factor.backup_codes", obj=user,
        after={"backup_codes": len(codes)}, region_path=user.region.path if user.region_id else "",
    )  # fmt: skip
    return codes


def second_factor_check(*, user: User, code: str) -> tuple[Device, str]:
    """The device that accepts ``code`` and how (LoginMethod.TOTP or BACKUP_CODE).

    An authenticator code is tried first, then the backup codes (one is used up by matching).
    django-otp slows down repeated wrong codes on each device. Raises
    accounts.bad_second_factor."""
    token = _digits(code)
    if token:
        with transaction.atomic():
            for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(token):
                    return device, LoginMethod.TOTP
            for device in StaticDevice.objects.select_for_update().filter(
                user=user, confirmed=True
            ):
                if device.verify_token(token):
                    return device, LoginMethod.BACKUP_CODE
    raise _bad_code()


def second_factor_pass(*, request: HttpRequest | None, user: User, code: str) -> Device:
    """Check the second step of a login and write it to the login history, passed or not."""
    try:
        device, method = second_factor_check(user=user, code=code)
    except ApplicationError as error:
        login_event_record(
            request=request, user=user, method=LoginMethod.TOTP, succeeded=False,
            reason=error.code,
        )  # fmt: skip
        raise
    login_event_record(request=request, user=user, method=method, succeeded=True)
    return device


def login_second_factor(*, request: HttpRequest, user: User, code: str | None) -> bool:
    """The second step of an API login: whether it passed (False for a role that needs none).

    A user who needs one and has no authenticator yet must first log in on the web and enrol
    (``auth.second_factor_required``, 403, ``enrolled: false``); a missing code is 401 with the
    same code, a wrong one ``accounts.bad_second_factor``."""
    if not second_factor_required(user):
        return False
    if not has_authenticator(user):
        raise forbidden(
            SECOND_FACTOR_REQUIRED,
            _("您的角色需要两步验证：请先在网页登录并设置身份验证器。"),
            enrolled=False,
        )
    if not _digits(code or ""):
        error = second_factor_refusal()
        error.status, error.extra = 401, {"enrolled": True}
        raise error
    second_factor_pass(request=request, user=user, code=code or "")
    return True


@transaction.atomic
def second_factor_reset(*, user: User, actor: User | None) -> int:
    """Remove all of ``user``'s second-factor devices (lost phone); they enrol again at their next
    login. Staff may reset only users inside their jurisdiction, never themselves; the reset
    is audited. Returns how many devices were removed."""
    if (
        actor is not None
        and not actor.is_superuser
        and (actor.pk == user.pk or not in_jurisdiction(actor, user.region))
    ):
        raise not_found("accounts.user_not_found", _("用户不存在。"))
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _rows = model.objects.filter(user=user).delete()
        removed += count
    audit_record(
        actor=actor, action="second_factor.reset", obj=user, before={"devices": removed},
        after={"devices": 0}, region_path=user.region.path if user.region_id else "",
    )  # fmt: skip
    return removed


@transaction.atomic
def totp_device_install(*, user: User, key_hex: str) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator with a known key: for the demo accounts only (the
    demo prints the key), never for real people, whose key nobody but their phone should know.
    """
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True
    )
    audit_record(
        actor=None, action="second_factor.install", obj=user, after={"authenticator": True},
        region_path=user.region.path if user.region_id else "",
    )  # fmt: skip
    return device
