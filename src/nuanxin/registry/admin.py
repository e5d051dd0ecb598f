"""Back office for the registry: scoped lists, writes through the services, Excel import.

Region staff see their jurisdiction; enterprise liaisons see (and may edit the contact details
of) their own enterprises and those enterprises' workers.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.accounts.admin_search import PhoneSearch
from nuanxin.accounts.models import Role, User
from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeModelForm
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.registry import services
from nuanxin.registry.access import (
    enterprises_for,
    is_governing,
    is_liaison,
    may_use_registry,
    workers_for,
)
from nuanxin.registry.forms import ImportForm
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import (
    Enterprise,
    ImportJob,
    Registration,
    RegistrationStatus,
    SurveyCampaign,
    SurveyFinding,
    Worker,
)
from nuanxin.registry.selectors import campaigns_for, registrations_for
from nuanxin.registry.services.enterprises import AUDITED_FIELDS, LIAISON_FIELDS


class RegistryAdmin(ScopedAdmin):
    """Open to liaisons as well as region staff; each subclass scopes its own queryset."""

    def _is_governing(self, request: HttpRequest) -> bool:
        return may_use_registry(request.user)


class EnterpriseAdminForm(EdgeModelForm):
    class Meta:
        model = Enterprise
        fields = [*AUDITED_FIELDS, "liaisons"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "liaisons" in self.fields:
            self.fields["liaisons"].queryset = User.objects.filter(role=Role.ENTERPRISE_LIAISON)

    def clean_credit_code(self) -> str | None:
        return self.cleaned_data.get("credit_code") or None


@admin.register(Enterprise)
class EnterpriseAdmin(RegistryAdmin):
    form = EnterpriseAdminForm
    staff_can_add = True
    staff_can_change = True
    list_display = ["name", "credit_code", "kind", "industry", "platform_brand", "region", "status"]
    list_filter = ["kind", "industry", "status", "hq_outside_city"]
    search_fields = ["name", "credit_code", "platform_brand"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["liaisons"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return enterprises_for(request.user).select_related("region")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_governing(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if is_liaison(request.user):
            return [f for f in [*AUDITED_FIELDS, "liaisons"] if f not in LIAISON_FIELDS]
        return []

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in AUDITED_FIELDS}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            services.enterprise_update(enterprise=obj, actor=request.user, changes=changed)
        else:
            obj.pk = services.enterprise_create(actor=request.user, **data).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if "liaisons" in form.cleaned_data and "liaisons" in form.changed_data:
            services.enterprise_set_liaisons(
                enterprise=form.instance,
                liaisons=list(form.cleaned_data["liaisons"]),
                actor=request.user,
            )


class WorkerAdminForm(EdgeModelForm):
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, required=False)
    id_number = forms.CharField(label=gettext_lazy("身份证号"), max_length=30, required=False)

    class Meta:
        model = Worker
        fields = [
            "name", "phone", "id_number", "gender", "birth_year", "occupation", "enterprises",
            "work_region", "home_region", "political_status", "union_member", "status",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The admin never prints the numbers: it shows masks, a new number replaces them.
            for name, masked in (("phone", self.instance.masked_phone),
                                 ("id_number", self.instance.masked_id_number)):  # fmt: skip
                self.initial[name] = ""
                self.fields[name].help_text = _("当前：%(masked)s；留空则不变。") % {
                    "masked": masked or "—"
                }


@admin.register(Worker)
class WorkerAdmin(PhoneSearch, RegistryAdmin):
    form = WorkerAdminForm
    staff_can_add = True
    staff_can_change = True
    list_display = ["name", "masked_phone", "occupation", "region", "political_status", "status"]
    list_filter = ["occupation", "political_status", "status", "union_member"]
    # A whole number or its last four digits, sealed or not (PhoneSearch).
    search_fields = ["name", "=phone", "=phone_tail"]
    list_select_related = ["region"]
    autocomplete_fields = ["work_region", "home_region", "enterprises"]

    @admin.display(description=gettext_lazy("手机号"))
    def masked_phone(self, obj: Worker) -> str:
        return obj.masked_phone

    def get_queryset(self, request: HttpRequest) -> Any:
        return workers_for(request.user).select_related("region")

    def save_model(self, request: HttpRequest, obj: Worker, form: Any, change: bool) -> None:
        data = dict(form.cleaned_data)
        enterprises = list(data.pop("enterprises", []))
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data
                       and (k not in {"phone", "id_number"} or v)}  # fmt: skip
            services.worker_update(
                worker=obj, actor=request.user, changes=changed, enterprises=enterprises
            )
        else:
            obj.pk = services.worker_create(actor=request.user, enterprises=enterprises, **data).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Links were written by the service."""


