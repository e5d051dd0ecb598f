"""GeoReport v2 at /open311/v2/. Resources end in ``.xml`` or ``.json`` with no trailing slash,
as clients append ``/services.json`` to the endpoint URL they discovered."""

from django.urls import re_path

from nuanxin.open311 import views

app_name = "open311"
URL_PREFIX = "open311/v2"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^$", views.root, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_collection, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    # Anything else under the prefix is a 404 in the spec's error format, not an HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
