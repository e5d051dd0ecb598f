"""The Content-Security-Policy, with the map's tile servers allowed as image sources.

The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings (django-csp); the tile servers
come from the map settings at the time of the request, so the policy always matches the basemap
the pages are told to draw.

django-csp builds the header anew for every response. Most responses carry the settings' policy
unchanged, so ``PolicyMiddleware`` builds that header once (through the library's own
``build_policy``) and reuses it; a response the csp decorators gave its own policy or exemption,
and a request that used its nonce, take the library's path instead.
"""

import http.client
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# What the csp decorators set on a response (csp, csp_update, csp_replace, csp_exempt, each also
# for the report-only header): such a response has a policy of its own.
VIEW_OVERRIDES = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
# The statuses whose Django debug pages django-csp leaves without a policy when DEBUG is on.
DEBUG_PAGE_STATUSES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
# Each header with the setting that holds its policy.
HEADERS = (
    (False, HEADER, "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)

# The headers built from the settings alone, by (report-only, tile URL, label URL). The policy
# settings are not in the key: any change of a setting through Django (override_settings, the
# tests' settings fixture) drops every entry. The tile URLs are, so that the header follows them
# even when they are assigned without that signal.
_built: dict[tuple[bool, str, str], str] = {}


@receiver(setting_changed)
def forget_built_policies(**kwargs: object) -> None:
    _built.clear()


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

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """Set the headers as django-csp does, from the headers built once when nothing but the
        settings decides them: no view override or exemption, no nonce used."""
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in VIEW_OVERRIDES
        ):
            return super().process_response(request, response)
        if response.status_code in DEBUG_PAGE_STATUSES and settings.DEBUG:
            return response
        for report_only, header, setting in HEADERS:
            value = self.settings_policy(request, response, report_only)
            policy = getattr(settings, setting, None) or {}
            excluded = tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
            if value and header not in response and not request.path_info.startswith(excluded):
                response[header] = value
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def settings_policy(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool
    ) -> str:
        """The header django-csp builds for a response without overrides, built once."""
        key = (report_only, settings.MAP_TILE_URL, settings.MAP_TILE_LABEL_URL)
        if (value := _built.get(key)) is None:
            parts = self.get_policy_parts(request, response, report_only)
            value = build_policy(**asdict(parts), report_only=report_only)
            if len(_built) >= 16:  # tile URLs assigned over and over without the signal
                _built.clear()
            _built[key] = value
        return value
