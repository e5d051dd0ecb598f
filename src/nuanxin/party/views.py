"""Pages: party-work staff (organisation tree, an organisation, coverage and 应建尽建, a
meeting's sign-in sheet) and members (亮身份, my branch's meetings, signing in)."""

import datetime as dt
from functools import partial

import qrcode
import qrcode.image.svg
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_date
from nuanxin.core.pages import back, guarded, run
from nuanxin.party import services
from nuanxin.party.access import is_party_staff, require_party_staff
from nuanxin.party.models import (
    Attendance,
    Badge,
    LeaveReason,
    MeetingKind,
    MembershipKind,
    OfficerPost,
    OrgStatus,
)
from nuanxin.party.selectors import coverage, meetings, staff
from nuanxin.party.selectors.committee import departments_on, overdue_items
from nuanxin.party.services.meetings import signin_window
from nuanxin.party.services.people import open_membership_of_user
from nuanxin.party.views_mass import grids_of, organisation_form_context

TEMPLATE = "party/error.html"
page = partial(guarded, template=TEMPLATE)
# Party-work staff only; the check is declared on each view, so menus offer them to no one else.
staff_page = partial(guarded, check=is_party_staff, template=TEMPLATE)


# --- party-work staff ---


@staff_page
def tree(request: HttpRequest) -> HttpResponse:
    nodes = staff.organisation_tree(request.user)
    return render(
        request,
        "party/staff/tree.html",
        {
            "nodes": nodes,
            "members": sum(n.members for n in nodes),
            "activists": sum(n.activists for n in nodes),
            **organisation_form_context(request.user),
        },
    )


@staff_page
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = staff.organisation_for_staff(request.user, pk)
    members = staff.memberships_for(request.user).filter(organisation=org, left_on__isnull=True)
    history = staff.memberships_for(request.user).filter(organisation=org, left_on__isnull=False)
    targets = staff.organisations_for(request.user).filter(status=OrgStatus.ACTIVE).exclude(pk=pk)
    return render(
        request,
        "party/staff/organisation.html",
        {
            "org": org,
            "members": members.order_by("kind", "worker__name"),
            "history": history.order_by("-left_on")[:50],
            "life": meetings.branch_life(org),
            "meetings": org.meetings.order_by("-starts_at")[:20],
            "officers": org.officers.filter(ended_on__isnull=True),
            "targets": targets.order_by("name"),
            "reasons": [r for r in LeaveReason.choices if r[0] != LeaveReason.TRANSFER],
            "kinds": MeetingKind.choices,
            "member_kinds": MembershipKind.choices,
            "covered": org.covered_enterprises.order_by("name"),
            "posts": OfficerPost.choices,
            "today": timezone.localdate(),
        },
    )


@require_POST
@staff_page
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff.membership_for_staff(request.user, pk)
    fallback = reverse("party:organisation", args=[membership.organisation_id])

    def call() -> object:
        target = staff.organisation_for_staff(request.user, _int(request.POST.get("to")))
        return services.membership_transfer(
            actor=request.user, membership=membership, to_organisation=target,
            on=_date(request.POST.get("on")), note=request.POST.get("note", ""),
        )  # fmt: skip

    run(request, call, _("组织关系已转接。"))
    return back(request, fallback)


@require_POST
@staff_page
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff.membership_for_staff(request.user, pk)
    fallback = reverse("party:organisation", args=[membership.organisation_id])
    run(
        request,
        lambda: services.membership_end(
            actor=request.user,
            membership=membership,
            on=_date(request.POST.get("on")),
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        ),
        _("已办理转出。"),
    )
    return back(request, fallback)


@require_POST
@staff_page
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    org = staff.organisation_for_staff(request.user, pk)

    def call() -> object:
        starts = _datetime(request.POST.get("starts_at"))
        ends = _datetime(request.POST.get("ends_at"))
        return services.meeting_schedule(
            actor=request.user, organisation=org, kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""), starts_at=starts, ends_at=ends,
            place=request.POST.get("place", ""), online_link=request.POST.get("online_link", ""),
        )  # fmt: skip

    run(request, call, _("活动已安排，已通知支部党员。"))
    return back(request, reverse("party:organisation", args=[pk]))


@staff_page
def staff_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = staff.meeting_for_staff(request.user, pk)
    scan = request.build_absolute_uri(reverse("party:scan", args=[meeting.pk, meeting.qr_token]))
    image = qrcode.make(scan, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    rows = Attendance.objects.filter(meeting=meeting).select_related("membership__worker")
    return render(
        request,
        "party/staff/meeting.html",
        {
            "meeting": meeting,
            "rows": rows.order_by("at"),
            "qr_svg": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308 - generated here
            "scan_url": scan,
            "window": signin_window(meeting),
        },
    )


@require_POST
@staff_page
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = staff.meeting_for_staff(request.user, pk)
    run(
        request,
        lambda: services.meeting_record_minutes(
            actor=request.user,
            meeting=meeting,
            minutes=request.POST.get("minutes", ""),
            resolutions=request.POST.get("resolutions", ""),
        ),
        _("会议记录已保存。"),
    )
    return back(request, reverse("party:staff_meeting", args=[pk]))


@require_POST
@staff_page
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = staff.meeting_for_staff(request.user, pk)
    run(
        request,
        lambda: services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")[:300]
        ),
        _("活动已取消，已通知支部党员。"),
    )
    return back(request, reverse("party:staff_meeting", args=[pk]))


