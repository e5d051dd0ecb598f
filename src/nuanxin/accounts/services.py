"""Accounts: users and roles, password and SMS-code login, API tokens."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.history import login_event_record
from nuanxin.accounts.limits import (
    SEND_LOCK,
    login_lock_name,
    sms_login_check,
    sms_send_check,
)
from nuanxin.accounts.lockout import login_locked_out
from nuanxin.accounts.models import (
    MOBILE_RE,
    ROLE_REGION_LEVEL,
    ApiToken,
    LocationConsent,
    LoginMethod,
    Role,
    SmsCode,
    SmsLoginFailure,
    User,
    normalize_phone,
)
from nuanxin.accounts.sms import sms_backend
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.crypto import blind_index
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.locks import serialise
from nuanxin.core.scoping import in_jurisdiction
from nuanxin.geo.models import Region

TOKEN_PREFIX = "nx_"


class _Unset:
    """Marks an optional argument the caller did not pass (None is a meaningful value)."""


UNSET = _Unset()


def _digest(value: str) -> str:
    """The digest of a high-entropy secret (a bearer token, an API key)."""
    return hashlib.sha256(value.encode()).hexdigest()


SMS_CODE_PURPOSE = "accounts.smscode.code"


def _code_digest(phone: str, code: str) -> str:
    """What an SMS code is stored as: keyed (PII_HASH_KEY), because six digits and a phone
    number are few enough to try them all against an unkeyed digest from a stolen dump."""
    return blind_index(f"{phone}:{code}", purpose=SMS_CODE_PURPOSE) or ""


def phone_clean(raw: str) -> str:
    phone = normalize_phone(raw)
    if not MOBILE_RE.match(phone):
        raise ApplicationError("accounts.invalid_phone", _("请输入有效的 11 位手机号码。"))
    return phone


def check_role_region(role: str, region: Region | None) -> None:
    if role not in Role.values:
        raise ApplicationError("accounts.bad_role", _("未知的角色。"), extra={"role": role})
    level = ROLE_REGION_LEVEL.get(role)
    if level is None:
        return
    if region is None or region.level != level:
        raise ApplicationError(
            "accounts.role_region_mismatch",
            _("该角色必须绑定到对应层级的区域。"),
            extra={"role": role, "level": level},
        )


@transaction.atomic
def user_create(
    *,
    phone: str,
    name: str = "",
    role: str = Role.WORKER,
    region: Region | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user. Staff may create users only inside their own jurisdiction."""
    phone = phone_clean(phone)
    check_role_region(role, region)
    staff_grant = role != Role.WORKER and region is not None
    if (
        actor is not None
        and not actor.is_superuser
        and staff_grant
        and not in_jurisdiction(actor, region)
    ):
        raise forbidden("auth.out_of_jurisdiction", _("不能在管辖范围外创建工作人员。"))
    if User.objects.filter(phone=phone).exists():
        raise ApplicationError("accounts.phone_taken", _("该手机号已注册。"))
    user = User(phone=phone, name=name.strip(), role=role, region=region)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(
                "accounts.weak_password", " ".join(exc.messages), extra={"errors": exc.messages}
            ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after=snapshot(user, ["role", "region", "name"]),
        region_path=region.path if region else "",
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User,
    name: str | None = None,
    role: str | None = None,
    region: Region | _Unset | None = UNSET,
    is_active: bool | None = None,
) -> User:
    """Change a user's name, role, bound region or active flag (audited).

    Staff may change only users inside their jurisdiction and grant only regions inside it.
    """
    user = User.objects.select_for_update(of=("self",)).select_related("region").get(pk=user.pk)
    if not actor.is_superuser and not in_jurisdiction(actor, user.region):
        raise forbidden("auth.out_of_jurisdiction", _("该用户不在您的管辖范围内。"))
    new_region = user.region if isinstance(region, _Unset) else region
    new_role = role if role is not None else user.role
    check_role_region(new_role, new_region)
    if not actor.is_superuser and new_region is not None and not in_jurisdiction(actor, new_region):
        raise forbidden("auth.out_of_jurisdiction", _("不能授予管辖范围外的区域。"))
    fields = ["name", "role", "region", "is_active"]
    before = snapshot(user, fields)
    user.role, user.region = new_role, new_region
    if name is not None:
        user.name = name.strip()
    if is_active is not None:
        user.is_active = is_active
    user.save(update_fields=fields)
    after = snapshot(user, fields)
    if before != after:
        audit_record(
            actor=actor,
            action="user.update",
            obj=user,
            before=before,
            after=after,
            region_path=new_region.path if new_region else "",
        )
    return user


