"""Admin pages for password-login attempts, lockouts and login records (django-axes' tables).

City admins and superusers see them; phones are masked like everywhere else (search by the
full number still works, also where PII_SEAL_PHONES names the account by a keyed hash). A
lockout is lifted with the two actions on the attempts list, which go through
``login_lockout_lift`` and are audited; nothing here edits or deletes rows directly.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.lockout import annotate_locked, can_manage_logins, login_lockout_lift
from nuanxin.accounts.models import (
    MOBILE_RE,
    LoginAttempt,
    LoginFailureRecord,
    LoginRecord,
    login_account,
    login_account_label,
    normalize_phone,
)
from nuanxin.core.admin import ScopedAdmin


class _LoginAdmin(ScopedAdmin):
    """Read-only, for those who may manage logins (city-wide: an attempt has no region)."""

    city_wide = True
    list_per_page = 50
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_logins(request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        phone = normalize_phone(search_term.strip())
        if MOBILE_RE.match(phone) and login_account(phone) != phone:
            found = found | queryset.filter(username=login_account(phone))
        return found, duplicates

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_logins(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("时间"), ordering="attempt_time")
    def at(self, obj: Any) -> str:
        return f"{timezone.localtime(obj.attempt_time):%Y-%m-%d %H:%M:%S}"

    @admin.display(description=_("手机号"))
    def phone(self, obj: Any) -> str:
        return login_account_label(obj.username)

    @admin.display(description=_("客户端地址"))
    def address(self, obj: Any) -> str:
        return obj.ip_address or "-"

    @admin.display(description=_("入口"))
    def entry(self, obj: Any) -> str:
        return obj.path_info

    @admin.display(description=_("浏览器"))
    def agent(self, obj: Any) -> str:
        return obj.user_agent


class LockedFilter(admin.SimpleListFilter):
    title = _("锁定状态")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("锁定中")), ("no", _("未锁定"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        locked = Q(account_locked=True) | Q(address_locked=True)
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


@admin.register(LoginAttempt)
class LoginAttemptAdmin(_LoginAdmin):
    list_display = ["at", "phone", "address", "entry", "failures", "status"]
    list_filter = [LockedFilter]
    fields = ["at", "phone", "address", "entry", "agent", "failures", "status"]
    readonly_fields = fields
    actions = ["lift_accounts", "lift_addresses"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return annotate_locked(super().get_queryset(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if can_manage_logins(request.user) else {}

    @admin.display(description=_("失败次数"))
    def failures(self, obj: LoginAttempt) -> int:
        return obj.failures_since_start

    @admin.display(description=_("状态"))
    def status(self, obj: LoginAttempt) -> str:
        if getattr(obj, "account_locked", False):
            return str(_("账号已锁定"))
        if getattr(obj, "address_locked", False):
            return str(_("地址已锁定"))
        return str(_("未锁定"))

    @admin.action(description=_("解除所选记录的账号锁定"))
    def lift_accounts(self, request: HttpRequest, queryset: QuerySet) -> None:
        usernames = {u for u in queryset.values_list("username", flat=True) if u}
        count = login_lockout_lift(actor=request.user, usernames=usernames)
        self.message_user(
            request, _("已解除 %(n)s 条失败记录的锁定。") % {"n": count}, messages.SUCCESS
        )

    @admin.action(description=_("解除所选记录的地址锁定"))
    def lift_addresses(self, request: HttpRequest, queryset: QuerySet) -> None:
        addresses = {a for a in queryset.values_list("ip_address", flat=True) if a}
        count = login_lockout_lift(actor=request.user, ip_addresses=addresses)
        self.message_user(
            request, _("已解除 %(n)s 条失败记录的锁定。") % {"n": count}, messages.SUCCESS
        )


@admin.register(LoginRecord)
class LoginRecordAdmin(_LoginAdmin):
    list_display = ["at", "phone", "address", "entry", "logout"]
    fields = ["at", "phone", "address", "entry", "agent", "logout"]
    readonly_fields = fields

    @admin.display(description=_("退出时间"))
    def logout(self, obj: LoginRecord) -> str:
        if obj.logout_time is None:
            return "-"
        return f"{timezone.localtime(obj.logout_time):%Y-%m-%d %H:%M:%S}"


@admin.register(LoginFailureRecord)
class LoginFailureRecordAdmin(_LoginAdmin):
    list_display = ["at", "phone", "address", "entry", "locked"]
    fields = ["at", "phone", "address", "entry", "agent", "locked"]
    readonly_fields = fields

    @admin.display(description=_("已锁定"), boolean=True)
    def locked(self, obj: LoginFailureRecord) -> bool:
        return obj.locked_out
