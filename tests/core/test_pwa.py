"""The installable app: manifest, generated icons, the service worker and the offline page."""

import io
import json

import pytest
from PIL import Image

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_in_chinese_and_opens_standalone(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "暖新" and data["short_name"] == "暖新"
    assert data["lang"].startswith("zh")
    assert data["display"] == "standalone"
    assert data["start_url"].startswith("/") and data["scope"] == "/"
    base = client.get("/").content.decode()
    assert f'<meta name="theme-color" content="{data["theme_color"]}">' in base


def test_manifest_icons_are_pngs_of_the_sizes_they_claim(client):
    icons = json.loads(client.get("/manifest.webmanifest").content)["icons"]

    sizes = {icon["sizes"] for icon in icons if icon.get("purpose", "any") == "any"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in icons)
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"] == icon["sizes"]


def test_maskable_icon_fills_its_square_and_the_plain_one_has_round_corners(client):
    icons = json.loads(client.get("/manifest.webmanifest").content)["icons"]
    maskable = next(i for i in icons if i.get("purpose") == "maskable")
    plain = next(i for i in icons if i["sizes"] == "512x512" and "purpose" not in i)

    mask = Image.open(io.BytesIO(client.get(maskable["src"]).content)).convert("RGBA")
    round_ = Image.open(io.BytesIO(client.get(plain["src"]).content)).convert("RGBA")

    assert mask.getpixel((0, 0))[3] == 255
    assert round_.getpixel((0, 0))[3] == 0
    # Something is drawn on the colour: the picture is not one flat square.
    assert len(set(mask.get_flattened_data())) > 2


def test_an_icon_size_not_offered_is_not_found(client):
    assert client.get("/app-icons/icon-100.png").status_code == 404
    assert client.get("/app-icons/maskable-192.png").status_code == 404


def test_base_page_links_the_manifest_and_names_the_worker(client):
    html = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest" data-worker="/sw.js">' in html


def test_service_worker_is_javascript_for_the_whole_site(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(body[body.index("var CONFIG = ") + 13 : body.index(";\nvar VERSION")])
    for url in [
        "/offline/",
        "/static/nuanxin/app.css",
        "/static/nuanxin/page.js",
        "/static/django_htmx/htmx-2.min.js",
        "/app-icons/icon-192.png",
        "/app-icons/icon-512.png",
        "/app-icons/maskable-512.png",
    ]:
        assert url in config["shell"]
        assert client.get(url).status_code == 200
    assert "__VERSION__" not in body


def test_service_worker_version_follows_the_shell_files(client, monkeypatch):
    from nuanxin.core import pwa

    first = client.get("/sw.js").content.decode()
    monkeypatch.setattr(pwa, "_static_digest", lambda: "changed")
    second = client.get("/sw.js").content.decode()

    assert first != second


def test_offline_page_says_what_works_offline_without_anything_personal(client, tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(name="骑手小李", region=tree["A1a"]))
    html = client.get("/offline/").content.decode()

    assert "现在没有网络" in html and "随手拍" in html and "草稿" in html
    assert "骑手小李" not in html


def test_offline_page_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/offline/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No connection" in html or "no connection" in html


def test_only_the_report_form_asks_to_be_kept_on_the_phone(client, tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(region=tree["A1a"]))

    assert client.get("/reports/new/")["Nuanxin-Offline"] == "keep"
    assert "Nuanxin-Offline" not in client.get("/reports/mine/")
    assert "Nuanxin-Offline" not in client.get("/")


def test_a_workers_pages_name_the_report_form_for_the_phone_to_keep_ahead(client, tree):
    from tests.factories import UserFactory

    worker = UserFactory(region=tree["A1a"])
    client.force_login(worker)
    html = client.get("/points/").content.decode()

    assert f'data-keep="/reports/new/" data-owner="{worker.pk}"' in html


def test_staff_and_visitors_pages_keep_nothing_ahead(client, rf, tree):
    from django.contrib.auth.models import AnonymousUser

    from nuanxin.accounts.models import Role
    from nuanxin.core.pwa import offline_pages
    from tests.factories import UserFactory

    assert "data-keep" not in client.get("/").content.decode()
    request = rf.get("/")
    request.user = AnonymousUser()
    assert offline_pages(request) == []
    request.user = UserFactory(role=Role.COMMUNITY_STAFF, region=tree["A1a"])
    assert request.user.is_staff and offline_pages(request) == []
    request.user = UserFactory(role=Role.WORKER, region=tree["A1a"])
    assert offline_pages(request) == ["/reports/new/"]


def test_the_offline_page_leads_to_the_report_form(client):
    html = client.get("/offline/").content.decode()

    assert 'href="/reports/new/"' in html and "写随手拍（离线草稿）" in html


def test_the_worker_refreshes_pages_kept_ahead_after_an_hour(client):
    body = client.get("/sw.js").content.decode()
    config = json.loads(body[body.index("var CONFIG = ") + 13 : body.index(";\nvar VERSION")])

    assert config["keepRefreshMs"] == 3600 * 1000 and config["keepHeader"] == "Nuanxin-Offline"
