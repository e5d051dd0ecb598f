import datetime as dt

import pytest
from openapi_spec_validator import validate

from nuanxin.accounts.models import Role
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from nuanxin.stations import services
from nuanxin.stations.models import Station, Visit
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tree, amenities):
    water = make_station(
        lon=110.06, lat=21.05, name="有水驿站", amenities=["drinking_water", "toilet"]
    )
    dry = make_station(lon=110.051, lat=21.05, name="无水驿站", amenities=["phone_charging"])
    return water, dry


def test_nearest_open_with_water(client, two):
    water, _dry = two

    response = client.get(
        "/api/v1/stations/nearest",
        {"lon": 110.05, "lat": 21.05, "amenities": "drinking_water", "open_now": "true"},
    )

    body = response.json()
    assert response.status_code == 200
    assert [r["id"] for r in body["results"]] == [water.pk]
    hit = body["results"][0]
    assert hit["name"] == "有水驿站"
    assert hit["open"]["is_open"] is True and hit["open"]["label"] == "24小时开放"
    assert hit["distance_m"] == pytest.approx(1037.7, abs=0.1)  # 0.01° of longitude at 21°N
    assert (hit["walk_minutes"], hit["ride_minutes"]) == (18, 6)
    assert hit["navigation"]["amap"].startswith("https://uri.amap.com/marker?position=")
    assert body["query"]["amenities"] == ["drinking_water"]


def test_nearest_takes_gcj02_and_bd09_input_and_gives_gcj02_output(client, two):
    water, dry = two
    g_lon, g_lat = wgs84_to_gcj02(110.05, 21.05)
    b_lon, b_lat = wgs84_to_bd09(110.05, 21.05)

    from_gcj = client.get(
        "/api/v1/stations/nearest",
        {"lon": g_lon, "lat": g_lat, "coord_system": "gcj02", "crs": "gcj02"},
    ).json()
    from_bd = client.get(
        "/api/v1/stations/nearest", {"lon": b_lon, "lat": b_lat, "coord_system": "bd09"}
    ).json()

    assert [r["id"] for r in from_gcj["results"]] == [dry.pk, water.pk]
    assert [r["distance_m"] for r in from_gcj["results"]] == [
        r["distance_m"] for r in from_bd["results"]
    ]
    out_lon, out_lat = from_gcj["results"][0]["lon"], from_gcj["results"][0]["lat"]
    assert (out_lon, out_lat) == pytest.approx(wgs84_to_gcj02(110.051, 21.05), abs=1e-6)
    assert from_gcj["query"]["point"] == pytest.approx([g_lon, g_lat], abs=1e-6)


def test_nearest_field_selection(client, two):
    response = client.get(
        "/api/v1/stations/nearest", {"lon": 110.05, "lat": 21.05, "fields": "id,distance_m"}
    )

    assert [set(r) for r in response.json()["results"]] == [{"id", "distance_m"}] * 2


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"fields": "id,secret"}, "stations.bad_fields"),
        ({"amenities": "jacuzzi"}, "stations.unknown_amenity"),
        ({"count": 0}, "stations.bad_count"),
        ({"lon": 500}, "geo.bad_coordinates"),
        ({"coord_system": "mars"}, "validation_error"),
    ],
)
def test_nearest_bad_parameters_have_codes(client, two, params, code):
    response = client.get("/api/v1/stations/nearest", {"lon": 110.05, "lat": 21.05, **params})

    assert response.status_code in (400, 422)
    assert response.json()["code"] == code


def test_map_data_is_geojson_with_open_state(client, two):
    water, dry = two
    services.station_set_weekly_hours(station=dry, actor=None, weekly={})

    response = client.get("/api/v1/stations/", {"crs": "gcj02"})

    features = {f["properties"]["id"]: f for f in response.json()["features"]}
    assert features[water.pk]["properties"]["open_now"] is True
    assert features[dry.pk]["properties"]["open_now"] is False
    assert features[water.pk]["geometry"]["coordinates"] == pytest.approx(
        list(wgs84_to_gcj02(110.06, 21.05)), abs=1e-6
    )


def test_station_detail(client, two):
    water, _ = two
    services.station_set_exception(
        station=water,
        actor=None,
        date=local_date() + dt.timedelta(days=2),
        closed=True,
        note="国庆闭站",
    )

    body = client.get(f"/api/v1/stations/{water.pk}").json()

    assert body["name"] == "有水驿站"
    assert [a["code"] for a in body["amenities"]] == ["drinking_water", "toilet"]
    assert body["hours"]["text"] == "每天 24小时"
    assert body["hours"]["exceptions"][0]["note"] == "国庆闭站"
    assert body["hours"]["next_days"][2]["closed"] is True
    assert body["hours"]["next_days"][0]["closed"] is False