@require_POST
@staff_page
def membership_kind(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff.membership_for_staff(request.user, pk)
    run(
        request,
        lambda: services.membership_set_kind(
            actor=request.user, membership=membership, kind=request.POST.get("kind", "")
        ),
        _("党员类别已变更。"),
    )
    return back(request, reverse("party:organisation", args=[membership.organisation_id]))


@require_POST
@staff_page
def membership_mobile(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff.membership_for_staff(request.user, pk)
    mobile = request.POST.get("mobile") == "1"
    run(
        request,
        lambda: services.membership_set_mobile(
            actor=request.user, membership=membership, mobile=mobile
        ),
        _("已标记为流动党员。") if mobile else _("已取消流动党员标记。"),
    )
    return back(request, reverse("party:organisation", args=[membership.organisation_id]))


@staff_page
def coverage_page(request: HttpRequest) -> HttpResponse:
    region = staff.area_for(request.user, request.GET.get("region") or None)
    total, children = coverage.coverage_rates(region)
    return render(
        request,
        "party/staff/coverage.html",
        {
            "region": region,
            "total": total,
            "children": children,
            "must": coverage.must_set_up_list(region.path),
            "threshold": coverage.must_set_up_threshold(),
            "months": coverage.coverage_by_month(region, months=12),
        },
    )


@staff_page
def committee(request: HttpRequest) -> HttpResponse:
    require_party_staff(request.user)
    on = query_date(request.GET.get("on")) or timezone.localdate()
    return render(
        request,
        "party/staff/committee.html",
        {"on": on, "departments": departments_on(on), "overdue": overdue_items()},
    )


@staff_page
def grid_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "party/staff/grid.html",
        {"rows": staff.grid_members_for(request.user), "grids": grids_of(request.user),
         "today": timezone.localdate()},
    )  # fmt: skip


# --- members ---


@page
def mine(request: HttpRequest) -> HttpResponse:
    membership = open_membership_of_user(request.user)
    badge = Badge.objects.filter(user=request.user).first()
    return render(
        request,
        "party/mine.html",
        {
            "membership": membership,
            "shown": bool(badge and badge.shown and membership),
            "meetings": meetings.meetings_of_member(request.user),
        },
    )


@require_POST
@page
def badge(request: HttpRequest) -> HttpResponse:
    shown = request.POST.get("shown") == "1"
    run(
        request,
        lambda: services.badge_set(user=request.user, shown=shown),
        _("已亮明党员身份。") if shown else _("已撤回亮身份，他人将看不到您的党员身份。"),
    )
    return redirect("party:mine")


@page
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    item = meetings.meeting_of_member(request.user, pk)
    opens, closes = signin_window(item)
    now = timezone.now()
    membership = open_membership_of_user(request.user)
    return render(
        request,
        "party/meeting.html",
        {
            "meeting": item,
            "attendance": meetings.attendance_of(request.user, item),
            "open": opens <= now <= closes and item.status != "cancelled",
            "opens": opens,
            "mobile": bool(membership and membership.mobile),
            "ended": now > closes,
        },
    )


@require_POST
@page
def sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    item = meetings.meeting_of_member(request.user, pk)
    run(
        request,
        lambda: services.meeting_sign_in(
            user=request.user,
            meeting=item,
            method=request.POST.get("method", ""),
            token=request.POST.get("token", ""),
        ),
        _("签到成功。"),
    )
    return redirect("party:meeting", pk=pk)


@require_POST
@page
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    item = meetings.meeting_of_member(request.user, pk)
    run(
        request,
        lambda: services.meeting_absence(
            user=request.user, meeting=item, reason=request.POST.get("reason", "")
        ),
        _("已请假。"),
    )
    return redirect("party:meeting", pk=pk)


@page
def scan(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The page the QR at the place opens: one tap signs the member in."""
    item = meetings.meeting_of_member(request.user, pk)
    return render(request, "party/scan.html", {"meeting": item, "token": token[:64]})


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        number = 0
    if not 1 <= number <= 2**31:
        raise ApplicationError("party.invalid_choice", _("请选择有效的选项。"))
    return number


def _date(value: str | None) -> dt.date:
    day = query_date(value)
    if day is None:
        raise ApplicationError("party.invalid_date", _("请填写有效的日期。"), extra={"field": "on"})
    return day


def _datetime(value: str | None) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value or "")
    except ValueError:
        raise ApplicationError("party.invalid_time", _("请填写有效的时间。")) from None
    if not 2000 <= at.year <= 2100:
        raise ApplicationError("party.invalid_time", _("请填写有效的时间。"))
    return timezone.make_aware(at) if timezone.is_naive(at) else at