@transaction.atomic
def location_consent_give(*, user: User) -> LocationConsent:
    """Record the user's consent to location use, with the notice shown (audited). Giving it
    again while it stands changes nothing and writes nothing; after a withdrawal it is given
    anew, with today's notice."""
    from nuanxin.accounts.consent import LOCATION_NOTICE, LOCATION_NOTICE_VERSION

    # The user's row is the lock: two taps at once make one consent and one audit row.
    User.objects.select_for_update().filter(pk=user.pk).first()
    consent = LocationConsent.objects.filter(user=user).first()
    if consent is not None and consent.is_given:
        return consent
    before = None if consent is None else {"given": False}
    consent = consent or LocationConsent(user=user)
    consent.given_at = timezone.now()
    consent.withdrawn_at = None
    consent.notice_version = LOCATION_NOTICE_VERSION
    consent.notice_text = str(LOCATION_NOTICE)
    consent.save()
    audit_record(
        actor=user,
        action="location_consent.give",
        obj=consent,
        before=before,
        after={"given": True, "notice_version": consent.notice_version},
        region_path=user.region.path if user.region_id else "",
    )
    return consent


@transaction.atomic
def location_consent_withdraw(*, user: User) -> LocationConsent | None:
    """Withdraw the user's consent to location use (audited); the pages stop asking for the
    position. Withdrawing consent not given changes nothing and writes nothing."""
    consent = LocationConsent.objects.select_for_update().filter(user=user).first()
    if consent is None or not consent.is_given:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=user,
        action="location_consent.withdraw",
        obj=consent,
        before={"given": True},
        after={"given": False},
        region_path=user.region.path if user.region_id else "",
    )
    return consent


def password_login(*, request: HttpRequest, phone: str, password: str) -> User:
    """Check a phone and password.

    ``request`` goes to ``authenticate``, where django-axes reads the client address, counts a
    failure against the account and the address and refuses both while locked out
    (``accounts.locked_out``, 429, see ``accounts.lockout``).
    """
    phone = normalize_phone(phone)
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            error = login_locked_out(request=request, phone=phone)
        else:
            error = ApplicationError(
                "accounts.bad_credentials", _("手机号或密码不正确。"), status=401
            )
        login_event_record(
            request=request, user=User.objects.filter(phone=phone).first(),
            method=LoginMethod.PASSWORD, succeeded=False, reason=error.code,
        )  # fmt: skip
        raise error
    login_event_record(request=request, user=user, method=LoginMethod.PASSWORD, succeeded=True)
    return user


def sms_code_send(*, phone: str, client_ip: str | None) -> dt.datetime:
    """Send a 6-digit login code; returns when it expires.

    The sending limits (per phone, per client address, in all: ``accounts.limits``) are counted
    and the code inserted in one transaction that holds the sending lock, so they hold across
    app servers; the message goes out once the code is committed.
    """
    phone = phone_clean(phone)
    with transaction.atomic():
        serialise(SEND_LOCK)
        now = timezone.now()
        sms_send_check(phone=phone, client_ip=client_ip, now=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires_at = now + dt.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS)
        SmsCode.objects.create(
            phone=phone,
            digest=_code_digest(phone, code),
            expires_at=expires_at,
            client_ip=client_ip,
        )
    minutes = settings.SMS_CODE_TTL_SECONDS // 60
    text = _("您的暖新登录验证码是 %(code)s，%(minutes)s 分钟内有效。") % {
        "code": code,
        "minutes": minutes,
    }
    transaction.on_commit(lambda: sms_backend().send(phone=phone, text=text))
    return expires_at


