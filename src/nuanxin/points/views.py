"""The worker's points pages: balance, pending holds and history, newest first; the rules."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nuanxin.core.forms import query_int
from nuanxin.core.pages import login_page
from nuanxin.core.schema import MAX_ID
from nuanxin.points.rules import earning_rules
from nuanxin.points.selectors import balance_of, history_of, pending_holds_of

PAGE_SIZE = 20


def _before(request: HttpRequest) -> int | None:
    return query_int(request.GET.get("before"), ge=1, le=MAX_ID)


@login_page
def mine(request: HttpRequest) -> HttpResponse:
    lines = history_of(request.user, limit=PAGE_SIZE)
    context = {
        "balance": balance_of(request.user),
        "holds": list(pending_holds_of(request.user)[:10]),
        "lines": lines,
        "more": len(lines) == PAGE_SIZE,
        "next_before": lines[-1].id if lines else None,
    }
    return render(request, "points/mine.html", context)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """More history rows for htmx's "load more" (older than ``before``)."""
    lines = history_of(request.user, limit=PAGE_SIZE, before_id=_before(request))
    context = {
        "lines": lines,
        "more": len(lines) == PAGE_SIZE,
        "next_before": lines[-1].id if lines else None,
    }
    return render(request, "points/_history.html", context)


def rules(request: HttpRequest) -> HttpResponse:
    """What pays, the caps and expiry, and for a worker how much of today's cap is left."""
    return render(request, "points/rules.html", {"rules": earning_rules(request.user)})
