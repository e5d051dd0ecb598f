"""The Content-Security-Policy, with the map's tile servers allowed as image sources.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings (django-csp); the tile servers
come from the map settings at the time of the request, so the policy always matches the basemap
the pages are told to draw.
"""

from typing import Any
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def origin_of(url: str) -> str | None:
    """The origin a tile URL template loads from, as a CSP source; None for a URL on this site.

    A host whose first label holds the ``{s}`` placeholder (t{s}.tianditu.gov.cn) is written with
    CSP's wildcard, which may only stand for a whole leftmost label: https://*.tianditu.gov.cn.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    first, _, rest = parts.netloc.partition(".")
    host = f"*.{rest}" if "{s}" in first and rest else parts.netloc
    return f"{parts.scheme}://{host}"


def tile_origins() -> list[str]:
    urls = (settings.MAP_TILE_URL, settings.MAP_TILE_LABEL_URL)
    return sorted({origin for url in urls if url and (origin := origin_of(url))})


class PolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if origins := tile_origins():
            update: dict[str, Any] = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), *origins]
            parts.update = update
        return parts
