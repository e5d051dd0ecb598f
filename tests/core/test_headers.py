"""Security headers and production settings: a Content-Security-Policy with no inline script or
style (and templates that need none), a Permissions-Policy, HTTPS-only settings when served over
HTTPS, and `nuanxin check --deploy` clean with production settings."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.urls import path

import nuanxin
from nuanxin.core import headers
from nuanxin.dashboard.staticfiles import PLOTLY_DIR, PLOTLY_FILE
from tests.party.factories import party_staff

PACKAGE = Path(nuanxin.__file__).parent

pytestmark = pytest.mark.django_db


def _policy(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {name: values for name, *values in parts}


def test_every_page_carries_a_strict_policy(client):
    response = client.get("/accounts/login/")
    policy = _policy(response["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_answers_carry_the_policy_too(client):
    response = client.get("/api/v1/points/rules")
    assert "default-src 'self'" in response["Content-Security-Policy"]


# What the policy forbids in markup: style attributes, <style> and inline <script> blocks,
# inline event handlers and javascript: links.
INLINE = re.compile(
    r"""\sstyle\s*=|<style\b|<script(?![^>]*\bsrc=)(?![^>]*type=["']application/json)"""
    r"""|\son[a-z]+\s*=\s*["']|javascript:""",
    re.IGNORECASE,
)


def test_no_template_needs_an_inline_script_or_style():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:80]}"
        for path in sorted(PACKAGE.rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []


def test_no_python_markup_carries_a_style_attribute():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"""<[a-z]+[^>]*\sstyle=""", line)
    ]
    assert found == []


def test_tile_servers_are_the_only_outside_image_source(client, settings):
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=K&x={x}"
    settings.MAP_TILE_LABEL_URL = "https://t{s}.tianditu.gov.cn/cva_w/wmts?tk=K&x={x}"
    policy = _policy(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://*.tianditu.gov.cn"]
    assert policy["script-src"] == ["'self'"]

    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_LABEL_URL = ""
    policy = _policy(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "blob:"]


# The header built once and reused (core/headers.py) against the one django-csp builds itself.

TILES = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=K&x={x}"
POLICIES = {
    "the project's": {},
    "with tile servers": {"MAP_TILE_URL": TILES, "MAP_TILE_LABEL_URL": "https://b.example/{z}"},
    "with a report-only policy": {
        "CONTENT_SECURITY_POLICY_REPORT_ONLY": {
            "DIRECTIVES": {"default-src": [SELF], "report-uri": "/csp-report/"}
        }
    },
    "excluding the page": {
        "CONTENT_SECURITY_POLICY": {
            "EXCLUDE_URL_PREFIXES": ["/accounts/"],
            "DIRECTIVES": {"default-src": [SELF]},
        },
    },
}


def _csp_headers(response: HttpResponse) -> dict[str, str | None]:
    return {name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY)}


def _library_headers(url: str) -> dict[str, str | None]:
    """The headers django-csp's own process_response sets, with the tile servers added."""
    request = RequestFactory().get(url)
    middleware = headers.PolicyMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    return _csp_headers(CSPMiddleware.process_response(middleware, request, HttpResponse()))


@pytest.mark.parametrize("changes", POLICIES.values(), ids=POLICIES.keys())
def test_the_reused_header_is_the_one_django_csp_builds(client, settings, changes):
    for name, value in changes.items():
        setattr(settings, name, value)
    expected = _library_headers("/accounts/login/")
    if changes.get("CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        assert expected[HEADER_REPORT_ONLY] == "default-src 'self'; report-uri /csp-report/"
    first, second = (_csp_headers(client.get("/accounts/login/")) for _ in range(2))
    assert first == second == expected
    assert (expected[HEADER] is None) == ("CONTENT_SECURITY_POLICY" in changes)


def test_the_header_is_built_once_for_the_responses_that_share_it(client, monkeypatch):
    built = []

    def counted(**parts):
        built.append(parts)
        return django_csp_build_policy(**parts)

    django_csp_build_policy = headers.build_policy
    monkeypatch.setattr(headers, "build_policy", counted)
    headers.forget_built_policies()
    answers = [client.get("/accounts/login/")[HEADER] for _ in range(3)]
    assert len(set(answers)) == 1 and "default-src 'self'" in answers[0]
    assert [parts["report_only"] for parts in built] == [False, True]


def test_a_changed_policy_setting_changes_the_next_header(client, settings):
    before = _policy(client.get("/accounts/login/")[HEADER])
    assert before["script-src"] == ["'self'"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": ["'none'"]}
    }
    after = _policy(client.get("/accounts/login/")[HEADER])
    assert after == {**before, "script-src": ["'none'"]}


def test_the_header_follows_the_tile_servers_even_without_the_settings_signal(client, monkeypatch):
    assert "https://*.tianditu.gov.cn" not in client.get("/accounts/login/")[HEADER]
    monkeypatch.setattr(django_settings, "MAP_TILE_URL", TILES)  # no setting_changed
    img_src = _policy(client.get("/accounts/login/")[HEADER])["img-src"]
    assert img_src == ["'self'", "data:", "blob:", "https://*.tianditu.gov.cn"]


# The pages that draw Plotly charts: Plotly's own styles come from charts.css, announced by a
# marker link; an empty element takes the id under which the bundle would inject maplibre's.
CHART_PAGES = ["/dashboard/", "/party/staff/industry/"]
PLOTLY_MARKER = (
    '<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" href="/static/'
    'nuanxin/charts.css">'
)


def _maplibre_style_id() -> str:
    """The id the installed plotly.min.js looks up before it writes maplibre's <style>."""
    bundle = (PLOTLY_DIR / PLOTLY_FILE).read_text(encoding="utf-8")
    found = re.findall(
        r'document\.getElementById\("([0-9a-f]{64})"\)\)\{'
        r'var \w+=document\.createElement\("style"\)',
        bundle,
    )
    assert len(found) == 1, "plotly.min.js no longer injects maplibre's styles as it did"
    return found[0]


def test_the_chart_pages_answer_with_the_settings_policy(client, tree):
    plain = client.get("/accounts/login/")[HEADER]
    assert "'unsafe-inline'" not in plain
    client.force_login(party_staff(tree["A"]))
    maplibre = f'<template id="{_maplibre_style_id()}"></template>'
    for url in CHART_PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        assert page[HEADER] == plain, url
        html = page.content.decode()
        assert "plotly/plotly.min.js" in html, url
        # Both markers come before the bundle, so it finds them when it runs.
        assert html.index(PLOTLY_MARKER) < html.index("plotly/plotly.min.js"), url
        assert html.index(maplibre) < html.index("plotly/plotly.min.js"), url


# A tiny URLconf for what no view of the project does: exemption, replacement, update, a nonce.
def _plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plain")


def _own_header(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("own")
    response[HEADER] = "default-src 'none'"
    return response


def _with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))


