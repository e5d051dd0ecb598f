import datetime as dt
import io

import pytest
from PIL import Image

from nuanxin.accounts.models import Role
from nuanxin.core.audit import AuditLog
from nuanxin.core.errors import ApplicationError
from nuanxin.core.stamps import stamp_read
from nuanxin.core.timeutil import local_date
from nuanxin.geo.coords import wgs84_to_gcj02
from nuanxin.stations import services
from nuanxin.stations.models import HoursException, Station, StationStatus, WeeklySpan
from tests.factories import UserFactory, staff
from tests.stations.factories import make_station

pytestmark = pytest.mark.django_db


def create_args(**overrides):
    args = {
        "kind": "station",
        "name": "海滨驿站",
        "host_type": "bank",
        "address": "海滨大道 1 号",
        "lon": 110.05,
        "lat": 21.05,
        "amenities": ["drinking_water", "toilet"],
    }
    args.update(overrides)
    return args


def test_community_staff_creates_a_station_in_their_community(tree, amenities):
    actor = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    before = stamp_read(services.STATIONS_TOPIC)

    station = services.station_create(actor=actor, **create_args())

    assert station.region == tree["A1a-1"]  # the deepest region at the point
    assert station.code == "449901-001"
    assert sorted(station.amenities.values_list("code", flat=True)) == ["drinking_water", "toilet"]
    log = AuditLog.objects.get(action="station.create")
    assert log.actor == actor and log.after["amenities"] == ["drinking_water", "toilet"]
    assert stamp_read(services.STATIONS_TOPIC) > before


def test_codes_are_numbered_per_county(tree, amenities):
    first = make_station(lon=110.05, lat=21.05)
    second = make_station(lon=110.15, lat=21.05)
    other_county = make_station(lon=110.25, lat=21.05)

    assert (first.code, second.code, other_county.code) == (
        "449901-001",
        "449901-002",
        "449902-001",
    )


def test_community_staff_cannot_create_in_the_next_community(tree, amenities):
    actor = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    with pytest.raises(ApplicationError) as error:
        services.station_create(actor=actor, **create_args(lon=110.15))  # in A1b

    assert error.value.code == "auth.out_of_jurisdiction"
    assert not Station.objects.exists()


@pytest.mark.parametrize("role", [Role.WORKER, Role.STATION_KEEPER])
def test_workers_and_keepers_cannot_create_stations(tree, amenities, role):
    with pytest.raises(ApplicationError) as error:
        services.station_create(actor=UserFactory(role=role), **create_args())

    assert error.value.code == "stations.forbidden"


