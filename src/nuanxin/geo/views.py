from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nuanxin.geo.models import Region, RegionLevel


def region_map(request: HttpRequest) -> HttpResponse:
    city = Region.objects.filter(level=RegionLevel.CITY).first()
    return render(request, "geo/map.html", {"city": city})
