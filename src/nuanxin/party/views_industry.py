"""Pages of the industry figures (党建+电商 / 党建+直播 / 党建+产销): the figures of the caller's
area with charts over time, a form to record a period, the .xlsx import and its template."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import EdgeForm, query_date
from nuanxin.core.pages import guarded, run
from nuanxin.core.scoping import scope_to_jurisdiction
from nuanxin.core.xlsx import xlsx_response
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.party import services
from nuanxin.party.access import is_party_staff
from nuanxin.party.models import FIGURE_FIELDS, IndustryScope, IndustryTheme
from nuanxin.party.selectors.industry import figures_for, series_for
from nuanxin.party.services.industry import figure_labels
from nuanxin.party.services.industry_import import amount, columns, enterprise_named

TEMPLATE = "party/error.html"


class IndustryImportForm(EdgeForm):
    file = forms.FileField(
        label=gettext_lazy("产业数据表格（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不导入"), required=False)


def _regions(user: Any) -> list[Region]:
    """The counties and streets of the caller's area, for the form's region list."""
    qs = Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.STREET])
    return list(scope_to_jurisdiction(qs, user, region_field=None).order_by("path"))


def _charts(user: Any) -> list[dict[str, Any]]:
    labels = figure_labels()
    out = []
    for name in FIGURE_FIELDS:
        series = series_for(user, name)
        if series:
            out.append({"key": name, "title": labels[name], "series": series})
    return out


def _page(
    request: HttpRequest,
    *,
    form: IndustryImportForm | None = None,
    report: Any = None,
    status: int = 200,
) -> HttpResponse:
    rows = figures_for(request.user).order_by("-period_end", "subject")
    return render(
        request,
        "party/staff/industry.html",
        {
            "rows": rows[:300],
            "total": rows.count(),
            "charts": _charts(request.user),
            "themes": IndustryTheme.choices,
            "scopes": IndustryScope.choices,
            "regions": _regions(request.user),
            "labels": figure_labels(),
            "form": form or IndustryImportForm(),
            "report": report,
        },
        status=status,
    )


def _record(request: HttpRequest) -> object:
    post = request.POST
    scope = post.get("scope", "")
    place: dict[str, Any] = {"enterprise": None, "region": None, "chain_name": ""}
    if scope in (IndustryScope.ENTERPRISE, IndustryScope.PARK):
        place["enterprise"] = enterprise_named(post.get("subject", ""), request.user)
    else:
        code = (post.get("region") or "").strip()[:32]
        region = Region.objects.filter(code=code).first() if code else None
        if code and region is None:
            raise ApplicationError("party.unknown_region", _("区域不存在。"))
        place["region"] = region
        place["chain_name"] = post.get("subject", "")[:200]
    start, end = query_date(post.get("period_start")), query_date(post.get("period_end"))
    figures = {name: amount(post.get(name), name) for name in FIGURE_FIELDS}
    return services.industry_figure_record(
        actor=request.user, theme=post.get("theme", ""), scope=scope, period_start=start,
        period_end=end, note=post.get("note", "")[:400], **place, **figures,
    )  # fmt: skip


def industry(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def record(request: HttpRequest) -> HttpResponse:
    run(request, lambda: _record(request), _("产业数据已保存。"))
    return redirect("party:industry")


@require_POST
def import_sheet(request: HttpRequest) -> HttpResponse:
    form = IndustryImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    report = services.industry_figures_import_xlsx(
        actor=request.user, file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
    )
    if report.ok and not report.dry_run:
        messages.success(
            request,
            _("导入完成：新增 %(created)d 条，更正 %(updated)d 条。")
            % {"created": report.created, "updated": report.updated},
        )
        return redirect("party:industry")
    return _page(request, form=form, report=report, status=200 if report.ok else 400)


def template(request: HttpRequest) -> HttpResponse:
    """The import template: the headers and one example row of each kind of subject."""
    headers = [label for _key, label in columns()]
    county = _("某某县")
    examples = [
        [str(IndustryTheme.ECOMMERCE.label), str(IndustryScope.COUNTY.label), county,
         "2022-01-01", "2022-12-31", "", 1380000000, 7800, None, None, _("全年网络零售额")],
        [str(IndustryTheme.LIVESTREAM.label), str(IndustryScope.CHAIN.label), _("某某菠萝"),
         "2023-01-01", "2023-03-31", county, 60000000, None, 300, 1400000, ""],
    ]  # fmt: skip
    return xlsx_response(_("产业数据"), headers, examples, filename=_("产业数据导入模板.xlsx"))


staff = dict(check=is_party_staff, template=TEMPLATE)
industry = guarded(industry, **staff)
record = guarded(record, **staff)
import_sheet = guarded(import_sheet, **staff)
template = guarded(template, **staff)
