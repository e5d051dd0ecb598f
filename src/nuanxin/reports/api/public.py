"""The reports API for anyone: categories and departments, the public map, photo files."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from nuanxin.core.errors import ApplicationError
from nuanxin.core.schema import IdParam
from nuanxin.geo.coords import CoordSystem
from nuanxin.reports.models import Department, ReportPhoto
from nuanxin.reports.privacy import public_view
from nuanxin.reports.questions import questions_clean
from nuanxin.reports.schemas import (
    CategoryOut,
    DepartmentOut,
    PublicFeatureCollection,
)
from nuanxin.reports.selectors import (
    can_view_photo,
    categories_active,
    photo_get,
    photo_missing,
    public_reports,
)

router = Router()


def category_out(category: Any) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "group": category.group,
        "description": category.description,
        "keywords": category.keywords,
        "points": category.points,
        "department": category.department.name if category.department_id else None,
        "questions": questions_clean(category.questions),
        "anonymous_public": category.anonymous_public,
        "handling_hours": category.handling_hours,
    }


@router.get(
    "/categories",
    auth=None,
    response=list[CategoryOut],
    url_name="reports_categories",
    summary="问题类别（含补充问题）",
)
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [category_out(c) for c in categories_active()]


@router.get(
    "/departments",
    response=list[DepartmentOut],
    url_name="reports_departments",
    summary="责任部门",
)
def departments(request: HttpRequest) -> list[Department]:
    return list(Department.objects.filter(is_active=True))


@router.get(
    "/public",
    auth=None,
    response=PublicFeatureCollection,
    url_name="reports_public",
    summary="公开地图：类别、状态、大致位置（不含报告人、描述和照片）",
)
def public(
    request: HttpRequest,
    crs: CoordSystem = CoordSystem.WGS84,
    category: str | None = None,
    bbox: str | None = None,
) -> dict[str, Any]:
    from nuanxin.geo.coords import from_wgs84

    box = None
    if bbox:
        try:
            parts = [float(x) for x in bbox.split(",")]
            box = (parts[0], parts[1], parts[2], parts[3])
        except (ValueError, IndexError) as exc:
            raise ApplicationError("reports.bad_bbox", _("范围参数无效。")) from exc
    features = []
    for report in public_reports(bbox=box, category=category):
        view = public_view(report)
        if view is None:
            continue
        lon, lat = from_wgs84(view.pop("lon"), view.pop("lat"), crs)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": view,
            }
        )
    return {"type": "FeatureCollection", "crs": crs, "features": features}


@router.get(
    "/photos/{int:photo_id}",
    auth=None,
    url_name="reports_photo_file",
    summary="照片文件（仅报告人与辖区工作人员可见）",
)
def photo_file(request: HttpRequest, photo_id: IdParam, thumb: bool = False) -> FileResponse:
    from nuanxin.accounts.auth import BearerTokenAuth

    user = getattr(request, "user", None)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = BearerTokenAuth().authenticate(request, header[7:].strip()) or user
    return photo_response(user, photo_get(photo_id), thumb)


def photo_response(user: Any, photo: ReportPhoto, thumb: bool) -> FileResponse:
    if not can_view_photo(user, photo):
        raise photo_missing()
    field = photo.thumbnail if thumb else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