def test_unknown_station_is_404_with_code(client, tree):
    response = client.get("/api/v1/stations/999999")

    assert response.status_code == 404
    assert response.json()["code"] == "stations.not_found"


def test_staff_create_with_hours_and_a_retried_key_creates_one(client, tree, amenities):
    actor = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    body = {
        "kind": "station",
        "name": "新驿站",
        "host_type": "pharmacy",
        "address": "健康路 8 号",
        "lon": 110.05,
        "lat": 21.05,
        "amenities": ["first_aid", "drinking_water"],
        "standard_services": ["tea", "rest"],
        "hours": {"text": "周一至周五 08:00-20:00"},
    }

    first = send(client, "post", "/api/v1/stations/", body, user=actor, **{"Idempotency-Key": "k1"})
    again = send(client, "post", "/api/v1/stations/", body, **{"Idempotency-Key": "k1"})

    assert first.status_code == 201
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Station.objects.count() == 1
    created = first.json()
    assert created["standard_services"] == [
        {"code": "rest", "label": "舒心小憩"},
        {"code": "tea", "label": "温心热茶"},
    ]
    assert created["hours"]["text"] == "周一至周五 08:00-20:00"


def test_worker_cannot_create_a_station(client, tree, amenities, worker):
    body = {
        "kind": "station",
        "name": "x",
        "host_type": "bank",
        "address": "x",
        "lon": 110.05,
        "lat": 21.05,
    }

    response = send(client, "post", "/api/v1/stations/", body, user=worker)

    assert response.status_code == 403
    assert response.json()["code"] == "stations.forbidden"


def test_keeper_patches_their_station_but_not_the_next_one(client, two, keeper):
    water, dry = two
    services.station_update(station=water, actor=None, keepers=[keeper])

    mine = send(
        client,
        "patch",
        f"/api/v1/stations/{water.pk}",
        {"contact_phone": "0759-2222222", "capacity": 20},
        user=keeper,
    )
    other = send(client, "patch", f"/api/v1/stations/{dry.pk}", {"name": "改名"})

    assert mine.status_code == 200 and mine.json()["capacity"] == 20
    assert other.status_code == 404 and other.json()["code"] == "stations.not_found"
    dry.refresh_from_db()
    assert dry.name == "无水驿站"


def test_community_staff_cannot_patch_in_the_next_community(client, tree, amenities):
    station = make_station(lon=110.15, lat=21.05)  # A1b

    response = send(
        client,
        "patch",
        f"/api/v1/stations/{station.pk}",
        {"name": "改名"},
        user=staff(Role.COMMUNITY_STAFF, tree["A1a"]),
    )

    assert response.status_code == 404
    assert response.json() == {"code": "stations.not_found", "message": "驿站不存在。", "extra": {}}


def test_hours_and_exceptions_over_the_api(client, two):
    water, _ = two
    actor = staff(Role.STREET_ADMIN, tree_region(water))
    day = (local_date() + dt.timedelta(days=5)).isoformat()

    hours = send(
        client,
        "put",
        f"/api/v1/stations/{water.pk}/hours",
        {"weekly": [{"weekday": 4, "start": "22:00", "end": "06:00"}]},
        user=actor,
    )
    special = send(
        client,
        "put",
        f"/api/v1/stations/{water.pk}/exceptions/{day}",
        {"closed": False, "spans": [{"start": "09:00", "end": "12:00"}], "note": "半天"},
    )
    removed = send(client, "delete", f"/api/v1/stations/{water.pk}/exceptions/{day}")
    missing = send(client, "delete", f"/api/v1/stations/{water.pk}/exceptions/{day}")

    assert hours.status_code == 200
    assert hours.json()["text"] == "周五 22:00-次日06:00"
    assert special.json()["spans"][0]["label"] == "09:00-12:00"
    assert removed.status_code == 204
    assert missing.json()["code"] == "stations.no_exception"


def tree_region(station):
    return station.region.parent.parent.parent  # grid > community > street


def test_status_change_over_the_api(client, two):
    water, _ = two
    actor = staff(Role.STREET_ADMIN, tree_region(water))

    refused = send(
        client, "post", f"/api/v1/stations/{water.pk}/status", {"status": "suspended"}, user=actor
    )
    done = send(
        client,
        "post",
        f"/api/v1/stations/{water.pk}/status",
        {"status": "suspended", "note": "停电"},
    )

    assert refused.json()["code"] == "stations.note_required"
    assert done.json()["open"]["label"] == "暂停服务"


def test_qr_links_for_managers_only(client, two, worker):
    water, _ = two
    actor = staff(Role.STREET_ADMIN, tree_region(water))

    denied = send(client, "get", f"/api/v1/stations/{water.pk}/qr", user=worker)
    links = send(client, "get", f"/api/v1/stations/{water.pk}/qr", user=actor).json()
    token = links["url"].rstrip("/").rsplit("/", 1)[1]
    assert services.station_from_token(token) == water
    rotated = send(client, "post", f"/api/v1/stations/{water.pk}/qr/rotate").json()

    assert denied.status_code == 403
    assert links["url"].startswith("http://testserver/stations/checkin/")
    assert rotated["version"] == 2 and rotated["url"] != links["url"]


