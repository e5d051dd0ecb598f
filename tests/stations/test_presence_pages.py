"""Presence-proof check-in over the API and on the pages; the station screen's live code;
and no position sent with a check-in is kept anywhere in the database."""

import logging
import re

import pytest
from django.db import connection
from django.utils import timezone

from nuanxin.accounts.models import Role
from nuanxin.core.models import IdempotencyRecord
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from nuanxin.stations.services.presence import live_code
from tests.factories import UserFactory, staff
from tests.helpers import send
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db

URL = "/api/v1/stations/checkin"
METRES_PER_DEGREE_LAT = 111_195.0


@pytest.fixture
def station(tree, amenities):
    return make_station(lon=110.05, lat=21.05, name="海盛驿站", checkin_radius_m=200)


def body(station, **extra):
    return {"token": services.checkin_token(station), **extra}


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({}, 403, "stations.presence_required"),
        ({"position": {"lon": 110.05, "lat": 21.06}}, 403, "stations.too_far"),
        ({"position_error": "denied"}, 403, "stations.position_denied"),
        ({"position_error": "timeout"}, 403, "stations.position_unavailable"),
        ({"code": "123"}, 403, "stations.code_invalid"),
        ({"position": {"lon": "110.05", "lat": 21.05}}, 422, "validation_error"),
        ({"position": {"lon": 110.05, "lat": 21.05, "accuracy_m": -1}}, 422, "validation_error"),
        ({"position_error": "bored"}, 422, "validation_error"),
    ],
)
def test_each_api_refusal_has_its_code_and_records_nothing(
    client, station, worker, extra, status, code
):
    answer = send(client, "post", URL, body(station, **extra), user=worker)

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not Visit.objects.exists()


def test_the_api_checks_in_with_the_screens_code_and_refuses_it_at_another_station(
    client, station, worker, tree
):
    other = make_station(lon=110.3, lat=21.2, name="别的驿站")
    theirs = live_code(other, timezone.now()).code
    ours = live_code(station, timezone.now()).code

    wrong = send(client, "post", URL, body(station, code=theirs), user=worker)
    right = send(client, "post", URL, body(station, code=ours))

    assert wrong.json()["code"] == "stations.code_other_station"
    assert "另一个驿站" in wrong.json()["message"]
    assert right.status_code == 200 and right.json()["counted"] is True


def test_a_too_far_answer_says_how_far_but_never_where(client, station, worker):
    answer = send(
        client, "post", URL, body(station, position={"lon": 110.05, "lat": 21.0545}), user=worker
    ).json()

    assert answer["extra"] == {"distance_m": 500, "radius_m": 200}
    assert "21.05" not in str(answer) and "110.05" not in str(answer)


# Positions a test sends, distinct from anything else in the database.
SENT = [(110.0504321, 21.0503579), (110.0498765, 21.0612345), (110.0501234, 21.0496543)]