urlpatterns = [
    path("plain/", _plain),
    path("exempt/", csp_exempt()(_plain)),
    path("replaced/", csp_replace({"img-src": ["https://img.example"]})(_plain)),
    path("updated/", csp_update({"style-src-elem": ["'self'", "'unsafe-inline'"]})(_plain)),
    path("own/", _own_header),
    path("nonce/", _with_nonce),
    path("gone/", lambda request: HttpResponseNotFound("gone")),
]


@pytest.mark.urls(__name__)
def test_exempt_and_replaced_views_keep_their_own_header(client):
    plain = client.get("/plain/")[HEADER]
    assert "default-src 'self'" in plain
    assert HEADER not in client.get("/exempt/")
    assert client.get("/own/")[HEADER] == "default-src 'none'"
    replaced = _policy(client.get("/replaced/")[HEADER])
    assert replaced == {**_policy(plain), "img-src": ["https://img.example"]}
    assert client.get("/plain/")[HEADER] == plain


@pytest.mark.urls(__name__)
def test_a_view_with_csp_update_still_gets_its_own_header(client):
    plain = client.get("/plain/")[HEADER]
    policy = _policy(client.get("/updated/")[HEADER])
    assert policy == {**_policy(plain), "style-src-elem": ["'self'", "'unsafe-inline'"]}
    # ... and the next page without a decorator the settings' policy again.
    assert client.get("/plain/")[HEADER] == plain


@pytest.mark.urls(__name__)
def test_debug_error_pages_go_without_a_policy_as_django_csp_leaves_them(client, settings):
    assert HEADER in client.get("/gone/")
    settings.DEBUG = True
    assert client.get("/gone/").status_code == 404
    assert HEADER not in client.get("/gone/")
    assert HEADER in client.get("/plain/")


@pytest.mark.urls(__name__)
def test_a_used_nonce_is_in_its_own_response_only(client, settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "script-src": [SELF, NONCE]}}
    nonces = []
    for _ in range(2):
        response = client.get("/nonce/")
        nonces.append(response.content.decode())
        assert _policy(response[HEADER])["script-src"] == ["'self'", f"'nonce-{nonces[-1]}'"]
        plain = client.get("/plain/")
        assert _policy(plain[HEADER])["script-src"] == ["'self'"]
        # As django-csp does, a nonce asked for once the header is written is refused.
        with pytest.raises(CSPNonceError):
            str(plain.wsgi_request.csp_nonce)
    assert nonces[0] != nonces[1]


def _deploy_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Not what a deployment has: the test run's own settings, and DJANGO_ALLOW_ASYNC_UNSAFE,
    # which the browser tests set in this process (Django's deploy check refuses it).
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "HTTPS", "SECURE_COOKIES", "HSTS_SECONDS", "DATABASE_URL", "PII_KEYS"}
        | {"PII_HASH_KEY", "PII_CIPHER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        NUANXIN_DATA_DIR=str(tmp_path),
        SECRET_KEY="k" * 20 + "-production-signing-key-" + "x" * 30,
        ALLOWED_HOSTS="nuanxin.example.cn",
        DEBUG="false",
        PII_KEYS="k1:" + base64.b64encode(b"p" * 32).decode(),
        PII_HASH_KEY=base64.b64encode(b"h" * 32).decode(),
        **extra,
    )
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check_deploy(_deploy_env(tmp_path, HTTPS="true"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_not_declared(tmp_path):
    """The check that must come out clean can fail: without HTTPS it names what is missing."""
    result = _check_deploy(_deploy_env(tmp_path))
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


def test_check_deploy_refuses_the_development_personal_data_key(tmp_path):
    env = _deploy_env(tmp_path, HTTPS="true")
    del env["PII_KEYS"], env["PII_HASH_KEY"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "nuanxin.E011" in result.stderr + result.stdout
