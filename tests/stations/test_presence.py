"""A check-in pays only when presence is shown: the phone's position within the station's
radius, or the rotating code of the station's screen. The poster's QR code alone opens the
page and no more; every refusal has its own code and a Chinese message."""

import datetime as dt
import math

import pytest

from nuanxin.core.errors import ApplicationError
from nuanxin.core.models import Notification
from nuanxin.geo.coords import from_wgs84
from nuanxin.stations import services
from nuanxin.stations.models import Visit
from nuanxin.stations.services.presence import STEP_SECONDS, Presence, live_code
from tests.factories import UserFactory
from tests.helpers import error_code
from tests.stations.factories import NOON, make_station

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 111_195.0


@pytest.fixture
def station(tree, amenities):
    return make_station(lon=110.05, lat=21.05, name="海盛驿站", checkin_radius_m=200)


def north_of(station, metres: float) -> Presence:
    return Presence(lon=station.lon, lat=station.lat + metres / METRES_PER_DEGREE_LAT)


def check_in(station, worker, presence=None, at=NOON):
    token = services.checkin_token(station)
    return services.visit_checkin(token=token, worker=worker, presence=presence, at=at)


def refusal(station, worker, presence=None, at=NOON) -> str:
    return error_code(lambda: check_in(station, worker, presence, at))


def test_the_posters_code_alone_no_longer_checks_in(station, worker):
    assert refusal(station, worker) == "stations.presence_required"
    assert not Visit.objects.exists()


def test_a_phone_within_the_radius_checks_in_and_one_outside_is_told_how_far(station, worker):
    assert refusal(station, worker, north_of(station, 450)) == "stations.too_far"
    with pytest.raises(ApplicationError) as caught:
        check_in(station, worker, north_of(station, 450))
    assert caught.value.extra == {"distance_m": 450, "radius_m": 200}
    assert "约 450 米" in caught.value.message and "200 米" in caught.value.message
    assert not Visit.objects.exists()

    assert check_in(station, worker, north_of(station, 150)).counted


def test_the_fixs_own_error_counts_for_the_worker_up_to_the_radius(station, worker):
    near_edge = north_of(station, 250)
    assert refusal(station, worker, near_edge) == "stations.too_far"
    with_error = Presence(lon=near_edge.lon, lat=near_edge.lat, accuracy_m=80)
    assert check_in(station, worker, with_error).counted


def test_a_fix_too_vague_to_tell_is_refused(station, worker):
    vague = Presence(lon=station.lon, lat=station.lat, accuracy_m=900)
    assert refusal(station, worker, vague) == "stations.position_inaccurate"


def test_a_position_in_gcj02_is_converted_before_the_comparison(station, worker):
    lon, lat = from_wgs84(station.lon, station.lat, "gcj02")
    assert math.dist((lon, lat), (station.lon, station.lat)) > 0.001  # hundreds of metres
    assert check_in(station, worker, Presence(lon=lon, lat=lat, coord_system="gcj02")).counted


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("denied", "stations.position_denied"),
        ("unavailable", "stations.position_unavailable"),
        ("timeout", "stations.position_unavailable"),
    ],
)
def test_a_phone_that_gives_no_position_is_told_why_it_cannot_check_in(
    station, worker, reason, code
):
    assert refusal(station, worker, Presence(position_error=reason)) == code


def test_the_screens_code_checks_in_during_its_step_and_the_next(station, worker):
    shown = live_code(station, NOON)
    later = NOON + dt.timedelta(seconds=STEP_SECONDS)

    assert check_in(station, worker, Presence(code=shown.code), at=later).counted
    assert shown.expires_at > later


def test_an_old_code_is_refused_as_expired(station, worker):
    old = live_code(station, NOON - dt.timedelta(seconds=2 * STEP_SECONDS))
    old_digits = live_code(station, NOON - dt.timedelta(minutes=10)).digits

    assert refusal(station, worker, Presence(code=old.code)) == "stations.code_expired"
    assert refusal(station, worker, Presence(code=old_digits)) == "stations.code_expired"
    assert not Visit.objects.exists()


def test_the_six_digits_check_in_like_the_qr_code(station, worker):
    digits = live_code(station, NOON).digits
    assert len(digits) == 6 and digits.isdigit()
    assert check_in(station, worker, Presence(code=digits)).counted


def test_another_stations_code_is_refused_as_such(station, worker):
    other = make_station(lon=110.3, lat=21.2, name="别的驿站")
    theirs = live_code(other, NOON)

    assert refusal(station, worker, Presence(code=theirs.code)) == "stations.code_other_station"


def test_a_forged_or_future_code_is_refused(station, worker):
    shown = live_code(station, NOON)
    forged = shown.code[:-3] + ("aaa" if not shown.code.endswith("aaa") else "bbb")
    future = live_code(station, NOON + dt.timedelta(minutes=5)).code
    wrong_digits = f"{(int(shown.digits) + 1) % 1_000_000:06d}"

    for code in (forged, future, "12.34", "not-a-code", "x" * 200):
        assert refusal(station, worker, Presence(code=code)) == "stations.code_invalid", code
    assert refusal(station, worker, Presence(code=wrong_digits)) in {
        "stations.code_invalid",
        "stations.code_expired",  # six digits may collide with an hour-old code
    }


def test_a_new_poster_version_also_replaces_the_screens_codes(station, worker):
    shown = live_code(station, NOON)
    services.station_rotate_qr(station=station, actor=None)
    station.refresh_from_db()

    assert refusal(station, worker, Presence(code=shown.code)) == "stations.code_invalid"
    assert check_in(station, worker, Presence(code=live_code(station, NOON).code)).counted


def test_guessing_codes_is_stopped_after_ten_wrong_ones(station, worker):
    for _ in range(10):
        assert refusal(station, worker, Presence(code="0.0.x")) == "stations.code_invalid"

    assert refusal(station, worker, Presence(code=live_code(station, NOON).code)) == (
        "stations.code_attempts"
    )
    assert check_in(station, worker, north_of(station, 10)).counted  # the position still works


def test_a_staff_account_is_refused_as_before_whatever_it_shows(station, tree):
    from nuanxin.accounts.models import Role
    from tests.factories import staff

    person = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    assert refusal(station, person, north_of(station, 0)) == "stations.workers_only"


def test_check_in_points_reach_the_inbox(station, tree, django_capture_on_commit_callbacks):
    from tests.points.factories import funded_pool

    funded_pool(tree, "A1a")
    worker = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        result = check_in(station, worker, north_of(station, 0))

    note = Notification.objects.get(user=worker, kind="points.checkin")
    assert f"+{result.visit.points_awarded} 积分" in note.title and "海盛驿站" in note.body
    assert note.url == "/stations/visits/"
