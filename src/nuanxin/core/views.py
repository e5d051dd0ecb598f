from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.static import serve

from nuanxin.core.home import home_cards
from nuanxin.core.notifications import notifications_mark_read, notifications_of


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    cards = []
    if user.is_authenticated:
        cards = home_cards(request, staff=user.is_staff)
    return render(request, "core/home.html", {"cards": cards})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("core:notifications")
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve an uploaded file from one of the public media folders, nothing else."""
    if not path.startswith(settings.PUBLIC_MEDIA_PREFIXES) or ".." in path.split("/"):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
