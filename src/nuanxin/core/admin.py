"""Admin base classes: jurisdiction-scoped lists, writes only through services, and the
services' refusals shown as form errors."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeModelForm
from nuanxin.core.models import AuditLog
from nuanxin.core.scoping import jurisdiction_path, scope_to_jurisdiction
from nuanxin.core.xlsx import xlsx_response

EXPORT_MAX = 100_000

_SERVICE_ERROR = "_nuanxin_service_error"


def with_service_error(form_class: type[forms.BaseForm], error: ApplicationError) -> type:
    """``form_class`` that fails validation with ``error``: on the field the error names
    (``extra["field"]``) when the form has it, else above the form."""

    class ServiceErrorForm(form_class):  # type: ignore[valid-type, misc]
        def clean(self) -> Any:
            cleaned = super().clean()
            field = error.extra.get("field")
            if isinstance(field, str) and field in self.fields:
                self.add_error(field, error.message)
            else:
                raise forms.ValidationError(error.message, code=error.code)
            return cleaned

    ServiceErrorForm.__name__ = form_class.__name__
    return ServiceErrorForm


def checked_form(request: HttpRequest, form_class: type) -> type:
    """The form class for this request: with the refusal of a first try, when there was one
    (for admins whose ``get_form`` builds its own class instead of calling ScopedAdmin's)."""
    error = getattr(request, _SERVICE_ERROR, None)
    return form_class if error is None else with_service_error(form_class, error)


class ScopedAdmin(admin.ModelAdmin):
    """A model admin whose rows are limited to the user's region subtree.

    ``region_field`` is the lookup from the model to its region (None: the rows are regions);
    ``city_wide`` rows belong to no region. Staff roles get view access to what they govern;
    ``staff_can_change``/``staff_can_add`` open writes, which subclasses route through services
    in ``save_model``. Deletion is off: records are closed or reversed through services, never
    removed.
    """

    # The edge's bounds on every number and date field (core.forms).
    form = EdgeModelForm
    region_field: str | None = "region"
    # Rows of the whole city (the shop's catalogue, categories): every governing user sees all.
    city_wide = False
    staff_can_add = False
    staff_can_change = False

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        if self.city_wide:
            return qs if self._is_governing(request) else qs.none()
        return scope_to_jurisdiction(qs, request.user, region_field=self.region_field)

    def _is_governing(self, request: HttpRequest) -> bool:
        return jurisdiction_path(request.user) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_governing(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_governing(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.staff_can_add and self._is_governing(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.staff_can_change and self._is_governing(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # A service refuses a save (ApplicationError from save_model, save_related or a formset):
    # the admin's own transaction rolls back, and the form is shown again with the user's
    # input and the refusal as a form error, instead of a 500 or a "saved" message.

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        return checked_form(request, super().get_form(request, obj, change=change, **kwargs))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            if request.method != "POST" or hasattr(request, _SERVICE_ERROR):
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            setattr(request, _SERVICE_ERROR, error)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        """An action a service refuses as a whole changes nothing and says why."""
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdmin):
    """Searching and exporting the audit log of one's area (read-only, like the log itself)."""

    region_field = None
    list_display = ["at", "actor", "action", "object_type", "object_id", "client_ip", "note"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["object_id", "action", "note", "client_ip", "actor__name"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    date_hierarchy = "at"
    actions = ["export_xlsx"]

    @admin.action(description=_("导出所选操作日志（.xlsx）"))
    def export_xlsx(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        rows = [
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(row.actor) if row.actor_id else "",
                row.action,
                row.object_type,
                row.object_id,
                row.region_path,
                json.dumps(row.before, ensure_ascii=False) if row.before is not None else "",
                json.dumps(row.after, ensure_ascii=False) if row.after is not None else "",
                row.note,
                row.client_ip,
            ]
            for row in queryset.select_related("actor").order_by("at", "id")[:EXPORT_MAX]
        ]
        headers = [
            str(_("时间")),
            str(_("操作人")),
            str(_("操作")),
            str(_("对象类型")),
            str(_("对象编号")),
            str(_("所属区域路径")),
            str(_("变更前")),
            str(_("变更后")),
            str(_("说明")),
            str(_("客户端地址")),
        ]
        audit_record(
            actor=request.user,
            action="core.audit_export",
            obj=request.user,
            after={"rows": len(rows)},
        )
        return xlsx_response(str(_("操作日志")), headers, rows, filename="audit-log.xlsx")

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("actor")
        path = jurisdiction_path(request.user)
        if path is None:
            return qs.none()
        return qs if path == "" else qs.filter(region_path__startswith=path)


# django-tasks-db's page lists every background task with its arguments, for everyone with
# admin access and for no region; a task's progress and result show on the page of what it
# computes (the siting runs), scoped there.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
