"""Back-office views of the party app: visible to party-work staff only, inside their
jurisdiction; new organisations go through the service, everything else is read here and
changed on the staff pages or through the API."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nuanxin.core.admin import ScopedAdmin
from nuanxin.party import services
from nuanxin.party.access import is_party_staff
from nuanxin.party.models import (
    ActionItem,
    Attendance,
    Badge,
    CommitteeDepartment,
    CommitteeMeeting,
    CommitteeSeat,
    GridMember,
    IndustryFigure,
    InstructorAssignment,
    MassMembership,
    MassOrganisation,
    Meeting,
    Membership,
    Officer,
    Organisation,
    OrgStatusChange,
)


class PartyAdmin(ScopedAdmin):
    """Party data is sensitive: the region rule of ScopedAdmin, and party work besides."""

    def _is_governing(self, request: HttpRequest) -> bool:
        return is_party_staff(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None and self.staff_can_add:
            return []
        return [f.name for f in self.model._meta.fields]


@admin.register(Organisation)
class OrganisationAdmin(PartyAdmin):
    list_display = ["name", "kind", "branch_type", "region", "founded_on", "status"]
    list_filter = ["kind", "branch_type", "status", "attachment"]
    search_fields = ["name", "chain_name"]
    list_select_related = ["region"]
    staff_can_add = True
    fields = ["name", "kind", "branch_type", "parent", "attachment", "enterprise", "chain_name",
              "region", "founded_on"]  # fmt: skip
    raw_id_fields = ["parent", "enterprise", "region"]

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        created = services.organisation_create(
            actor=request.user, name=obj.name, kind=obj.kind, attachment=obj.attachment,
            region=obj.region, founded_on=obj.founded_on, branch_type=obj.branch_type,
            parent=obj.parent, enterprise=obj.enterprise, chain_name=obj.chain_name,
        )  # fmt: skip
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Covered enterprises are set through ``organisation_set_covered``, not the form."""


@admin.register(Membership)
class MembershipAdmin(PartyAdmin):
    region_field = "organisation__region"
    list_display = ["worker", "organisation", "kind", "mobile", "joined_on", "left_on"]
    list_filter = ["kind", "mobile", "leave_reason"]
    search_fields = ["worker__name", "organisation__name"]
    list_select_related = ["worker", "organisation"]


@admin.register(Meeting)
class MeetingAdmin(PartyAdmin):
    region_field = "organisation__region"
    list_display = ["title", "organisation", "kind", "starts_at", "status"]
    list_filter = ["kind", "status"]
    exclude = ["qr_token"]


@admin.register(OrgStatusChange)
class OrgStatusChangeAdmin(PartyAdmin):
    region_field = "organisation__region"
    list_display = ["organisation", "status", "on", "note", "actor", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["organisation", "actor"]


@admin.register(Officer)
class OfficerAdmin(PartyAdmin):
    region_field = "organisation__region"
    list_display = ["name", "post", "organisation", "started_on", "ended_on"]
    list_filter = ["post"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Attendance)
class AttendanceAdmin(PartyAdmin):
    region_field = "meeting__organisation__region"
    list_display = ["meeting", "membership", "method", "at", "absence_reason"]
    list_filter = ["method"]
    list_select_related = ["meeting", "membership__worker"]


@admin.register(Badge)
class BadgeAdmin(PartyAdmin):
    """Whether a member shows the pioneer badge: their own choice, made on their profile."""

    region_field = "user__region"
    list_display = ["user", "shown", "changed_at"]
    list_filter = ["shown"]
    list_select_related = ["user"]


@admin.register(IndustryFigure)
class IndustryFigureAdmin(PartyAdmin):
    list_display = ["subject", "theme", "scope", "period_start", "period_end", "sales_yuan"]
    list_filter = ["theme", "scope"]
    search_fields = ["subject"]
    list_select_related = ["region"]


@admin.register(MassOrganisation)
class MassOrganisationAdmin(PartyAdmin):
    list_display = ["name", "kind", "region", "enterprise", "founded_on"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["region", "enterprise"]


@admin.register(MassMembership)
class MassMembershipAdmin(PartyAdmin):
    region_field = "organisation__region"
    list_display = ["worker", "organisation", "joined_on", "left_on"]
    search_fields = ["worker__name", "organisation__name"]
    list_select_related = ["worker", "organisation"]


@admin.register(InstructorAssignment)
class InstructorAdmin(PartyAdmin):
    region_field = "enterprise__region"
    list_display = ["name", "enterprise", "started_on", "ended_on"]


@admin.register(GridMember)
class GridMemberAdmin(PartyAdmin):
    region_field = "grid"
    list_display = ["user", "grid", "joined_on", "left_on"]


class CommitteeAdmin(PartyAdmin):
    city_wide = True


@admin.register(CommitteeDepartment)
class DepartmentAdmin(CommitteeAdmin):
    list_display = ["name"]


@admin.register(CommitteeSeat)
class SeatAdmin(CommitteeAdmin):
    list_display = ["department", "joined_on", "left_on"]


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(CommitteeAdmin):
    list_display = ["title", "kind", "held_on"]


@admin.register(ActionItem)
class ActionItemAdmin(CommitteeAdmin):
    list_display = ["title", "owner", "due_on", "status"]
    list_filter = ["status"]
