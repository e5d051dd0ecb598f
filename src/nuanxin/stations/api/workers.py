"""Workers: QR check-in and their own visits."""

from typing import Any

from django.http import HttpRequest

from nuanxin.stations import services
from nuanxin.stations.api import router
from nuanxin.stations.presenters import checkin_message, visit_points_note
from nuanxin.stations.schemas import (
    CheckinIn,
    CheckinOut,
    VisitOut,
)
from nuanxin.stations.selectors import (
    visits_of,
)


def _visit_out(visit: Any) -> dict:
    return {
        "id": visit.pk,
        "station": {"id": visit.station.pk, "code": visit.station.code, "name": visit.station.name},
        "day": visit.day,
        "first_at": visit.first_at,
        "last_at": visit.last_at,
        "scans": visit.scans,
        "points_awarded": visit.points_awarded,
        "points_note": visit_points_note(visit),
    }


def presence_of(payload: CheckinIn) -> services.Presence:
    position = payload.position
    return services.Presence(
        lon=position.lon if position else None,
        lat=position.lat if position else None,
        accuracy_m=position.accuracy_m if position else None,
        coord_system=position.coord_system if position else "wgs84",
        position_error=payload.position_error or "",
        code=payload.code,
    )


@router.post("/checkin", response=CheckinOut, summary="扫码签到（劳动者，需定位或动态签到码）")
def checkin(request: HttpRequest, payload: CheckinIn) -> dict:
    result = services.visit_checkin(
        token=payload.token, worker=request.auth, presence=presence_of(payload)
    )
    message = checkin_message(result)
    return {"counted": result.counted, "message": message, "visit": _visit_out(result.visit)}


@router.get("/visits/mine", response=list[VisitOut], summary="我的驿站签到记录")
def my_visits(request: HttpRequest) -> list:
    return [_visit_out(v) for v in visits_of(request.auth)]
