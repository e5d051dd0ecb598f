"""The project's URLs plus /bench/stations/nearest-scan: the nearest search answered by the
table scan, with the same response body as /api/v1/stations/nearest (benchmark only)."""

import datetime as dt

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone

from nuanxin.stations.index import stations_nearest_scan
from nuanxin.stations.models import Station
from nuanxin.stations.presenters import nearest_data
from nuanxin.urls import urlpatterns as project_urlpatterns


def nearest_scan(request: HttpRequest) -> JsonResponse:
    params = request.GET
    at = dt.datetime.fromisoformat(params["at"]) if "at" in params else timezone.now()
    hits = stations_nearest_scan(
        lon=float(params["lon"]),
        lat=float(params["lat"]),
        at=at,
        amenities=[a for a in params.get("amenities", "").split(",") if a],
        open_now=params.get("open_now") == "true",
        count=int(params.get("count", "5")),
    )
    stations = Station.objects.prefetch_related("amenities").in_bulk([h.station_id for h in hits])
    results = [
        nearest_data(
            h,
            stations[h.station_id],
            [a.code for a in stations[h.station_id].amenities.all()],
            crs="wgs84",
            now=at,
        )
        for h in hits
    ]
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/stations/nearest-scan", nearest_scan), *project_urlpatterns]
