"""Back office for 随手拍: city admins configure categories, departments, routes and templates;
staff browse reports of their area (decisions are taken on the queue pages or by the actions
here, all through the services)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.reports import services
from nuanxin.reports.models import Category, CategoryRoute, Department, Report, ResponseTemplate
from nuanxin.reports.presenters import masked_reporter
from nuanxin.reports.services.categories import CATEGORY_FIELDS, require_city_admin


class CityConfigAdmin(ScopedAdmin):
    """City-wide configuration: every governing user may look, only city admins change."""

    city_wide = True
    staff_can_add = True
    staff_can_change = True

    def _is_city_admin(self, request: HttpRequest) -> bool:
        try:
            require_city_admin(request.user)
        except ApplicationError:
            return False
        return jurisdiction_path(request.user) is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_city_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)


@admin.register(Category)
class CategoryAdmin(CityConfigAdmin):
    list_display = [
        "name",
        "code",
        "group",
        "points",
        "department",
        "handling_hours",
        "anonymous_public",
        "is_active",
        "sort_order",
    ]
    list_filter = ["group", "is_active", "anonymous_public"]
    search_fields = ["name", "code", "keywords"]
    fields = CATEGORY_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in CATEGORY_FIELDS and k != "code"}
        saved = services.category_save(actor=request.user, code=obj.code, **data)
        obj.pk = saved.pk


@admin.register(Department)
class DepartmentAdmin(CityConfigAdmin):
    list_display = ["name", "code", "region", "phone", "is_active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "region", "phone", "is_active"]
    autocomplete_fields = ["region"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.department_save(
            actor=request.user,
            code=obj.code,
            name=data["name"],
            region=data.get("region"),
            phone=data.get("phone", ""),
            is_active=data.get("is_active", True),
        )
        obj.pk = saved.pk


@admin.register(CategoryRoute)
class CategoryRouteAdmin(CityConfigAdmin):
    list_display = ["category", "region", "department"]
    list_filter = ["category"]
    autocomplete_fields = ["region"]

    def save_model(self, request: HttpRequest, obj: CategoryRoute, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.category_route_set(
            actor=request.user,
            category=data["category"],
            region=data["region"],
            department=data["department"],
        )
        obj.pk = saved.pk if saved else None


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(CityConfigAdmin):
    list_display = ["title", "state", "category", "is_active"]
    list_filter = ["state", "category"]

    def save_model(
        self, request: HttpRequest, obj: ResponseTemplate, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = services.template_save(
            actor=request.user,
            state=data["state"],
            title=data["title"],
            text=data["text"],
            category=data.get("category"),
            is_active=data.get("is_active", True),
        )
        obj.pk = saved.pk


@admin.register(Report)
class ReportAdmin(ScopedAdmin):
    region_field = "region"
    list_display = [
        "id",
        "category",
        "state",
        "region",
        "reporter_masked",
        "created_at",
        "due_at",
        "points_awarded",
    ]
    list_filter = ["state", "category", "channel"]
    search_fields = ["id", "description"]
    list_select_related = ["category", "region", "reporter"]
    date_hierarchy = "created_at"
    exclude = ["reporter", "contact_name", "contact_phone", "contact_email", "submit_key"]
    actions = ["accept_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Report._meta.fields if f.name not in self.exclude]

    @admin.display(description=_("报告人"))
    def reporter_masked(self, obj: Report) -> str:
        return masked_reporter(obj)

    @admin.action(description=_("受理所选问题（发放积分）"))
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        result = services.reports_bulk_accept(
            ids=list(queryset.values_list("pk", flat=True)[:100]), reviewer=request.user
        )
        self.message_user(request, _("已受理 %(n)d 条。") % {"n": len(result.done)})
        if result.failed:
            self.message_user(request, str(result.failed), level=messages.WARNING)
