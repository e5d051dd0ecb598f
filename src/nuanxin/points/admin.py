"""Staff views of the ledger: accounts (with budget use), entries, holds and the earning rules.

Everything is read-only except writes through services: the earning rules (city admins,
``policy_update``), a manual adjustment of a worker's points (``adjustment_request``, with a
mandatory reason; the form carries a transfer id made when it was shown, so submitting it twice
adjusts once) and the approval or rejection of a large one (``adjustment_approve`` /
``adjustment_reject``) by a more senior staff member.
"""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeForm, EdgeModelForm
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.points.models import (
    AMOUNT_MAX,
    Account,
    AccountKind,
    Adjustment,
    AdjustmentStatus,
    EarningPolicy,
    Entry,
    Hold,
)
from nuanxin.points.selectors import adjustments_in_scope, scoped_accounts, scoped_entries
from nuanxin.points.services import (
    adjustment_approve,
    adjustment_reject,
    adjustment_request,
    policy_update,
)
from nuanxin.points.services.policy import EDITABLE_FIELDS, can_edit_policy


class AdjustForm(EdgeForm):
    transfer_id = forms.CharField(widget=forms.HiddenInput)
    amount = forms.IntegerField(
        label=_("调整积分"),
        help_text=_("正数补发，负数扣减。"),
        min_value=-AMOUNT_MAX,
        max_value=AMOUNT_MAX,
    )
    reason = forms.CharField(
        label=_("原因（必填）"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(EdgeForm):
    note = forms.CharField(
        label=_("审批意见（驳回时必填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Account)
class AccountAdmin(ScopedAdmin):
    list_display = ["key", "kind", "owner", "posted", "held", "available", "received", "paid"]
    list_filter = ["kind"]
    search_fields = ["key", "region__name", "user__name"]
    readonly_fields = [
        "key",
        "kind",
        "owner",
        "posted",
        "held",
        "available",
        "may_go_negative",
        "created_at",
        "adjust_link",
    ]
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        received = Entry.objects.filter(credit=OuterRef("pk")).values("credit")
        paid = Entry.objects.filter(debit=OuterRef("pk")).values("debit")
        return scoped_accounts(request.user).annotate(
            received_total=Coalesce(received.annotate(s=Sum("amount")).values("s"), 0),
            paid_total=Coalesce(paid.annotate(s=Sum("amount")).values("s"), 0),
        )

    @admin.display(description=_("户主/区域"))
    def owner(self, obj: Account) -> str:
        if obj.user_id:
            return str(obj.user)
        return obj.region.name if obj.region_id else "-"

    @admin.display(description=_("可用"))
    def available(self, obj: Account) -> int:
        return obj.available

    @admin.display(description=_("累计转入"), ordering="received_total")
    def received(self, obj: Account) -> int:
        return obj.received_total

    @admin.display(description=_("累计转出"), ordering="paid_total")
    def paid(self, obj: Account) -> int:
        return obj.paid_total

    @admin.display(description=_("人工调整"))
    def adjust_link(self, obj: Account) -> str:
        if obj.kind != AccountKind.WORKER:
            return "-"
        url = reverse("admin:points_account_adjust", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("调整积分"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="points_account_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = get_object_or_404(
            self.get_queryset(request).filter(kind=AccountKind.WORKER), pk=pk
        )
        form = AdjustForm(request.POST or None, initial={"transfer_id": f"admin-{uuid.uuid4()}"})
        if request.method == "POST" and form.is_valid():
            try:
                made = adjustment_request(
                    transfer_id=form.cleaned_data["transfer_id"],
                    worker=account.user,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                if made.status == AdjustmentStatus.PENDING:
                    messages.warning(request, _("调整积分超过审批门槛，已提交上级审批。"))
                else:
                    messages.success(request, _("积分已调整。"))
                return HttpResponseRedirect(reverse("admin:points_account_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("人工调整积分"),
            "account": account,
            "form": form,
            "opts": self.model._meta,
            "ceiling": settings.POINTS_ADJUSTMENT_MAX,
            "approval_above": settings.POINTS_ADJUSTMENT_APPROVAL_ABOVE,
            "monthly_max": settings.POINTS_ADJUSTMENT_MONTHLY_MAX,
        }
        return TemplateResponse(request, "admin/points/adjust.html", context)


@admin.register(Adjustment)
class AdjustmentAdmin(ScopedAdmin):
    """Manual adjustments in the user's jurisdiction; pending ones are decided on their own
    page (``decide_view``) by a more senior staff member."""

    list_display = [
        "requested_at",
        "worker",
        "amount",
        "reason",
        "status",
        "requested_by",
        "decided_by",
        "decide_link",
    ]
    list_filter = ["status"]
    search_fields = ["transfer_id", "reason", "worker__name"]
    list_select_related = ["worker", "requested_by", "decided_by"]
    readonly_fields = [
        "public_id",
        "worker",
        "pool",
        "amount",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "entry",
        "decide_link",
    ]
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adjustment]:
        return adjustments_in_scope(request.user)

    @admin.display(description=_("审批"))
    def decide_link(self, obj: Adjustment) -> str:
        if obj.status != AdjustmentStatus.PENDING:
            return "-"
        url = reverse("admin:points_adjustment_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("审批"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="points_adjustment_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        adjustment = get_object_or_404(self.get_queryset(request), pk=pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if "reject" in request.POST:
                    adjustment_reject(adjustment=adjustment, actor=request.user, note=note)
                    messages.success(request, _("已驳回该调整。"))
                else:
                    adjustment_approve(adjustment=adjustment, actor=request.user, note=note)
                    messages.success(request, _("已审批通过，积分已入账。"))
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return HttpResponseRedirect(reverse("admin:points_adjustment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("审批人工调整"),
            "adjustment": adjustment,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/points/decide.html", context)


@admin.register(Entry)
class EntryAdmin(ScopedAdmin):
    list_display = [
        "created_at",
        "transfer_id",
        "kind",
        "debit",
        "credit",
        "amount",
        "reason_label",
        "actor",
    ]
    list_filter = ["kind", "reason"]
    search_fields = ["transfer_id", "reference", "note"]
    list_select_related = ["debit", "credit", "actor", "debit__region", "credit__region"]
    readonly_fields = [f.name for f in Entry._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        return scoped_entries(request.user).select_related(*self.list_select_related)

    @admin.display(description=_("原因"))
    def reason_label(self, obj: Entry) -> str:
        return obj.reason_label


@admin.register(Hold)
class HoldAdmin(ScopedAdmin):
    list_display = [
        "created_at",
        "transfer_id",
        "debit",
        "credit",
        "amount",
        "status",
        "expires_at",
    ]
    list_filter = ["status"]
    search_fields = ["transfer_id", "reference"]
    readonly_fields = [f.name for f in Hold._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hold]:
        accounts = scoped_accounts(request.user).values("pk")
        return Hold.objects.filter(debit__in=accounts).select_related("debit", "credit")


class PolicyForm(EdgeModelForm):
    class Meta:
        model = EarningPolicy
        fields = EDITABLE_FIELDS


@admin.register(EarningPolicy)
class EarningPolicyAdmin(ScopedAdmin):
    form = PolicyForm
    list_display = ["__str__", "daily_cap", "monthly_cap", "checkin_points", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EarningPolicy]:
        qs = EarningPolicy.objects.all()
        return qs if jurisdiction_path(request.user) is not None else qs.none()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_policy(request.user)

    def save_model(self, request: HttpRequest, obj: EarningPolicy, form: Any, change: bool) -> None:
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        policy_update(actor=request.user, **changed)