@admin.register(Registration)
class RegistrationAdmin(RegistryAdmin):
    list_display = ["subject", "community", "status", "channel", "submitted_at", "decided_at"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in Registration._meta.fields]
    actions = ["accept_selected"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return registrations_for(request.user)

    @admin.action(description=gettext_lazy("通过所选的报到"))
    def accept_selected(self, request: HttpRequest, queryset: Any) -> None:
        accepted = 0
        for registration in queryset.filter(status=RegistrationStatus.SUBMITTED):
            try:
                services.registration_accept(registration=registration, reviewer=request.user)
                accepted += 1
            except ApplicationError as error:
                messages.error(request, f"{registration}: {error.message}")
        messages.success(request, _("已通过 %(n)s 条报到。") % {"n": accepted})


class FindingInline(admin.TabularInline):
    model = SurveyFinding
    fields = ["kind", "outcome", "region", "enterprise", "worker", "organisation_name", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignAdminForm(EdgeModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["name", "description", "start_date", "end_date", "target_regions"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(RegistryAdmin):
    form = CampaignAdminForm
    staff_can_add = True
    list_display = ["name", "start_date", "end_date", "closed_at"]
    readonly_fields = ["baseline", "final", "closed_at"]
    autocomplete_fields = ["target_regions"]
    inlines = [FindingInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return campaigns_for(request.user)

    def _is_governing(self, request: HttpRequest) -> bool:
        return is_governing(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        obj.pk = services.campaign_create(
            actor=request.user,
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            target_regions=list(data["target_regions"]),
            description=data["description"],
        ).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Targets were set by the service, with the baseline taken from them."""


@admin.register(ImportJob)
class ImportJobAdmin(RegistryAdmin):
    region_field = None
    list_display = ["file_name", "status", "mode", "created_by", "created_at", "error_count"]
    list_filter = ["status", "mode"]
    fields = ["file_name", "status", "mode", "campaign", "created_by", "created_at",
              "duration_ms", "counts", "problems"]  # fmt: skip
    readonly_fields = fields
    change_list_template = "registry/admin/importjob_changelist.html"

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super(ScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return qs
        path = jurisdiction_path(request.user)
        if path:
            return qs.filter(region_path__startswith=path) | qs.filter(created_by=request.user)
        return qs.filter(created_by=request.user)

    @admin.display(description=gettext_lazy("问题（行号、列、问题）"))
    def problems(self, obj: ImportJob) -> str:
        if not obj.errors:
            return "—"
        link = reverse("registry:import_errors", args=[obj.pk])
        rows = format_html_join(
            "", "<li>{} 第 {} 行 {}：{}</li>",
            ((e["sheet"], e["row"], e["column"], e["message"]) for e in obj.errors[:50]),
        )  # fmt: skip
        return format_html('<a href="{}">{}</a><ul>{}</ul>', link, _("下载错误报告"), rows)

    def get_urls(self) -> list[Any]:
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="registry_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """The Excel import from the back office: the same import as the page and the CLI."""
        if not self.has_module_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None,
                          campaigns=campaigns_for(request.user))  # fmt: skip
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = import_file(
                    file=upload,
                    actor=request.user,
                    mode=form.cleaned_data["mode"],
                    file_name=upload.name,
                    campaign=form.cleaned_data["campaign"],
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                job = outcome.job
                level = messages.SUCCESS if not job.errors else messages.WARNING
                self.message_user(request, job.get_status_display(), level)
                return redirect("admin:registry_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入 Excel 台账"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "registry/admin/upload.html", context)


@admin.register(SurveyFinding)
class SurveyFindingAdmin(RegistryAdmin):
    region_field = "region"
    list_display = ["campaign", "kind", "outcome", "region", "recorded_at"]
    list_filter = ["kind", "outcome", "campaign"]
    readonly_fields = [f.name for f in SurveyFinding._meta.fields]

    def _is_governing(self, request: HttpRequest) -> bool:
        return is_governing(request.user)
