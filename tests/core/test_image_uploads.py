"""Every place that takes an image upload sends it through the one intake (``core.images``).

The proof for each: the 12000 x 12000 PNG of 17 KB (a decompression bomb, the file that once
took 800 MB per upload at station photos and shop pictures) is refused with the same code
everywhere, and nothing is stored. A new upload endpoint in the API has to join this table, or
the last test fails.
"""

import functools
import io

import pytest

from nuanxin.accounts.models import Role
from nuanxin.reports.models import Report, ReportPhoto, State
from nuanxin.reports.services import report_accept
from nuanxin.stations.models import StationPhoto
from nuanxin.store.models import Item
from tests.factories import UserFactory, staff
from tests.helpers import png_of_size
from tests.points.factories import funded_pool
from tests.reports import factories as reports
from tests.stations.factories import make_station
from tests.store.factories import city_admin, make_item

pytestmark = pytest.mark.django_db

CODE = "images.too_many_pixels"
MESSAGE = "图片尺寸过大"
# Uploads that are not images: the .xlsx imports (the registry's sheet reader reads them all).
NOT_IMAGES = {
    ("post", "/api/v1/registry/imports"),
    ("post", "/api/v1/stations/import"),
    ("post", "/api/v1/party/industry-figures/import"),
}


@functools.cache
def _bomb_bytes() -> bytes:
    return png_of_size(12000, 12000)


def bomb(name: str = "photo.png") -> io.BytesIO:
    upload = io.BytesIO(_bomb_bytes())
    upload.name = name
    return upload


def stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def form_error_codes(response, field: str) -> list[str]:
    form = response.context["adminform"].form
    return [error.code for error in form.errors.as_data().get(field, [])]


def report_form(category) -> dict:
    lon, lat = reports.IN_A1A_1
    return {"category": category.code, "lon": lon, "lat": lat, "description": "井盖缺失"}


# --- reports ------------------------------------------------------------------------------


def test_reports_api_submit(client, tree, settings):
    client.force_login(reports.worker(tree))
    form = report_form(reports.category())

    answer = client.post("/api/v1/reports/", {**form, "photos": [bomb()]})

    assert answer.status_code == 400 and answer.json()["code"] == CODE
    assert not Report.objects.exists() and stored_files(settings) == []


def test_reports_api_add_photo(client, tree, settings):
    reporter = reports.worker(tree)
    report = reports.submitted(tree, reporter=reporter)
    client.force_login(reporter)

    answer = client.post(f"/api/v1/reports/{report.pk}/photos", {"photo": bomb()})

    assert answer.status_code == 400 and answer.json()["code"] == CODE
    assert not ReportPhoto.objects.exists() and stored_files(settings) == []


def _accepted(tree):
    reviewer = reports.community_staff(tree)
    funded_pool(tree, "A1a", 100)
    return report_accept(report=reports.submitted(tree), reviewer=reviewer), reviewer


def test_reports_api_resolve(client, tree, settings):
    report, reviewer = _accepted(tree)
    client.force_login(reviewer)

    answer = client.post(
        f"/api/v1/reports/{report.pk}/resolve", {"note": "已修复", "photo": bomb()}
    )

    assert answer.status_code == 400 and answer.json()["code"] == CODE
    report.refresh_from_db()
    assert report.state == State.ACCEPTED and stored_files(settings) == []


def test_reports_page_new(client, tree, settings):
    client.force_login(reports.worker(tree))
    form = report_form(reports.category())

    page = client.post("/reports/new/", {**form, "coord_system": "wgs84", "photos": [bomb()]})

    assert page.status_code == 400
    assert f'data-code="{CODE}"' in page.content.decode()
    assert not Report.objects.exists() and stored_files(settings) == []


def test_reports_page_resolve(client, tree, settings):
    report, reviewer = _accepted(tree)
    client.force_login(reviewer)

    page = client.post(
        f"/reports/queue/{report.pk}/resolve/", {"note": "已修复", "photo": bomb()}, follow=True
    )

    assert MESSAGE in page.content.decode()
    report.refresh_from_db()
    assert report.state == State.ACCEPTED and stored_files(settings) == []


# --- stations -------------------------------------------------------------------------------


def _kept_station(tree):
    keeper = staff(Role.STATION_KEEPER, tree["A1a"])
    return make_station(lon=110.05, lat=21.05, amenities=(), keepers=[keeper]), keeper


def test_stations_api_photo(client, tree, settings):
    station, keeper = _kept_station(tree)
    client.force_login(keeper)

    answer = client.post(f"/api/v1/stations/{station.pk}/photos", {"image": bomb()})

    assert answer.status_code == 400 and answer.json()["code"] == CODE
    assert not StationPhoto.objects.exists() and stored_files(settings) == []


def test_stations_admin_photo(client, tree, settings):
    station, keeper = _kept_station(tree)
    client.force_login(keeper)

    page = client.post(
        "/admin/stations/stationphoto/add/",
        {"station": station.pk, "upload": bomb(), "caption": "门口"},
    )

    assert page.status_code == 200 and form_error_codes(page, "upload") == [CODE]
    assert not StationPhoto.objects.exists() and stored_files(settings) == []


# --- store ------------------------------------------------------------------------------------


def test_store_api_item_picture(client, tree, settings):
    item = make_item(tree)
    client.force_login(city_admin(tree))

    answer = client.post(f"/api/v1/store/staff/items/{item.pk}/picture", {"picture": bomb()})

    assert answer.status_code == 400 and answer.json()["code"] == CODE
    item.refresh_from_db()
    assert not item.picture and stored_files(settings) == []


def _item_form(**changes) -> dict:
    form = {
        "name": "大米 5kg",
        "category": "grain_oil",
        "points_price": 80,
        "description": "",
        "monthly_limit": "",
        "active_from_0": "",
        "active_from_1": "",
        "active_until_0": "",
        "active_until_1": "",
    }
    return {**form, **changes}


def test_store_admin_item_picture(client, tree, settings):
    item = make_item(tree, name="食用油 5L")

    client.force_login(city_admin(tree))
    added = client.post("/admin/store/item/add/", _item_form(picture=bomb()))
    # A superuser: the item list and change pages are not open to city admins yet.
    client.force_login(UserFactory(is_superuser=True))
    changed = client.post(
        f"/admin/store/item/{item.pk}/change/", _item_form(name="食用油 5L", picture=bomb())
    )

    assert added.status_code == changed.status_code == 200
    assert form_error_codes(added, "picture") == form_error_codes(changed, "picture") == [CODE]
    assert list(Item.objects.values_list("name", "picture")) == [("食用油 5L", "")]
    assert stored_files(settings) == []


# --- the table is complete ------------------------------------------------------------------


API_UPLOADS = {
    ("post", "/api/v1/reports/"),
    ("post", "/api/v1/reports/{report_id}/photos"),
    ("post", "/api/v1/reports/{report_id}/resolve"),
    ("post", "/api/v1/stations/{station_id}/photos"),
    ("post", "/api/v1/store/staff/items/{item_id}/picture"),
}


def test_every_file_upload_in_the_api_is_in_this_table(client):
    schema = client.get("/api/v1/openapi.json").json()
    uploads = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for body in content.values():
                for field in body.get("schema", {}).get("properties", {}).values():
                    if "binary" in (field.get("format"), field.get("items", {}).get("format")):
                        uploads.add((method, path))

    assert uploads - NOT_IMAGES == API_UPLOADS
