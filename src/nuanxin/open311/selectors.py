"""Reads of the Open311 adapter: who is calling, the services, and the public service requests."""

import datetime as dt

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from nuanxin.core.errors import forbidden, not_found
from nuanxin.open311.models import ClientApplication, RequestToken
from nuanxin.open311.params import Search
from nuanxin.reports.models import OPEN_STATES, Category, Report, State
from nuanxin.reports.selectors import categories_active

CLOSED_STATES = (State.RESOLVED, State.CLOSED, State.REJECTED, State.DUPLICATE)


def jurisdiction_id() -> str:
    return str(settings.OPEN311_JURISDICTION_ID or "")


def jurisdiction_check(requested: str) -> None:
    """One city per server: ``jurisdiction_id`` may be left out; a wrong one is not found."""
    ours = jurisdiction_id()
    if requested and ours and requested != ours:
        raise not_found(
            "open311.unknown_jurisdiction",
            _("jurisdiction_id 不存在：%(id)s") % {"id": requested},
        )


def client_by_key(api_key: str) -> ClientApplication:
    """The active client application holding ``api_key``; 403 ``open311.bad_api_key`` if none."""
    from nuanxin.open311.services import key_digest

    api_key = (api_key or "").strip()
    client = None
    if api_key:
        client = ClientApplication.objects.filter(
            key_digest=key_digest(api_key), is_active=True
        ).first()
    if client is None:
        raise forbidden("open311.bad_api_key", _("api_key 无效或已停用。"))
    return client


def services_list() -> QuerySet[Category]:
    return categories_active()


def service_get(code: str) -> Category:
    category = categories_active().filter(code=code).first()
    if category is None:
        raise not_found(
            "open311.unknown_service", _("service_code 不存在：%(code)s") % {"code": code}
        )
    return category


def services_changed_at() -> dt.datetime | None:
    return Category.objects.aggregate(at=Max("updated_at"))["at"]


def public_requests() -> QuerySet[Report]:
    """Every report the public may know of through Open311: all but those staff hid.

    Rejected and duplicate reports are kept (as closed) so a client can follow the requests it
    filed to their end; what is shown of each is decided in ``presenters``.
    """
    return (
        Report.objects.filter(public_hidden=False)
        .select_related("category", "region", "community", "department")
        # Boundaries are large JSON documents; 1000 rows would decode 2000 of them for nothing.
        .defer(
            "answers",
            "original_description",
            "category__questions",
            "region__boundary",
            "community__boundary",
        )
    )


def requests_search(search: Search) -> list[Report]:
    qs = public_requests()
    if search.ids is not None:
        return list(qs.filter(pk__in=search.ids).order_by("-created_at", "-id"))
    assert search.start is not None and search.end is not None
    qs = qs.filter(created_at__gte=search.start, created_at__lte=search.end)
    if search.codes:
        qs = qs.filter(category__code__in=search.codes)
    if search.statuses == ["open"]:
        qs = qs.filter(state__in=OPEN_STATES)
    elif search.statuses == ["closed"]:
        qs = qs.filter(state__in=CLOSED_STATES)
    return list(qs.order_by("-created_at", "-id")[: search.limit])


def request_get(raw_id: str) -> Report:
    report = None
    if raw_id.isdigit() and len(raw_id) < 19:
        report = public_requests().filter(pk=int(raw_id)).first()
    if report is None:
        # A request staff hid answers like one that never existed; no id is echoed back, so
        # the two answers are the same.
        raise not_found("open311.unknown_request", _("service_request_id 不存在。"))
    return report


def token_get(token: str) -> RequestToken:
    found = RequestToken.objects.filter(token=token).first() if token else None
    if found is None:
        raise not_found("open311.unknown_token", _("token 不存在：%(token)s") % {"token": token})
    return found
