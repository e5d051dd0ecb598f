from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_http_methods
from django.views.static import serve

from nuanxin.core.edge import responder_for
from nuanxin.core.errors import ApplicationError
from nuanxin.core.home import HomeCard, home_cards, home_panels
from nuanxin.core.notifications import notifications_mark_read, notifications_of, unread_count
from nuanxin.core.storage import stored_file_response


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    cards, panels = [], []
    if user.is_authenticated:
        cards = home_cards(request, staff=user.is_staff)
    if user.is_authenticated and not user.is_staff:
        panels = home_panels(request)
        unread = unread_count(user)
        cards.append(
            HomeCard(
                _("消息"),
                unread,
                reverse("core:notifications"),
                hint=_("审核结果、积分到账、领取提醒") if not unread else _("有新消息，点开查看"),
                unit=_("条未读"),
                tone="warn" if unread else "",
            )
        )
    return render(request, "core/home.html", {"cards": cards, "panels": panels})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("core:notifications")
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Open one notification: it is marked read and its page opens (the inbox if none).
    Another person's notification answers like a missing one."""
    note = notifications_of(request.user).filter(pk=notification_id).first()
    if note is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[note.pk])
    target = note.url if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) else ""
    return redirect(target or "core:notifications")


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve an uploaded file from one of the public media folders, nothing else."""
    if not path.startswith(settings.PUBLIC_MEDIA_PREFIXES) or ".." in path.split("/"):
        raise Http404
    if not isinstance(default_storage, FileSystemStorage):
        return stored_file_response(path)  # object storage (MEDIA_S3_BUCKET)
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# Errors Django answers itself (outside a view, or a URL that matches nothing): the API and
# Open311 answer in their own formats, pages with the site's templates.


def _answer(
    request: HttpRequest, error: ApplicationError, page: Callable[[], HttpResponse]
) -> HttpResponse:
    responder = responder_for(request.path_info)
    return responder(request, error) if responder is not None else page()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    error = ApplicationError("bad_request", _("请求无效。"), status=400)
    return _answer(request, error, lambda: defaults.bad_request(request, exception))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    error = ApplicationError("forbidden", _("没有权限。"), status=403)
    return _answer(request, error, lambda: defaults.permission_denied(request, exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    error = ApplicationError("not_found", _("未找到。"), status=404)
    return _answer(request, error, lambda: defaults.page_not_found(request, exception))


def server_error(request: HttpRequest) -> HttpResponse:
    error = ApplicationError("server_error", _("服务器出错了，请稍后重试。"), status=500)
    return _answer(request, error, lambda: defaults.server_error(request))
