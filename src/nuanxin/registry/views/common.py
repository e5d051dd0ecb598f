"""What the registry pages share: access checks, errors shown as pages, filters, paging."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from nuanxin.core.errors import ApplicationError
from nuanxin.core.forms import query_int
from nuanxin.core.pages import guarded
from nuanxin.core.schema import MAX_ID
from nuanxin.geo.models import Region
from nuanxin.registry.access import may_use_registry
from nuanxin.registry.selectors import EnterpriseFilter, WorkerFilter, home_region, region_for

PER_PAGE = 50
View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return render(request, "registry/error.html", {"error": error}, status=error.status)


def _guarded(check: Callable[[Any], bool], message: Any) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                return error_page(
                    request, ApplicationError("registry.not_allowed", message, status=403)
                )
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as error:
                return error_page(request, error)

        return wrapped

    return decorator


def registry_user(view: View) -> View:
    """Staff in a jurisdiction and enterprise liaisons."""
    message = gettext_lazy("台账仅对社区、街道、县、市工作人员和企业联络员开放。")
    return _guarded(may_use_registry, message)(view)


def staff_only(view: View) -> View:
    """Region staff (and superusers) only."""
    return guarded(view, governing=True, template="registry/error.html")


def signed_in(view: View) -> View:
    """Any signed-in user (workers registering themselves)."""
    return _guarded(lambda user: True, "")(view)


def picker_levels(root: Region | None, selected: Region | None) -> list[dict[str, Any]]:
    """The selects of a region picker: below ``root``, down to the children of ``selected``."""
    if root is None:
        root = Region.objects.filter(depth=0).order_by("code").first()
        if root is None:
            return []
    chain: list[Region] = []
    if selected is not None and selected.path.startswith(root.path) and selected != root:
        chain = [r for r in selected.ancestors() if r.depth > root.depth]
    parents = [root, *chain]
    children: dict[int, list[Region]] = {}
    for region in Region.objects.filter(parent__in=parents).order_by("code"):
        children.setdefault(region.parent_id, []).append(region)
    levels = []
    for depth, parent in enumerate(parents):
        options = children.get(parent.pk, [])
        if not options:
            break
        chosen = chain[depth].code if depth < len(chain) else ""
        levels.append({"parent": parent, "options": options, "selected": chosen})
    return levels


def _flag(value: str | None) -> bool | None:
    if value in {"1", "true", "yes"}:
        return True
    if value in {"0", "false", "no"}:
        return False
    return None


def enterprise_filter(request: HttpRequest) -> EnterpriseFilter:
    get = request.GET
    return EnterpriseFilter(
        region=region_for(request.user, get.get("region")),
        q=get.get("q", ""),
        kind=get.get("kind", ""),
        industry=get.get("industry", ""),
        status=get.get("status", ""),
        brand=get.get("brand", ""),
        registered=_flag(get.get("registered")),
    )


def worker_filter(request: HttpRequest) -> WorkerFilter:
    get = request.GET
    return WorkerFilter(
        region=region_for(request.user, get.get("region")),
        q=get.get("q", ""),
        occupation=get.get("occupation", ""),
        political_status=get.get("political_status", ""),
        party_member=_flag(get.get("party_member")),
        status=get.get("status", ""),
        enterprise_id=query_int(get.get("enterprise"), ge=1, le=MAX_ID),
        union_member=_flag(get.get("union_member")),
        registered=_flag(get.get("registered")),
    )


def page_of(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def user_root(request: HttpRequest) -> Region | None:
    return home_region(request.user)
