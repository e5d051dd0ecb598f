from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from nuanxin.core.errors import ApplicationError
from nuanxin.reports.selectors import categories_active, photo_get


def public_map(request: HttpRequest) -> HttpResponse:
    """Reports on a map for everyone: category, state and a coarse location, nothing more."""
    return render(request, "reports/public_map.html", {"categories": categories_active()})


def photo(request: HttpRequest, photo_id: int) -> HttpResponse | FileResponse:
    """A photo for whoever may see it (the reporter, staff over the area); 404 for others,
    so the existence of a photo is not revealed either."""
    from nuanxin.reports.api import photo_response

    user = request.user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        from nuanxin.accounts.auth import BearerTokenAuth

        user = BearerTokenAuth().authenticate(request, header[7:].strip()) or user
    try:
        return photo_response(user, photo_get(photo_id), request.GET.get("thumb") == "1")
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
