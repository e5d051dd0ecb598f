"""More of the party API for party-work staff: industry figures (党建+电商/直播/产销), mass
organisations and party-work instructors. Mounted into ``party.api``'s router."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from nuanxin.core.errors import ApplicationError, not_found
from nuanxin.geo.models import Region
from nuanxin.party import services
from nuanxin.party.access import require_party_staff
from nuanxin.party.models import FIGURE_FIELDS
from nuanxin.party.schemas import IndustryFigureIn, IndustryFigureOut, IndustrySeriesOut
from nuanxin.party.selectors.industry import figures_for, series_for
from nuanxin.party.services.industry_import import enterprise_in_reach

router = Router(tags=["党建"])


def _region_or_none(code: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("party.unknown_region", _("区域不存在。"), field="region_code")
    return region


@router.get("/industry-figures", response=list[IndustryFigureOut], summary="产业数据（管辖范围内）")
def industry_figure_list(request: HttpRequest) -> list[IndustryFigureOut]:
    require_party_staff(request.auth)
    rows = figures_for(request.auth).order_by("region__path", "subject", "period_end")
    return [IndustryFigureOut.of(r) for r in rows[:5000]]


@router.post(
    "/industry-figures", response={201: IndustryFigureOut}, summary="登记或更正一期产业数据"
)
def industry_figure_create(request: HttpRequest, payload: IndustryFigureIn) -> Status:
    user = request.auth
    require_party_staff(user)
    enterprise = enterprise_in_reach(user, payload.enterprise_id) if payload.enterprise_id else None
    row = services.industry_figure_record(
        actor=user, theme=payload.theme, scope=payload.scope,
        period_start=payload.period_start, period_end=payload.period_end,
        enterprise=enterprise, region=_region_or_none(payload.region_code),
        chain_name=payload.chain_name, note=payload.note,
        **{name: getattr(payload, name) for name in FIGURE_FIELDS},
    )  # fmt: skip
    return Status(201, IndustryFigureOut.of(row))


@router.get("/industry-figures/series", response=IndustrySeriesOut, summary="产业数据变化")
def industry_figure_series(
    request: HttpRequest, figure: Query[str] = "sales_yuan"
) -> IndustrySeriesOut:
    require_party_staff(request.auth)
    if figure not in FIGURE_FIELDS:
        raise ApplicationError(
            "party.invalid_figure", _("没有这项数据。"), extra={"field": "figure"}
        )
    return IndustrySeriesOut(figure=figure, series=series_for(request.auth, figure))
