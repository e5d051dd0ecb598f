"""Statistics of verified volunteering, per project, per worker and per street, and their .xlsx.

Only verified attendances count: people and hours are those of full and partial attendances,
leaflets are the verified quantities, no-shows are counted apart. Every figure is limited to the
projects in the viewer's jurisdiction.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from nuanxin.core.masking import mask_phone
from nuanxin.core.scoping import scope_to_jurisdiction
from nuanxin.core.xlsx import add_sheet
from nuanxin.geo.models import Region
from nuanxin.volunteering.models import Attendance, Claim, ClaimStatus, Outcome, Project, Session

SERVED = Q(outcome__in=[Outcome.FULL, Outcome.PARTIAL])


@dataclass
class StatsFilter:
    streets: list[str] = field(default_factory=list)  # street region codes; empty = all
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _attendances(user: Any, flt: StatsFilter) -> QuerySet[Attendance]:
    qs = scope_to_jurisdiction(Attendance.objects.all(), user, region_field="project__region")
    qs = qs.exclude(outcome="")
    if flt.streets:
        qs = qs.filter(project__street__code__in=flt.streets)
    if flt.kind:
        qs = qs.filter(project__kind=flt.kind)
    zone = timezone.get_current_timezone()
    if flt.since:
        qs = qs.filter(session__starts_at__gte=dt.datetime.combine(flt.since, dt.time.min, zone))
    if flt.until:
        end = dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time.min, zone)
        qs = qs.filter(session__starts_at__lt=end)
    return qs


def _figures() -> dict[str, Any]:
    return {
        "people": Count("worker", filter=SERVED, distinct=True),
        "served": Count("id", filter=SERVED),
        "hours": Sum("hours_verified", filter=SERVED),
        "leaflets": Sum("quantity_verified", filter=SERVED),
        "no_shows": Count("id", filter=Q(outcome=Outcome.NO_SHOW)),
        "points": Sum("points_awarded"),
    }


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite sums decimals to a float-like value; keep two places as the column does.
    row["hours"] = Decimal(str(row.get("hours") or 0)).quantize(Decimal("0.01"))
    row["leaflets"] = row.get("leaflets") or 0
    row["points"] = row.get("points") or 0
    return row


def street_stats(user: Any, flt: StatsFilter | None = None) -> tuple[list[dict], dict]:
    """One row per street (people, served sessions, hours, leaflets, no-shows, points, projects)
    and the total over the rows, in which a person who served in two streets counts once."""
    flt = flt or StatsFilter()
    qs = _attendances(user, flt)
    rows = [
        _clean(row)
        for row in qs.values("project__street_id")
        .annotate(projects=Count("project", distinct=True), **_figures())
        .order_by("project__street_id")
    ]
    names = {
        r.pk: r for r in Region.objects.filter(pk__in=[row["project__street_id"] for row in rows])
    }
    for row in rows:
        street = names[row.pop("project__street_id")]
        row["street"] = street.full_name()
        row["code"] = street.code
    rows.sort(key=lambda r: r["code"])
    total = _clean(qs.aggregate(projects=Count("project", distinct=True), **_figures()))
    total["street"] = _("合计")
    total["code"] = ""
    return rows, total


def project_stats(
    user: Any, flt: StatsFilter | None = None, *, project_id: int | None = None
) -> list[dict]:
    """One row per project with verified attendance, plus its sessions and seated claims."""
    flt = flt or StatsFilter()
    qs = _attendances(user, flt)
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    rows = {
        row["project_id"]: _clean(row)
        for row in qs.values("project_id").annotate(**_figures()).order_by("project_id")
    }
    projects = Project.objects.filter(pk__in=rows).select_related("street", "region")
    sessions = dict(
        Session.objects.filter(project__in=rows)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    seated = dict(
        Claim.objects.filter(project__in=rows, status=ClaimStatus.CLAIMED)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    out = []
    for project in projects:
        row = rows[project.pk]
        row.update(
            project_id=project.pk,
            title=project.title,
            kind=project.get_kind_display(),
            street=project.street.name,
            region=project.region.name,
            sessions=sessions.get(project.pk, 0),
            claims=seated.get(project.pk, 0),
            quantity_target=project.quantity_target,
        )
        out.append(row)
    out.sort(key=lambda r: (r["street"], r["project_id"]))
    return out


def worker_stats(user: Any, flt: StatsFilter | None = None, *, limit: int = 2000) -> list[dict]:
    """One row per worker who served or missed a session, most hours first; phones masked."""
    flt = flt or StatsFilter()
    qs = _attendances(user, flt)
    rows = list(
        qs.values("worker_id", "worker__name", "worker__phone", "worker__region__name")
        .annotate(projects=Count("project", distinct=True, filter=SERVED), **_figures())
        .order_by("worker_id")
    )
    out = []
    for row in rows:
        row = _clean(row)
        out.append(
            {
                "worker_id": row["worker_id"],
                "name": row["worker__name"],
                "phone": mask_phone(row["worker__phone"]),
                "community": row["worker__region__name"] or "",
                "projects": row["projects"],
                "served": row["served"],
                "hours": row["hours"],
                "leaflets": row["leaflets"],
                "no_shows": row["no_shows"],
                "points": row["points"],
            }
        )
    out.sort(key=lambda r: (-r["hours"], -r["leaflets"], r["worker_id"]))
    return out[:limit]


def attendance_rows(user: Any, flt: StatsFilter | None = None) -> QuerySet[Attendance]:
    """The verified attendances themselves, for the detail sheet of the export."""
    return (
        _attendances(user, flt or StatsFilter())
        .select_related("project__street", "session", "worker", "claim")
        .order_by("session__starts_at", "id")
    )


def stats_workbook(user: Any, flt: StatsFilter | None = None) -> bytes:
    """The statistics as an .xlsx with Chinese headers: streets, projects, workers, details."""
    flt = flt or StatsFilter()
    book = Workbook()
    book.remove(book.active)
    streets, total = street_stats(user, flt)
    figure_headers = [
        _("服务人数"),
        _("服务人次"),
        _("服务时长（小时）"),
        _("发放传单（份）"),
        _("未到人次"),
        _("发放积分"),
    ]

    def figures(row: dict) -> list[Any]:
        return [
            row["people"],
            row["served"],
            float(row["hours"]),
            row["leaflets"],
            row["no_shows"],
            row["points"],
        ]

    add_sheet(
        book,
        _("街道统计"),
        [_("街道"), _("项目数"), *figure_headers],
        [[r["street"], r["projects"], *figures(r)] for r in [*streets, total]],
    )
    add_sheet(
        book,
        _("项目统计"),
        [
            _("项目"),
            _("类型"),
            _("街道"),
            _("发布单位"),
            _("场次"),
            _("认领人数"),
            _("发放目标（份/场）"),
            *figure_headers,
        ],
        [
            [
                r["title"],
                r["kind"],
                r["street"],
                r["region"],
                r["sessions"],
                r["claims"],
                r["quantity_target"] or "",
                *figures(r),
            ]
            for r in project_stats(user, flt)
        ],
    )
    add_sheet(
        book,
        _("人员统计"),
        [
            _("姓名"),
            _("手机号"),
            _("所在社区"),
            _("参与项目数"),
            _("服务人次"),
            _("服务时长（小时）"),
            _("发放传单（份）"),
            _("未到人次"),
            _("获得积分"),
        ],
        [
            [
                r["name"],
                r["phone"],
                r["community"],
                r["projects"],
                r["served"],
                float(r["hours"]),
                r["leaflets"],
                r["no_shows"],
                r["points"],
            ]
            for r in worker_stats(user, flt)
        ],
    )
    add_sheet(
        book,
        _("服务明细"),
        [
            _("日期"),
            _("项目"),
            _("街道"),
            _("姓名"),
            _("手机号"),
            _("认领码"),
            _("核验结果"),
            _("核定时长（小时）"),
            _("核定数量（份）"),
            _("积分"),
        ],
        [
            [
                timezone.localtime(a.session.starts_at).strftime("%Y-%m-%d %H:%M"),
                a.project.title,
                a.project.street.name,
                a.worker.name,
                mask_phone(a.worker.phone),
                a.claim.code,
                a.get_outcome_display(),
                float(a.hours_verified or 0),
                a.quantity_verified if a.quantity_verified is not None else "",
                a.points_awarded,
            ]
            for a in attendance_rows(user, flt)[:50_000]
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
