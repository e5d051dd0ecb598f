"""The GeoReport v2 endpoints: thin views over the selectors, services and presenters.

Every resource comes as ``.xml`` and ``.json``; errors come in the same format as asked for
(XML where the format is unknown, as XML is the spec's required one).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from nuanxin.core.errors import ApplicationError
from nuanxin.open311 import presenters, selectors, services
from nuanxin.open311.formats import error_response, respond
from nuanxin.open311.params import search_parse, submission_parse

READ = ("GET", "HEAD")

View = Callable[..., HttpResponse]


def _params(request: HttpRequest) -> QueryDict:
    """Query string and form body together (a body value wins), as clients put ``api_key`` and
    ``jurisdiction_id`` in either."""
    params = request.GET.copy()
    if request.method == "POST":
        for name in request.POST:
            params.setlist(name, request.POST.getlist(name))
    return params


def open311(*methods: str) -> Callable[[View], View]:
    """Allow ``methods``, check ``jurisdiction_id`` and answer errors in the spec's format."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise ApplicationError(
                        "open311.method_not_allowed",
                        _("不支持 %(method)s 请求。") % {"method": request.method},
                        status=405,
                    )
                params = _params(request)
                selectors.jurisdiction_check(str(params.get("jurisdiction_id") or "").strip())
                response = view(request, params, fmt, *args, **kwargs)
            except ApplicationError as error:
                response = error_response(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("open311:discovery", kwargs={"fmt": "xml"}))


@open311(*READ)
def discovery(request: HttpRequest, params: QueryDict, fmt: str) -> HttpResponse:
    base = reverse("open311:root").rstrip("/")
    return respond(fmt, presenters.discovery_out(request, base), root="discovery")


@open311(*READ)
def services_list(request: HttpRequest, params: QueryDict, fmt: str) -> HttpResponse:
    data = [presenters.service_out(c) for c in selectors.services_list()]
    return respond(fmt, data, root="services", item="service")


@open311(*READ)
def service_definition(
    request: HttpRequest, params: QueryDict, fmt: str, code: str
) -> HttpResponse:
    category = selectors.service_get(code)
    return respond(fmt, presenters.definition_out(category), root="service_definition")


@csrf_exempt
@open311("GET", "HEAD", "POST")
def requests_collection(request: HttpRequest, params: QueryDict, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, params, fmt)
    reports = selectors.requests_search(search_parse(params))
    data = presenters.requests_out(request, reports)
    return respond(fmt, data, root="service_requests", item="request")


def _create(request: HttpRequest, params: QueryDict, fmt: str) -> HttpResponse:
    # The key is checked before the body, so an unknown caller learns nothing about services.
    client = selectors.client_by_key(str(params.get("api_key") or ""))
    created = services.service_request_create(client=client, submission=submission_parse(params))
    data = [presenters.created_out(created.report, created.token)]
    return respond(fmt, data, root="service_requests", item="request", status=201)


@open311(*READ)
def request_detail(
    request: HttpRequest, params: QueryDict, fmt: str, request_id: str
) -> HttpResponse:
    # The spec's JSON for one request is still an array, of one.
    data = presenters.requests_out(request, [selectors.request_get(request_id)])
    return respond(fmt, data, root="service_requests", item="request")


@open311(*READ)
def token(request: HttpRequest, params: QueryDict, fmt: str, token: str) -> HttpResponse:
    data = [presenters.token_out(selectors.token_get(token))]
    return respond(fmt, data, root="service_requests", item="request")


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    error = ApplicationError(
        "open311.not_found", _("没有这个资源：%(path)s") % {"path": rest}, status=404
    )
    return error_response(fmt, error)


def edge_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The edge's refusals (``core.edge``) and server errors, in the format the path asks for."""
    fmt = "json" if request.path_info.endswith(".json") else "xml"
    return error_response(fmt, error)