def _values_in_database():
    """Every value of every column of every table, as (table, column, value)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    yield table, column, value


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def test_no_position_sent_with_a_check_in_is_kept_anywhere(client, station, worker, caplog):
    caplog.set_level(logging.DEBUG)
    (near_lon, near_lat), (far_lon, far_lat), (page_lon, page_lat) = SENT
    near = {"lon": near_lon, "lat": near_lat, "accuracy_m": 12}
    accepted = send(
        client, "post", URL, body(station, position=near), user=worker,
        **{"Idempotency-Key": "presence-1"},
    )  # fmt: skip
    refused = send(client, "post", URL, body(station, position={"lon": far_lon, "lat": far_lat}))
    client.force_login(UserFactory(role=Role.WORKER))
    page = client.post(services.checkin_path(station), {"lon": page_lon, "lat": page_lat})
    assert accepted.status_code == 200 and refused.status_code == 403 and page.status_code == 302
    assert Visit.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="presence-1").exists()  # the answer was kept

    # Five decimals (about a metre) of any figure sent, as a number or inside any text or
    # JSON; the station's own position (110.05, 21.05) differs from all of them there.
    figures = [n for pair in SENT for n in pair]
    values = list(_values_in_database())
    # The search does see stored positions: the station's own.
    assert ("stations_station", "lon", station.lon) in values
    found = [
        (table, column, value)
        for table, column, value in values
        if (isinstance(value, float) and any(abs(value - n) < 1e-5 for n in figures))
        or any(f"{n:.5f}" in _text(value) for n in figures)
    ]
    assert found == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(f"{n:.5f}" in logged for n in figures)


def test_the_check_in_page_offers_position_and_code_and_explains_why(client, station, worker):
    client.force_login(worker)

    html = client.get(services.checkin_path(station)).content.decode()

    assert 'id="checkin-position"' in html and 'name="code"' in html
    assert "比较后立即丢弃，不会保存" in html and "200 米以内" in html
    assert "张贴的二维码只用于打开本页" in html
    assert "stations/checkin.js" in html


def test_the_page_shows_each_refusal_with_its_code_and_keeps_the_choices(client, station, worker):
    client.force_login(worker)
    path = services.checkin_path(station)

    far = client.post(path, {"lon": "110.05", "lat": "21.06", "accuracy": "15"})
    denied = client.post(path, {"position_error": "denied"})
    nothing = client.post(path, {})
    bad = client.post(path, {"lon": "east", "lat": "21.05"})
    old = client.post(
        path, {"code": live_code(station, timezone.now() - timezone.timedelta(minutes=3)).code}
    )

    for answer, code in [(far, "stations.too_far"), (denied, "stations.position_denied"),
                         (nothing, "stations.presence_required"), (bad, "stations.bad_position"),
                         (old, "stations.code_expired")]:  # fmt: skip
        html = answer.content.decode()
        assert f'data-code="{code}"' in html, code
        assert 'id="checkin-position"' in html  # the worker can try the other way
    assert "超出签到范围" in far.content.decode() and far.status_code == 403
    assert "签到码已过期" in old.content.decode()
    assert not Visit.objects.exists()


def test_the_screens_qr_link_fills_the_code_and_checks_in(client, station, worker):
    client.force_login(worker)
    current = live_code(station, timezone.now())
    url = f"{services.checkin_path(station)}?code={current.code}"

    html = client.get(url).content.decode()
    assert "已扫描驿站屏幕上的动态签到码" in html and f'value="{current.code}"' in html
    answer = client.post(services.checkin_path(station), {"code": current.code}, follow=True)

    assert "签到成功" in answer.content.decode()
    assert Visit.objects.get().worker == worker


def test_the_keepers_live_code_page_shows_the_current_code_and_refreshes_itself(
    client, station, tree
):
    keeper = UserFactory(role=Role.STATION_KEEPER)
    services.station_update(station=station, actor=None, keepers=[keeper])
    client.force_login(keeper)

    before = live_code(station, timezone.now()).digits
    page = client.get(f"/stations/{station.pk}/live-code/")
    part = client.get(f"/stations/{station.pk}/live-code/?part=1")
    after = live_code(station, timezone.now()).digits

    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    # The code changes every 30 s: the page shows the one current while it was drawn.
    assert (before in html or after in html) and "<svg" in html and 'hx-trigger="every 5s"' in html
    assert re.search(r"\sstyle=", html) is None
    assert part.content.decode().startswith('<div class="live-code"')
    assert "<html" not in part.content.decode()


def test_the_live_code_is_for_the_stations_managers_only(client, station, tree, worker):
    other_keeper = UserFactory(role=Role.STATION_KEEPER)
    for person in (worker, other_keeper):
        client.force_login(person)
        assert client.get(f"/stations/{station.pk}/live-code/").status_code in (403, 404)
    county = staff(Role.COUNTY_ADMIN, tree["A"])
    before = live_code(station, timezone.now()).digits
    api = send(client, "get", f"/api/v1/stations/{station.pk}/live-code", user=county).json()
    assert api["digits"] in {before, live_code(station, timezone.now()).digits}
    assert api["url"].endswith(f"?code={api['code']}")
    refused = send(client, "get", f"/api/v1/stations/{station.pk}/live-code", user=worker)
    assert refused.status_code in (403, 404)
