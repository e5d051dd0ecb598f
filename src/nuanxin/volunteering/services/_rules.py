"""The rules a project must meet when it is posted: place, schedule, places, points, pool."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.coords import pair, point_to_wgs84
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.volunteering.models import Recurrence

MAX_SESSIONS = 120
MAX_PLACES = 500
MAX_POINTS = 1000
MAX_SPAN_DAYS = 366


def party_hold_hours_default() -> int:
    """Hours after publication during which a party-first project seats only party members;
    a deployment changes it with the ``VOLUNTEER_PARTY_HOLD_HOURS`` setting."""
    return int(getattr(settings, "VOLUNTEER_PARTY_HOLD_HOURS", 24))


def bad(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"volunteering.{code}", message, extra=extra)


def street_of(region: Region) -> Region:
    if region.level == RegionLevel.STREET:
        return region
    if region.level == RegionLevel.COMMUNITY and region.parent is not None:
        return region.parent
    raise bad(
        "bad_region",
        _("志愿服务项目只能由社区或街道发布。"),
        region=region.code,
    )


def community_at(lon: float | None, lat: float | None, street: Region) -> Region | None:
    """The community of ``street`` that contains the meeting place, if any."""
    if lon is None or lat is None:
        return None
    match = region_at_point(lon, lat)
    if match is None:
        return None
    for region in match.region.ancestors():
        if region.level == RegionLevel.COMMUNITY and region.parent_id == street.pk:
            return region
    return None


def pool_for(
    region: Region,
    street: Region,
    pool_region: Region | None,
    place: tuple[float, float] | None,
) -> Region:
    """Which community's points pool pays for the project.

    A community project pays from its own pool. A street project names one community of the
    street; when the poster leaves it out, the community that contains the meeting place pays,
    because the service is done there. The choice is fixed when the project is posted, so staff
    and workers know before anyone claims whose budget the points come from.
    """
    if region.level == RegionLevel.COMMUNITY:
        if pool_region is not None and pool_region.pk != region.pk:
            raise bad("bad_pool", _("社区项目的积分只能由本社区发放。"), pool=pool_region.code)
        return region
    if pool_region is not None:
        if pool_region.level != RegionLevel.COMMUNITY or pool_region.parent_id != street.pk:
            raise bad("bad_pool", _("积分发放社区必须是本街道下的社区。"), pool=pool_region.code)
        return pool_region
    found = community_at(*(place or (None, None)), street)
    if found is None:
        raise bad(
            "pool_required",
            _("街道项目请指定积分发放社区，或把集合地点标注在本街道的某个社区内。"),
        )
    return found


def clean_place(
    place_name: str, place: tuple[float, float] | None, coord_system: str
) -> tuple[str, tuple[float, float] | None]:
    place_name = (place_name or "").strip()
    if not place_name or len(place_name) > 200:
        raise bad("bad_place", _("请填写集合地点（不超过 200 字）。"))
    if place is None:
        return place_name, None
    return place_name, point_to_wgs84(*pair(place), coord_system)


def session_times(
    *,
    recurrence: str,
    first_date: dt.date,
    last_date: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) of every session the rule makes, in the city's time zone.

    ``weekdays`` are ISO numbers (1 Monday .. 7 Sunday); a single-session project uses
    ``first_date`` only.
    """
    if recurrence not in Recurrence.values:
        raise bad("bad_schedule", _("未知的时间安排方式。"), recurrence=recurrence)
    if not isinstance(first_date, dt.date) or not isinstance(start_time, dt.time):
        raise bad("bad_schedule", _("请填写日期和时间。"))
    if not isinstance(end_time, dt.time) or end_time <= start_time:
        raise bad("bad_schedule", _("结束时间必须晚于开始时间（同一天内）。"))
    if recurrence == Recurrence.ONCE:
        days = [first_date]
    else:
        if not isinstance(last_date, dt.date) or last_date < first_date:
            raise bad("bad_schedule", _("结束日期不能早于开始日期。"))
        if (last_date - first_date).days > MAX_SPAN_DAYS:
            raise bad("bad_schedule", _("重复活动的时间跨度不能超过一年。"))
        wanted = set(weekdays)
        if not wanted or not wanted <= set(range(1, 8)):
            raise bad("bad_schedule", _("请选择每周的活动日（周一到周日）。"))
        span = (last_date - first_date).days + 1
        days = [
            day
            for day in (first_date + dt.timedelta(days=i) for i in range(span))
            if day.isoweekday() in wanted
        ]
        if not days:
            raise bad("bad_schedule", _("所选日期范围内没有符合条件的活动日。"))
    if len(days) > MAX_SESSIONS:
        raise bad(
            "too_many_sessions",
            _("一个项目最多 %(max)s 场活动。") % {"max": MAX_SESSIONS},
            sessions=len(days),
        )
    zone = timezone.get_current_timezone()
    return [
        (
            dt.datetime.combine(day, start_time, tzinfo=zone),
            dt.datetime.combine(day, end_time, tzinfo=zone),
        )
        for day in days
    ]


def optional_points(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise bad("bad_points", _("积分设置必须是 0 到 1000 的整数。"), field=name)
    return value


def check_places(places: Any) -> int:
    if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
        raise bad("bad_places", _("每场名额必须在 1 到 %(max)s 之间。") % {"max": MAX_PLACES})
    return places