def test_worker_checks_in_over_the_api_and_lists_visits(client, two, worker):
    water, _ = two
    body = {
        "token": services.checkin_token(water),
        "position": {"lon": water.lon, "lat": water.lat},
    }

    first = send(client, "post", "/api/v1/stations/checkin", body, user=worker)
    again = send(client, "post", "/api/v1/stations/checkin", body)
    mine = send(client, "get", "/api/v1/stations/visits/mine").json()

    assert first.json()["counted"] is True and first.json()["message"].startswith(
        "签到成功！欢迎来到有水驿站。"
    )
    assert again.json()["counted"] is False
    assert [v["station"]["name"] for v in mine] == ["有水驿站"]
    assert mine[0]["scans"] == 2


def test_check_in_with_a_forged_token_is_404(client, two, worker):
    response = send(
        client, "post", "/api/v1/stations/checkin", {"token": "1-1:forged"}, user=worker
    )

    assert response.status_code == 404
    assert response.json()["code"] == "stations.bad_qr"
    assert not Visit.objects.exists()


def test_check_in_needs_login(client, two):
    response = send(
        client, "post", "/api/v1/stations/checkin", {"token": services.checkin_token(two[0])}
    )

    assert response.status_code == 401


def test_visit_stats_over_the_api(client, two, tree):
    water, dry = two
    for _ in range(3):
        services.visit_record(station=water, worker=UserFactory(role=Role.WORKER))
    services.visit_record(station=dry, worker=UserFactory(role=Role.WORKER))
    county = staff(Role.COUNTY_ADMIN, tree["A"])

    by_station = send(client, "get", "/api/v1/stations/stats/visits", user=county).json()
    by_day = send(client, "get", "/api/v1/stations/stats/visits?by=day").json()
    bad = send(client, "get", "/api/v1/stations/stats/visits?by=colour")

    assert [(r["label"], r["visits"]) for r in by_station["rows"]] == [
        ("有水驿站 · A区 A1街道", 3),
        ("无水驿站 · A区 A1街道", 1),
    ]
    assert by_day["rows"] == [
        {
            "key": local_date().isoformat(),
            "label": local_date().isoformat(),
            "visits": 4,
            "scans": 4,
        }
    ]
    assert bad.json()["code"] == "stations.bad_group"


def test_managed_list_for_a_keeper(client, two, keeper):
    water, _ = two
    services.station_update(station=water, actor=None, keepers=[keeper])

    body = send(client, "get", "/api/v1/stations/managed", user=keeper).json()

    assert [s["name"] for s in body] == ["有水驿站"]


@pytest.mark.parametrize("count", [2, 12])
def test_managed_list__query_count_does_not_grow_with_the_stations(
    client, tree, amenities, keeper, worker, count, django_assert_max_num_queries
):
    stations = [
        make_station(lon=110.05 + i / 1000, lat=21.05, name=f"驿站{i:02d}", keepers=[keeper])
        for i in range(count)
    ]
    now = dt.datetime.now(dt.UTC)
    for day, n in ((local_date(), 2), (local_date() - dt.timedelta(days=1), 1)):
        for other in UserFactory.create_batch(n):
            Visit.objects.create(station=stations[0], worker=other, day=day, first_at=now,
                                 last_at=now)  # fmt: skip

    client.force_login(keeper)

    # session, user, two-factor devices, the stations with their regions and today's visits,
    # and the session's save (three with its savepoint): the same for 2 stations and for 12
    with django_assert_max_num_queries(7):
        body = send(client, "get", "/api/v1/stations/managed").json()

    assert len(body) == count
    assert [s["visits_today"] for s in body] == [2] + [0] * (count - 1)
    assert body[0]["region"]["code"] == stations[0].region.code


def test_amenity_list(client, amenities):
    body = client.get("/api/v1/stations/amenities").json()

    assert {"code": "drinking_water", "name": "饮用水", "icon": "💧"} in body


def test_openapi_documents_the_stations_api(client):
    spec = client.get("/api/v1/openapi.json").json()

    validate(spec)
    paths = spec["paths"]
    for path in [
        "/api/v1/stations/",
        "/api/v1/stations/nearest",
        "/api/v1/stations/{station_id}",
        "/api/v1/stations/checkin",
        "/api/v1/stations/import",
        "/api/v1/stations/stats/visits",
        "/api/v1/stations/{station_id}/hours",
    ]:
        assert path in paths, path
    assert paths["/api/v1/stations/nearest"]["get"]["summary"].startswith("最近的驿站")
