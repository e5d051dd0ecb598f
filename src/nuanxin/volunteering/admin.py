"""Back-office views of volunteering, read-only and scoped; state changes go through services
(the staff pages, or the actions below)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from nuanxin.core.admin import ScopedAdmin
from nuanxin.core.errors import ApplicationError
from nuanxin.volunteering import services
from nuanxin.volunteering.models import Attendance, Award, Claim, Project, Session


class _ReadOnly(ScopedAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


def _each(request: HttpRequest, queryset: QuerySet, call: Any, done: str) -> None:
    count = 0
    for obj in queryset:
        try:
            call(obj)
        except ApplicationError as error:
            messages.error(request, f"{obj}: {error.message}")
        else:
            count += 1
    if count:
        messages.success(request, done % {"n": count})


@admin.register(Project)
class ProjectAdmin(_ReadOnly):
    list_display = ["title", "kind", "region", "first_date", "last_date", "places", "status"]
    list_filter = ["status", "kind", "requirement"]
    search_fields = ["title", "place_name"]
    list_select_related = ["region"]
    actions = ["publish", "close"]

    @admin.action(description=_("发布所选项目"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset,
            lambda p: services.project_publish(project=p, actor=request.user),
            _("已发布 %(n)s 个项目。"),
        )

    @admin.action(description=_("截止所选项目的报名"))
    def close(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset,
            lambda p: services.project_close(project=p, actor=request.user),
            _("已截止 %(n)s 个项目。"),
        )


@admin.register(Session)
class SessionAdmin(_ReadOnly):
    region_field = "project__region"
    list_display = ["project", "starts_at", "ends_at", "places"]
    list_select_related = ["project"]
    date_hierarchy = "starts_at"


@admin.register(Claim)
class ClaimAdmin(_ReadOnly):
    region_field = "project__region"
    list_display = ["code", "project", "session", "worker", "status", "created_at"]
    list_filter = ["status", "held_back"]
    search_fields = ["code"]
    list_select_related = ["project", "session__project", "worker"]


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    region_field = "project__region"
    list_display = ["claim", "project", "worker", "status", "outcome", "hours_verified"]
    list_filter = ["status", "outcome"]
    list_select_related = ["claim", "project", "worker"]


@admin.register(Award)
class AwardAdmin(_ReadOnly):
    region_field = "attendance__project__region"
    list_display = ["transfer_id", "points_requested", "points_granted", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["transfer_id"]
