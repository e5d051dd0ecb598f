"""The project's URLs plus /bench/trivial: a constant JSON answer that still passes through
every middleware, the ceiling of what the Django stack can answer (benchmark only)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from nuanxin.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial", trivial), *project_urlpatterns]
