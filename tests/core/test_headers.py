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

import nuanxin

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
