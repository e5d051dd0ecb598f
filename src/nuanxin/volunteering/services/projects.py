"""Posting projects and moving them through draft -> published -> closed / cancelled."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.notifications import notification_send
from nuanxin.core.scoping import require_jurisdiction
from nuanxin.geo.coords import CoordSystem, to_wgs84
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.selectors import region_at_point
from nuanxin.volunteering.models import (
    ACTIVE_CLAIM_STATUSES,
    AwardRule,
    Claim,
    ClaimStatus,
    Project,
    ProjectKind,
    ProjectStatus,
    Recurrence,
    Requirement,
    Session,
)
from nuanxin.volunteering.services._common import (
    PROJECT_AUDIT_FIELDS,
    lock_project,
    now,
    require_staff_for,
)

MAX_SESSIONS = 120
MAX_PLACES = 500
MAX_POINTS = 1000
MAX_SPAN_DAYS = 366


def party_hold_hours_default() -> int:
    """Hours after publication during which a party-first project seats only party members;
    a deployment changes it with the ``VOLUNTEER_PARTY_HOLD_HOURS`` setting."""
    return int(getattr(settings, "VOLUNTEER_PARTY_HOLD_HOURS", 24))


def _bad(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"volunteering.{code}", message, extra=extra)


def _street_of(region: Region) -> Region:
    if region.level == RegionLevel.STREET:
        return region
    if region.level == RegionLevel.COMMUNITY and region.parent is not None:
        return region.parent
    raise _bad(
        "bad_region",
        _("志愿服务项目只能由社区或街道发布。"),
        region=region.code,
    )


def _community_at(lon: float | None, lat: float | None, street: Region) -> Region | None:
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


def _pool_for(
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
            raise _bad("bad_pool", _("社区项目的积分只能由本社区发放。"), pool=pool_region.code)
        return region
    if pool_region is not None:
        if pool_region.level != RegionLevel.COMMUNITY or pool_region.parent_id != street.pk:
            raise _bad("bad_pool", _("积分发放社区必须是本街道下的社区。"), pool=pool_region.code)
        return pool_region
    found = _community_at(*(place or (None, None)), street)
    if found is None:
        raise _bad(
            "pool_required",
            _("街道项目请指定积分发放社区，或把集合地点标注在本街道的某个社区内。"),
        )
    return found


def _clean_place(
    place_name: str, place: tuple[float, float] | None, coord_system: str
) -> tuple[str, tuple[float, float] | None]:
    place_name = (place_name or "").strip()
    if not place_name or len(place_name) > 200:
        raise _bad("bad_place", _("请填写集合地点（不超过 200 字）。"))
    if place is None:
        return place_name, None
    try:
        return place_name, to_wgs84(place[0], place[1], coord_system)
    except (TypeError, ValueError, IndexError) as exc:
        raise _bad("bad_place", _("集合地点坐标无效。"), detail=str(exc)) from exc


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
        raise _bad("bad_schedule", _("未知的时间安排方式。"), recurrence=recurrence)
    if not isinstance(first_date, dt.date) or not isinstance(start_time, dt.time):
        raise _bad("bad_schedule", _("请填写日期和时间。"))
    if not isinstance(end_time, dt.time) or end_time <= start_time:
        raise _bad("bad_schedule", _("结束时间必须晚于开始时间（同一天内）。"))
    if recurrence == Recurrence.ONCE:
        days = [first_date]
    else:
        if not isinstance(last_date, dt.date) or last_date < first_date:
            raise _bad("bad_schedule", _("结束日期不能早于开始日期。"))
        if (last_date - first_date).days > MAX_SPAN_DAYS:
            raise _bad("bad_schedule", _("重复活动的时间跨度不能超过一年。"))
        wanted = set(weekdays)
        if not wanted or not wanted <= set(range(1, 8)):
            raise _bad("bad_schedule", _("请选择每周的活动日（周一到周日）。"))
        span = (last_date - first_date).days + 1
        days = [
            day
            for day in (first_date + dt.timedelta(days=i) for i in range(span))
            if day.isoweekday() in wanted
        ]
        if not days:
            raise _bad("bad_schedule", _("所选日期范围内没有符合条件的活动日。"))
    if len(days) > MAX_SESSIONS:
        raise _bad(
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


def _optional_points(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise _bad("bad_points", _("积分设置必须是 0 到 1000 的整数。"), field=name)
    return value


def _check_places(places: Any) -> int:
    if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
        raise _bad("bad_places", _("每场名额必须在 1 到 %(max)s 之间。") % {"max": MAX_PLACES})
    return places


@transaction.atomic
def project_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    region: Region,
    place_name: str,
    first_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    places: int,
    recurrence: str = Recurrence.ONCE,
    last_date: dt.date | None = None,
    weekdays: Iterable[int] = (),
    description: str = "",
    requirements_note: str = "",
    place: tuple[float, float] | None = None,
    coord_system: str = CoordSystem.WGS84,
    pool_region: Region | None = None,
    award_rule: str = AwardRule.PER_HOUR,
    points_per_hour: int | None = None,
    points_per_task: int | None = None,
    cap: int | None = None,
    requirement: str = Requirement.NONE,
    party_hold_hours: int | None = None,
    quantity_target: int | None = None,
    withdraw_hours_before: int = 2,
    publish: bool = False,
) -> Project:
    """Post a project in ``region`` (a community or street inside the actor's jurisdiction) and
    generate its sessions. Past dates are allowed: staff record activities afterwards (补录)."""
    require_jurisdiction(actor, region)
    street = _street_of(region)
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise _bad("bad_title", _("请填写项目名称（不超过 120 字）。"))
    if kind not in ProjectKind.values:
        raise _bad("bad_kind", _("未知的项目类型。"), kind=kind)
    if award_rule not in AwardRule.values:
        raise _bad("bad_points", _("未知的积分规则。"), award_rule=award_rule)
    if requirement not in Requirement.values:
        raise _bad("bad_requirement", _("未知的报名要求。"), requirement=requirement)
    place_name, point = _clean_place(place_name, place, coord_system)
    _check_places(places)
    points_per_hour = _optional_points("points_per_hour", points_per_hour)
    points_per_task = _optional_points("points_per_task", points_per_task)
    cap = _optional_points("cap", cap)
    if award_rule == AwardRule.PER_TASK and not points_per_task:
        raise _bad(
            "bad_points", _("按任务计分的项目必须填写每次任务积分。"), field="points_per_task"
        )
    if quantity_target is not None and (
        isinstance(quantity_target, bool)
        or not isinstance(quantity_target, int)
        or not 1 <= quantity_target <= 1_000_000
    ):
        raise _bad("bad_quantity", _("发放目标必须是正整数。"))
    hold = party_hold_hours_default() if party_hold_hours is None else party_hold_hours
    if isinstance(hold, bool) or not isinstance(hold, int) or not 0 <= hold <= 24 * 30:
        raise _bad("bad_requirement", _("党员优先时长必须在 0 到 720 小时之间。"))
    if (
        isinstance(withdraw_hours_before, bool)
        or not isinstance(withdraw_hours_before, int)
        or not 0 <= withdraw_hours_before <= 24 * 14
    ):
        raise _bad("bad_schedule", _("退出截止时间设置无效。"))
    weekday_list = sorted(set(weekdays)) if recurrence == Recurrence.WEEKLY else []
    last = first_date if recurrence == Recurrence.ONCE else last_date
    times = session_times(
        recurrence=recurrence,
        first_date=first_date,
        last_date=last,
        weekdays=weekday_list,
        start_time=start_time,
        end_time=end_time,
    )
    pool = _pool_for(region, street, pool_region, point)
    project = Project.objects.create(
        title=title,
        kind=kind,
        description=(description or "").strip(),
        requirements_note=(requirements_note or "").strip()[:300],
        region=region,
        street=street,
        pool_region=pool,
        place_name=place_name,
        place_lon=point[0] if point else None,
        place_lat=point[1] if point else None,
        recurrence=recurrence,
        first_date=first_date,
        last_date=last,
        weekdays=",".join(str(day) for day in weekday_list),
        start_time=start_time,
        end_time=end_time,
        places=places,
        award_rule=award_rule,
        points_per_hour=points_per_hour,
        points_per_task=points_per_task,
        cap=cap,
        requirement=requirement,
        party_hold_hours=hold,
        quantity_target=quantity_target,
        withdraw_hours_before=withdraw_hours_before,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Session.objects.bulk_create(
        Session(project=project, starts_at=start, ends_at=end, places=places)
        for start, end in times
    )
    audit_record(
        actor=actor,
        action="volunteer.project_create",
        obj=project,
        after={**snapshot(project, PROJECT_AUDIT_FIELDS), "sessions": len(times)},
        region_path=region.path,
    )
    if publish:
        project = project_publish(project=project, actor=actor)
    return project


def _transition(
    project: Project, actor: Any, target: str, allowed_from: set[str], action: str
) -> Project:
    locked = lock_project(project.pk)
    require_staff_for(actor, locked)
    if locked.status == target:
        return locked
    if locked.status not in allowed_from:
        raise conflict(
            "volunteering.bad_transition",
            _("项目当前状态为“%(status)s”，不能执行该操作。")
            % {"status": locked.get_status_display()},
            status=locked.status,
            target=target,
        )
    before = snapshot(locked, ["status", "published_at"])
    locked.status = target
    if target == ProjectStatus.PUBLISHED and locked.published_at is None:
        locked.published_at = now()
    locked.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        before=before,
        after=snapshot(locked, ["status", "published_at"]),
        region_path=locked.region.path,
    )
    return locked


@transaction.atomic
def project_publish(*, project: Project, actor: Any) -> Project:
    """Open a draft (or a closed) project for claims. Publishing again changes nothing."""
    return _transition(
        project,
        actor,
        ProjectStatus.PUBLISHED,
        {ProjectStatus.DRAFT, ProjectStatus.CLOSED},
        "volunteer.project_publish",
    )


@transaction.atomic
def project_close(*, project: Project, actor: Any) -> Project:
    """Stop taking claims; existing claims, check-ins and verification go on."""
    return _transition(
        project, actor, ProjectStatus.CLOSED, {ProjectStatus.PUBLISHED}, "volunteer.project_close"
    )


@transaction.atomic
def project_cancel(*, project: Project, actor: Any, reason: str = "") -> Project:
    """Cancel the project: every active claim on a session that has not started is cancelled
    and its worker told. Sessions already held keep their attendance and can still be verified."""
    locked = _transition(
        project,
        actor,
        ProjectStatus.CANCELLED,
        {ProjectStatus.DRAFT, ProjectStatus.PUBLISHED, ProjectStatus.CLOSED},
        "volunteer.project_cancel",
    )
    at = now()
    claims = list(
        Claim.objects.select_for_update(of=("self",))
        .filter(
            project=locked,
            status__in=ACTIVE_CLAIM_STATUSES,
            session__starts_at__gt=at,
            attendance__isnull=True,
        )
        .select_related("worker")
    )
    for claim in claims:
        claim.status = ClaimStatus.CANCELLED
        claim.ended_at = at
        claim.save(update_fields=["status", "ended_at"])
        notification_send(
            user=claim.worker,
            kind="volunteer.cancelled",
            title=_("志愿服务项目已取消：%(title)s") % {"title": locked.title},
            body=reason,
            url="/volunteer/mine/",
        )
    if claims:
        audit_record(
            actor=actor,
            action="volunteer.project_cancel_claims",
            obj=locked,
            after={"cancelled_claims": [c.pk for c in claims]},
            note=reason,
            region_path=locked.region.path,
        )
    return locked


@transaction.atomic
def project_update(
    *,
    project: Project,
    actor: Any,
    title: str | None = None,
    description: str | None = None,
    requirements_note: str | None = None,
    place_name: str | None = None,
    places: int | None = None,
) -> Project:
    """Change a project's wording or its places per session. Places apply to sessions that have
    not ended and may not drop below the claims a session already holds."""
    locked = lock_project(project.pk)
    require_staff_for(actor, locked)
    before = snapshot(locked, [*PROJECT_AUDIT_FIELDS, "description", "requirements_note"])
    if title is not None:
        title = title.strip()
        if not title or len(title) > 120:
            raise _bad("bad_title", _("请填写项目名称（不超过 120 字）。"))
        locked.title = title
    if description is not None:
        locked.description = description.strip()
    if requirements_note is not None:
        locked.requirements_note = requirements_note.strip()[:300]
    if place_name is not None:
        locked.place_name, _point = _clean_place(place_name, None, CoordSystem.WGS84)
    if places is not None:
        _check_places(places)
        _set_places(locked, places)
        locked.places = places
    locked.save()
    after = snapshot(locked, [*PROJECT_AUDIT_FIELDS, "description", "requirements_note"])
    if before != after:
        audit_record(
            actor=actor,
            action="volunteer.project_update",
            obj=locked,
            before=before,
            after=after,
            region_path=locked.region.path,
        )
    return locked


def _set_places(project: Project, places: int) -> None:
    from nuanxin.volunteering.services.claims import promote_waitlist

    sessions = list(Session.objects.select_for_update().filter(project=project, ends_at__gt=now()))
    for session in sessions:
        taken = session.claims.filter(status=ClaimStatus.CLAIMED).count()
        if places < taken:
            raise conflict(
                "volunteering.places_below_claimed",
                _("名额不能少于已认领人数（%(taken)s 人）。") % {"taken": taken},
                session=session.pk,
                taken=taken,
            )
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(places=places)
    for session in sessions:
        session.places = places
        session.project = project
        promote_waitlist(project, session)