def _sms_code_consume(phone: str, code: str, client_ip: str | None) -> bool:
    """Mark the newest live code used if ``code`` matches it; count a wrong try otherwise, on
    the code and against the client address (refused first if the address has too many)."""
    with transaction.atomic():
        serialise(login_lock_name(client_ip))
        sms_login_check(client_ip=client_ip, now=timezone.now())
        sms = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if sms is not None and sms.attempts < settings.SMS_CODE_MAX_ATTEMPTS:
            if hmac.compare_digest(sms.digest, _code_digest(phone, (code or "").strip())):
                sms.used_at = timezone.now()
                sms.save(update_fields=["used_at"])
                return True
            sms.attempts += 1
            sms.save(update_fields=["attempts"])
        SmsLoginFailure.objects.create(client_ip=client_ip)
        return False


def sms_code_login(
    *, phone: str, code: str, client_ip: str | None, request: HttpRequest | None = None
) -> tuple[User, bool]:
    """Check a login code; a phone seen for the first time becomes a worker account.

    Returns (user, created). Each code works once and allows a few wrong tries; a client address
    may type only so many wrong codes (``SMS_LOGIN_CLIENT_FAILURE_LIMIT``). The wrong try is
    committed before the error is raised, so it counts. Each try goes to the login history.
    """
    phone = phone_clean(phone)
    user = User.objects.filter(phone=phone).first()
    try:
        if not _sms_code_consume(phone, code, client_ip):
            raise ApplicationError("accounts.bad_sms_code", _("验证码错误或已过期。"), status=401)
        if user is not None and not user.is_active:
            raise ApplicationError("accounts.inactive", _("该账号已停用。"), status=403)
    except ApplicationError as error:
        login_event_record(
            request=request, user=user, method=LoginMethod.SMS, succeeded=False, reason=error.code
        )
        raise
    created = user is None
    if user is None:
        user = user_create(phone=phone)
    login_event_record(request=request, user=user, method=LoginMethod.SMS, succeeded=True)
    return user, created


@transaction.atomic
def token_issue(
    *, user: User, name: str = "", ttl_days: int | None = None, second_factor: bool = False
) -> tuple[str, ApiToken]:
    """Issue a bearer token; the plain token is returned once and never stored (audited with
    its prefix only). ``second_factor``: the login that asked for it passed the second factor,
    so the token may act for a user whose role needs one."""
    ttl = dt.timedelta(days=ttl_days if ttl_days is not None else settings.API_TOKEN_TTL_DAYS)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=_digest(secret),
        prefix=secret[:10],
        name=name,
        expires_at=timezone.now() + ttl,
        second_factor=second_factor,
    )
    audit_record(
        actor=user,
        action="token.issue",
        obj=token,
        after={"prefix": token.prefix, "name": name, "expires_at": token.expires_at.isoformat()},
        region_path=user.region.path if user.region_id else "",
    )
    return secret, token


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None) -> bool:
    """Revoke a token (its owner logging out, or staff over the owner); returns whether it was
    still live. Revoking it again changes nothing and writes nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        owner = token.user
        audit_record(
            actor=actor,
            action="token.revoke",
            obj=token,
            before={"revoked": False},
            after={"revoked": True, "prefix": token.prefix},
            region_path=owner.region.path if owner.region_id else "",
        )
    return bool(revoked)


def token_of_request(request: Any) -> ApiToken | None:
    """The live token a request authenticated with (None for a session or no token)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return ApiToken.objects.filter(
        digest=_digest(header[7:].strip()), revoked_at__isnull=True
    ).first()


def token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None if unknown, expired or revoked."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(digest=_digest(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    token.user.token_second_factor = token.second_factor
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def request_principal(request: Any) -> str:
    """Who a request acts for, to scope Idempotency-Keys: token, then session user."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = token_authenticate(header[7:].strip())
        if user is not None:
            return f"user:{user.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    # Open311 client applications authenticate with an api_key parameter.
    api_key = request.GET.get("api_key") or (
        request.POST.get("api_key")
        if request.content_type == "application/x-www-form-urlencoded"
        else None
    )
    if api_key:
        return "api_key:" + _digest(api_key)[:32]
    return "anonymous:" + _digest(header or request.META.get("REMOTE_ADDR", ""))[:32]
