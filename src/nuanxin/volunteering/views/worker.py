"""Worker pages: projects near me and in my community, a project, my claims, the scan page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_int
from nuanxin.core.schema import MAX_COUNT
from nuanxin.volunteering import selectors, services
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    ClaimStatus,
    HelpedGroup,
    LivestreamPlatform,
)
from nuanxin.volunteering.views._common import back, run, worker_page


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def project_list(request: HttpRequest) -> HttpResponse:
    """Nearby projects (when the browser shared its position) and those of my community."""
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        lon = lat = None
    cards = []
    if request.user.is_authenticated:
        cards = selectors.projects_for_worker(request.user, lon=lon, lat=lat)
    return render(
        request,
        "volunteering/list.html",
        {"cards": cards, "located": lon is not None, "lon": lon, "lat": lat},
    )


@worker_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_for_worker(pk)
    return render(
        request,
        "volunteering/project.html",
        {"project": project, "lines": selectors.upcoming_lines(project, request.user)},
    )


@require_POST
@worker_page
def claim(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = selectors.session_for_worker(session_pk)
    try:
        created = services.claim_create(session=session, worker=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if created.status == ClaimStatus.CLAIMED:
            messages.success(
                request, _("认领成功！您的认领码是 %(code)s。") % {"code": created.code}
            )
        else:
            messages.info(request, _("名额已满或党员优先期内，您已进入候补，递补后会通知您。"))
    return back(request, reverse("volunteering:project", args=[session.project_id]))


@require_POST
@worker_page
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim_obj = selectors.claim_of_worker(request.user, pk)
    run(
        request,
        lambda: services.claim_withdraw(claim=claim_obj, worker=request.user),
        _("已撤回认领，名额已让出。"),
    )
    return back(request, reverse("volunteering:mine"))


@worker_page
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteering/mine.html",
        {
            "rows": selectors.claim_rows(request.user),
            "summary": selectors.hours_of(request.user),
            "channels": selectors.channels_of(request.user),
            "platforms": LivestreamPlatform.choices,
            "now": timezone.now(),
        },
    )


def _count(request: HttpRequest, name: str, empty: int = -1) -> int:
    """A count from the form (``empty`` when left blank); anything not a whole number becomes
    -1, which the service refuses with its own error code."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return empty
    number = query_int(raw, ge=0, le=MAX_COUNT)
    return -1 if number is None else number


@require_POST
@worker_page
def report_errands(request: HttpRequest, pk: int) -> HttpResponse:
    claim_obj = selectors.claim_of_worker(request.user, pk)
    run(
        request,
        lambda: services.errands_report(
            claim=claim_obj,
            worker=request.user,
            errands=_count(request, "errands"),
            helped={
                HelpedGroup.ELDERLY: _count(request, "elderly", empty=0),
                HelpedGroup.DISABLED: _count(request, "disabled", empty=0),
                HelpedGroup.OTHER: _count(request, "other", empty=0),
            },
            note=request.POST.get("note", ""),
        ),
        _("已上报随手办记录，等待社区核验。"),
    )
    return back(request, reverse("volunteering:mine"))


@require_POST
@worker_page
def report_livestream(request: HttpRequest, pk: int) -> HttpResponse:
    claim_obj = selectors.claim_of_worker(request.user, pk)
    run(
        request,
        lambda: services.livestream_report(
            claim=claim_obj,
            worker=request.user,
            product=request.POST.get("product", ""),
            platform=request.POST.get("platform", ""),
            minutes=_count(request, "minutes"),
            viewers=_count(request, "viewers"),
            items_sold=_count(request, "items_sold"),
        ),
        _("已上报随时推记录，等待社区核验。"),
    )
    return back(request, reverse("volunteering:mine"))


@worker_page
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens: check in, or check out (with the quantity for leaflet tasks)."""
    session = services.session_from_token(token)
    if request.method == "POST":
        lon, lat = _float(request.POST.get("lon")), _float(request.POST.get("lat"))
        location = (lon, lat) if lon is not None and lat is not None else None
        if request.POST.get("op") == "check_out":
            quantity = request.POST.get("quantity") or None
            run(
                request,
                lambda: services.attendance_check_out(
                    token=token,
                    worker=request.user,
                    quantity=int(quantity) if quantity and quantity.isdigit() else None,
                    location=location,
                ),
                _("签退成功，感谢您的付出！"),
            )
        else:
            run(
                request,
                lambda: services.attendance_check_in(
                    token=token, worker=request.user, location=location
                ),
                _("签到成功！"),
            )
        return redirect("volunteering:scan", token=token)
    claim_obj = (
        session.claims.filter(worker=request.user, status__in=["claimed", "waitlisted"])
        .select_related("attendance")
        .first()
    )
    attendance = None
    if claim_obj is not None:
        attendance = Attendance.objects.filter(claim=claim_obj).first()
    return render(
        request,
        "volunteering/scan.html",
        {
            "session": session,
            "project": session.project,
            "claim": claim_obj,
            "attendance": attendance,
            "checked_in": attendance is not None
            and attendance.status == AttendanceStatus.CHECKED_IN,
        },
    )


@require_POST
@worker_page
def report_quantity(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_of_worker(request.user, pk)
    raw = request.POST.get("quantity", "")
    run(
        request,
        lambda: services.attendance_report_quantity(
            attendance=attendance,
            worker=request.user,
            quantity=-1 if (number := query_int(raw, ge=0, le=MAX_COUNT)) is None else number,
        ),
        _("已更新发放数量。"),
    )
    return back(request, reverse("volunteering:mine"))