def test_gcj02_input_is_stored_as_wgs84(tree, amenities):
    g_lon, g_lat = wgs84_to_gcj02(110.05, 21.05)

    station = services.station_create(
        actor=None, **create_args(lon=g_lon, lat=g_lat, coord_system="gcj02")
    )

    assert station.lon == pytest.approx(110.05, abs=1e-7)
    assert station.lat == pytest.approx(21.05, abs=1e-7)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amenities": ["drinking_water", "jacuzzi"]}, "stations.unknown_amenity"),
        ({"lon": 200}, "geo.bad_coordinates"),
        ({"lon": 120.0, "lat": 30.0}, "stations.outside_regions"),
        ({"contact_phone": "call me"}, "stations.bad_phone"),
        ({"kind": "tent"}, "stations.bad_kind"),
        ({"name": "  "}, "stations.bad_name"),
        ({"standard_services": ["massage"]}, "stations.bad_service"),
        ({"capacity": -1}, "stations.bad_capacity"),
        ({"timezone": "Mars/Olympus"}, "stations.bad_timezone"),
        ({"code": "has space"}, "stations.bad_code"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_writes_nothing(tree, amenities, overrides, code):
    with pytest.raises(ApplicationError) as error:
        services.station_create(actor=None, **create_args(**overrides))

    assert error.value.code == code
    assert not Station.objects.exists()
    assert not AuditLog.objects.filter(action="station.create").exists()


def test_duplicate_code_is_refused(tree, amenities):
    make_station(lon=110.05, lat=21.05, code="HS-1")

    with pytest.raises(ApplicationError) as error:
        make_station(lon=110.06, lat=21.05, code="HS-1")

    assert error.value.code == "stations.code_taken"


def test_keeper_edits_their_own_station(tree, amenities, keeper):
    station = make_station(lon=110.05, lat=21.05, keepers=[keeper])

    services.station_update(
        station=station, actor=keeper, amenities=["phone_charging"], contact_phone="0759-1234567"
    )

    station.refresh_from_db()
    assert list(station.amenities.values_list("code", flat=True)) == ["phone_charging"]
    assert station.contact_phone == "0759-1234567"
    log = AuditLog.objects.get(action="station.update")
    assert log.before["amenities"] == ["drinking_water"]
    assert log.after["amenities"] == ["phone_charging"]


def test_keeper_cannot_edit_a_station_they_do_not_keep(tree, amenities, keeper):
    station = make_station(lon=110.05, lat=21.05)

    with pytest.raises(ApplicationError) as error:
        services.station_update(station=station, actor=keeper, name="改名")

    assert (error.value.code, error.value.status) == ("stations.not_found", 404)
    station.refresh_from_db()
    assert station.name == "测试驿站"


def test_keeper_cannot_name_keepers(tree, amenities, keeper):
    station = make_station(lon=110.05, lat=21.05, keepers=[keeper])

    with pytest.raises(ApplicationError) as error:
        services.station_update(station=station, actor=keeper, keepers=[])

    assert error.value.code == "stations.forbidden"
    assert list(station.keepers.all()) == [keeper]


def test_keeper_moves_the_station_only_inside_its_community(tree, amenities, keeper):
    station = make_station(lon=110.05, lat=21.05, keepers=[keeper])

    services.station_update(station=station, actor=keeper, lon=110.05, lat=21.15)  # A1a-2
    with pytest.raises(ApplicationError) as error:
        services.station_update(station=station, actor=keeper, lon=110.15, lat=21.15)  # A1b

    station.refresh_from_db()
    assert station.region == tree["A1a-2"]
    assert error.value.code == "stations.keeper_cannot_move"


def test_community_staff_cannot_edit_a_station_in_the_next_community(tree, amenities):
    station = make_station(lon=110.15, lat=21.05)  # A1b
    neighbour = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    with pytest.raises(ApplicationError) as error:
        services.station_update(station=station, actor=neighbour, name="改名")

    assert (error.value.code, error.value.status) == ("stations.not_found", 404)


def test_street_staff_cannot_move_a_station_out_of_their_street(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)
    street = staff(Role.STREET_ADMIN, tree["A1"])

    with pytest.raises(ApplicationError) as error:
        services.station_update(station=station, actor=street, lon=110.05, lat=21.3)  # A2

    assert error.value.code == "auth.out_of_jurisdiction"
    station.refresh_from_db()
    assert station.lat == 21.05


def test_only_station_keeper_users_can_be_keepers(tree, amenities):
    with pytest.raises(ApplicationError) as error:
        make_station(lon=110.05, lat=21.05, keepers=[UserFactory(role=Role.WORKER)])

    assert error.value.code == "stations.bad_keeper"


def test_suspending_needs_a_reason(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)

    with pytest.raises(ApplicationError) as error:
        services.station_set_status(station=station, actor=None, status=StationStatus.SUSPENDED)
    services.station_set_status(
        station=station, actor=None, status=StationStatus.SUSPENDED, note="装修"
    )

    station.refresh_from_db()
    assert error.value.code == "stations.note_required"
    assert (station.status, station.status_note) == ("suspended", "装修")


def test_weekly_hours_are_replaced_and_audited(tree, amenities):
    station = make_station(lon=110.05, lat=21.05, hours="每天 08:00-20:00")

    services.station_set_weekly_hours(
        station=station, actor=None, weekly={4: [("22:00", "06:00")], 5: [("00:00", "00:00")]}
    )

    rows = list(WeeklySpan.objects.filter(station=station).values_list("weekday", "start", "end"))
    assert rows == [(4, dt.time(22), dt.time(6)), (5, dt.time(0), dt.time(0))]
    log = AuditLog.objects.filter(action="station.set_hours").first()  # newest
    assert log.before == {"weekly": "每天 08:00-20:00"}
    assert log.after == {"weekly": "周五 22:00-次日06:00；周六 24小时"}


@pytest.mark.parametrize(
    "weekly",
    [
        {0: [("08:00", "12:00"), ("11:00", "18:00")]},
        {0: [("8am", "noon")]},
        {7: [("08:00", "12:00")]},
    ],
)
def test_bad_weekly_hours_are_refused_and_keep_the_old_ones(tree, amenities, weekly):
    station = make_station(lon=110.05, lat=21.05, hours="每天 08:00-20:00")

    with pytest.raises(ApplicationError) as error:
        services.station_set_weekly_hours(station=station, actor=None, weekly=weekly)

    assert error.value.code == "stations.bad_hours"
    assert WeeklySpan.objects.filter(station=station).count() == 7


def test_exception_closes_a_date_and_can_be_removed(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)
    holiday = local_date() + dt.timedelta(days=3)

    services.station_set_exception(
        station=station, actor=None, date=holiday, closed=True, note="国庆"
    )
    services.station_set_exception(
        station=station, actor=None, date=holiday, closed=False, spans=[("09:00", "12:00")]
    )
    exception = HoursException.objects.get(station=station)
    removed = services.station_remove_exception(station=station, actor=None, date=holiday)

    assert (exception.is_closed, exception.spans) == (False, [["09:00", "12:00"]])
    assert removed is True
    assert not HoursException.objects.exists()


def test_exception_far_in_the_past_is_refused(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)

    with pytest.raises(ApplicationError) as error:
        services.station_set_exception(
            station=station, actor=None, date=local_date() - dt.timedelta(days=30), closed=True
        )

    assert error.value.code == "stations.bad_exception_date"


def test_exception_that_is_neither_closed_nor_has_spans_is_refused(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)

    with pytest.raises(ApplicationError) as error:
        services.station_set_exception(station=station, actor=None, date=local_date(), closed=False)

    assert error.value.code == "stations.bad_hours"


def test_rotating_the_qr_bumps_its_version(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)

    services.station_rotate_qr(station=station, actor=None)

    station.refresh_from_db()
    assert station.qr_version == 2
    assert AuditLog.objects.filter(action="station.rotate_qr").exists()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (21.0, 3.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_lose_their_exif(tree, amenities, keeper):
    station = make_station(lon=110.05, lat=21.05, keepers=[keeper])
    original = _jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()

    photo = services.station_photo_add(station=station, actor=keeper, data=original, caption="门口")

    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert not image.getexif()
        assert image.size == (40, 30)


def test_a_file_that_is_not_an_image_is_refused(tree, amenities):
    station = make_station(lon=110.05, lat=21.05)

    with pytest.raises(ApplicationError) as error:
        services.station_photo_add(station=station, actor=None, data=b"not an image")

    assert error.value.code == "images.unsupported_format"
    assert not station.photos.exists()


def test_amenity_list_is_kept_by_city_admins(tree, amenities):
    with pytest.raises(ApplicationError) as error:
        services.amenity_save(code="shower", name="淋浴", actor=staff(Role.COUNTY_ADMIN, tree["A"]))
    amenity = services.amenity_save(
        code="shower", name="淋浴", icon="🚿", actor=staff(Role.CITY_ADMIN, tree.city)
    )

    assert error.value.code == "stations.forbidden"
    assert amenity.name == "淋浴"
