import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from nuanxin.core.errors import ApplicationError
from nuanxin.core.pages import login_page
from nuanxin.core.pwa import OFFLINE_HEADER
from nuanxin.geo.coords import point_to_wgs84
from nuanxin.points.rules import shortfall_text
from nuanxin.reports import presenters, services
from nuanxin.reports.models import Category, Report
from nuanxin.reports.photos import MAX_PHOTOS
from nuanxin.reports.questions import questions_clean
from nuanxin.reports.selectors import (
    categories_active,
    category_get,
    events_for_reporter,
    nearby_radius_m,
    report_of_reporter,
    reports_nearby,
    reports_of_reporter,
)


def _answers_from_post(request: HttpRequest, category: Category) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in questions_clean(category.questions):
        name = f"q_{category.code}_{question['code']}"
        if question["type"] == "multi":
            values = request.POST.getlist(name)
            if values:
                answers[question["code"]] = values
        elif request.POST.get(name, "") != "":
            answers[question["code"]] = request.POST[name]
    return answers


def _form_context(request: HttpRequest, error: ApplicationError | None = None) -> dict[str, Any]:
    cats = list(categories_active())
    return {
        "categories": cats,
        "category_questions": [(c, questions_clean(c.questions)) for c in cats],
        "submit_key": request.POST.get("submit_key") or uuid.uuid4().hex,
        "max_photos": MAX_PHOTOS,
        "radius_m": int(nearby_radius_m()),
        "error": error,
        "posted": request.POST if request.method == "POST" else {},
    }


@login_page
def new(request: HttpRequest) -> HttpResponse:
    """The map-first report form; a retry of a failed post carries the same submit key."""
    if request.method == "POST":
        try:
            category = category_get(request.POST.get("category", ""))
            report = services.report_submit(
                reporter=request.user,
                category=category,
                lon=_float(request.POST.get("lon")),
                lat=_float(request.POST.get("lat")),
                coord_system=request.POST.get("coord_system") or "wgs84",
                description=request.POST.get("description", ""),
                answers=_answers_from_post(request, category),
                address=request.POST.get("address", ""),
                photos=request.FILES.getlist("photos"),
                submit_key=request.POST.get("submit_key", ""),
            )
        except ApplicationError as exc:
            return render(request, "reports/new.html", _form_context(request, exc), status=400)
        messages.success(request, _("提交成功！审核通过后将获得积分。"))
        target = reverse("reports:mine_detail", args=[report.pk])
        if request.htmx:
            # The form's script posts with fetch (its draft kept first): it is told where to go
            # rather than sent there, so the page that shows the message above is loaded once.
            return HttpResponseClientRedirect(target)
        return redirect(target)
    response = render(request, "reports/new.html", _form_context(request))
    # The app's service worker keeps this page on the phone: a report can then be written with
    # no signal and is kept as a draft until the connection returns.
    response[OFFLINE_HEADER] = "keep"
    return response


def _float(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApplicationError("geo.bad_coordinates", _("请先在地图上选择位置。")) from None


@login_required
def nearby(request: HttpRequest) -> HttpResponse:
    """The open reports of the chosen category around the chosen point (an htmx fragment)."""
    found: list[Any] = []
    try:
        lon, lat = point_to_wgs84(
            _float(request.GET.get("lon")),
            _float(request.GET.get("lat")),
            request.GET.get("coord_system") or "wgs84",
        )
        code = request.GET.get("category")
        category = category_get(code) if code else None
        found = reports_nearby(category=category, lon=lon, lat=lat)
    except ApplicationError:
        found = []
    items = [
        {
            "report": n.report,
            "distance": round(n.distance_m / 10) * 10,
            "summary": "" if n.report.category.anonymous_public else n.report.description[:60],
            "own": n.report.reporter_id == request.user.pk,
        }
        for n in found
    ]
    return render(
        request, "reports/_nearby.html", {"items": items, "radius_m": int(nearby_radius_m())}
    )


@login_required
@require_POST
def support(request: HttpRequest, report_id: int) -> HttpResponse:
    report = Report.objects.filter(pk=report_id).first()
    try:
        if report is None:
            raise ApplicationError("reports.not_found", _("问题不存在。"), status=404)
        services.report_support(report=report, user=request.user, note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:new")
    messages.success(request, _("已附议 #%(id)d，感谢您的补充！") % {"id": report.pk})
    return redirect("reports:mine")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    reports = list(reports_of_reporter(request.user)[:100])
    supported = Report.objects.filter(supports__user=request.user).select_related("category")[:50]
    return render(request, "reports/mine.html", {"reports": reports, "supported": supported})


@login_required
def mine_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = report_of_reporter(request.user, report_id)
    except ApplicationError as exc:
        return render(request, "reports/error.html", {"error": exc}, status=exc.status)
    context = {
        "report": report,
        "events": events_for_reporter(report),
        "photos": [presenters.photo_urls(p) for p in report.photos.all()],
        "can_reopen": presenters.can_reopen(report, request.user),
        "answers": _answer_lines(report),
        "points_note": shortfall_text(report.points_limited_by),
    }
    return render(request, "reports/mine_detail.html", context)


def _answer_lines(report: Report) -> list[tuple[str, str]]:
    lines = []
    for question in questions_clean(report.category.questions):
        if question["code"] not in report.answers:
            continue
        value = report.answers[question["code"]]
        names = {o["key"]: o["name"] for o in question["options"]}
        if isinstance(value, list):
            text = "、".join(names.get(v, v) for v in value)
        elif isinstance(value, bool):
            text = _("是") if value else _("否")
        else:
            text = names.get(str(value), str(value))
        lines.append((question["label"], text))
    return lines


@login_required
@require_POST
def reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = report_of_reporter(request.user, report_id)
        services.report_reopen(
            report=report, reporter=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新打开，工作人员会再次处理。"))
    return redirect("reports:mine_detail", report_id)
