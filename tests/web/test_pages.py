import pytest
from openapi_spec_validator import validate

from nuanxin.accounts.models import Role
from tests.factories import TEST_PASSWORD, UserFactory, staff

pytestmark = pytest.mark.django_db


def test_home_is_in_chinese_by_default(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "暖新" in html and "登录" in html


def test_english_switch_changes_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_login_page_logs_in_with_password_and_redirects(client):
    UserFactory(phone="13912345678")

    page = client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/?next=/map/",
        {"mode": "password", "phone": "13912345678", "password": TEST_PASSWORD},
    )

    assert "密码登录" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == "/map/"


def test_login_page_shows_the_error_in_chinese_and_does_not_log_in(client):
    response = client.post(
        "/accounts/login/", {"mode": "password", "phone": "13912345678", "password": "x"}
    )

    assert response.status_code == 400
    assert "手机号或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_refuses_an_offsite_next_url(client):
    UserFactory(phone="13912345678")

    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"mode": "password", "phone": "13912345678", "password": TEST_PASSWORD},
    )

    assert response["Location"] == "/"


def test_worker_and_staff_get_their_own_navigation(client, tree):
    client.force_login(UserFactory())
    worker_html = client.get("/").content.decode()
    client.force_login(staff(Role.COUNTY_ADMIN, tree["A"]))
    staff_html = client.get("/").content.decode()

    assert 'class="tabbar"' in worker_html and "管理后台" not in worker_html
    assert 'class="staffnav"' in staff_html and "区域地图" in staff_html


def test_map_page_loads_leaflet_and_htmx_from_this_server(client):
    html = client.get("/map/").content.decode()

    assert "/static/leaflet/leaflet.js" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_static_front_end_files_are_served(client):
    for path in [
        "/static/leaflet/leaflet.js",
        "/static/django_htmx/htmx-2.min.js",
        "/static/nuanxin/map.js",
        "/static/ninja/swagger-ui-bundle.js",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/auth/login", "/api/v1/auth/me", "/api/v1/geo/lookup"} <= set(spec["paths"])


def test_api_docs_page_uses_installed_static_files(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html


def test_regions_geojson_and_lookup_over_http(client, tree):
    counties = client.get("/api/v1/geo/geojson?level=county").json()
    lookup = client.get("/api/v1/geo/lookup", {"lon": 110.05, "lat": 21.05})

    assert {f["properties"]["name"] for f in counties["features"]} == {"A区", "B区"}
    assert lookup.json()["region"]["code"] == tree["A1a-1"].code
    assert [r["name"] for r in lookup.json()["path"]][:2] == ["测试市", "A区"]


def test_lookup_converts_gcj02_input(client, tree):
    from nuanxin.geo.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(110.05, 21.05)
    body = client.get(
        "/api/v1/geo/lookup", {"lon": lon, "lat": lat, "coord_system": "gcj02"}
    ).json()

    assert body["region"]["code"] == tree["A1a-1"].code


def test_lookup_errors_have_codes(client, tree):
    outside = client.get("/api/v1/geo/lookup", {"lon": 10, "lat": 10})
    bad = client.get("/api/v1/geo/lookup", {"lon": 500, "lat": 10})
    system = client.get("/api/v1/geo/lookup", {"lon": 110, "lat": 21, "coord_system": "utm"})

    assert outside.status_code == 404 and outside.json()["code"] == "geo.outside_regions"
    assert bad.status_code == 400 and bad.json()["code"] == "geo.bad_coordinates"
    assert system.status_code == 422 and system.json()["code"] == "validation_error"


def test_missing_page_is_explained_in_chinese(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_is_in_chinese(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "服务暂时不可用" in html and "/static/nuanxin/app.css" in html
