"""The account's part of a person's data: export, and erasure (always the last app erased)."""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext as _

from nuanxin.accounts.models import ApiToken, LocationConsent, SmsCode, User, login_account
from nuanxin.core.personal import PersonalTable


def erased_phone(user: User) -> str:
    """The placeholder an erased account's phone becomes: unique, and no mobile number
    (those start with 1), so it can never log in or match a sheet."""
    return f"0{user.pk:010d}"


def export(user: User) -> list[PersonalTable]:
    account = {
        "phone": user.phone, "name": user.name, "role": user.role,
        "region": user.region.name if user.region_id else "", "date_joined": user.date_joined,
        "last_login": user.last_login,
    }  # fmt: skip
    tokens = list(ApiToken.objects.filter(user=user).values("name", "created_at", "last_used_at"))
    consents = list(
        LocationConsent.objects.filter(user=user).values(
            "given_at", "withdrawn_at", "notice_version", "notice_text"
        )
    )
    return [
        PersonalTable("account", _("账号"), [account]),
        PersonalTable("api_tokens", _("API 令牌"), tokens),
        PersonalTable("location_consent", _("位置信息使用同意"), consents),
    ]


def erase(user: Any) -> int:
    """Name and phone go, the account is disabled; its tokens, codes, login records and consent
    to location use are deleted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    codes, _ = SmsCode.objects.filter(phone=user.phone).delete()
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    consents, _ = LocationConsent.objects.filter(user=user).delete()
    # Login records name the account by its phone (django-axes' username), or where phones are
    # sealed by its masked phone and keyed hash; rows from before a switch have the other form.
    names = {user.phone, login_account(user.phone)}
    logins = sum(
        model.objects.filter(username__in=names).delete()[0]
        for model in (AccessLog, AccessAttempt, AccessFailureLog)
    )
    user.phone = erased_phone(user)
    user.name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["phone", "phone_hash", "phone_tail", "name", "is_active", "password"])
    return codes + tokens + consents + logins + 1
