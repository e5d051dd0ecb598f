"""Posting projects and moving them through draft -> published -> closed / cancelled."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import conflict
from nuanxin.core.notifications import notification_send
from nuanxin.core.scoping import require_jurisdiction
from nuanxin.core.texts import text
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region
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
from nuanxin.volunteering.services._rules import (
    bad,
    check_places,
    clean_place,
    optional_points,
    party_hold_hours_default,
    pool_for,
    session_times,
    street_of,
)


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
    street = street_of(region)
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise bad("bad_title", _("请填写项目名称（不超过 120 字）。"))
    if kind not in ProjectKind.values:
        raise bad("bad_kind", _("未知的项目类型。"), kind=kind)
    if award_rule not in AwardRule.values:
        raise bad("bad_points", _("未知的积分规则。"), award_rule=award_rule)
    if requirement not in Requirement.values:
        raise bad("bad_requirement", _("未知的报名要求。"), requirement=requirement)
    place_name, point = clean_place(place_name, place, coord_system)
    check_places(places)
    points_per_hour = optional_points("points_per_hour", points_per_hour)
    points_per_task = optional_points("points_per_task", points_per_task)
    cap = optional_points("cap", cap)
    if award_rule == AwardRule.PER_TASK and not points_per_task:
        raise bad(
            "bad_points", _("按任务计分的项目必须填写每次任务积分。"), field="points_per_task"
        )
    if quantity_target is not None and (
        isinstance(quantity_target, bool)
        or not isinstance(quantity_target, int)
        or not 1 <= quantity_target <= 1_000_000
    ):
        raise bad("bad_quantity", _("发放目标必须是正整数。"))
    hold = party_hold_hours_default() if party_hold_hours is None else party_hold_hours
    if isinstance(hold, bool) or not isinstance(hold, int) or not 0 <= hold <= 24 * 30:
        raise bad("bad_requirement", _("党员优先时长必须在 0 到 720 小时之间。"))
    if (
        isinstance(withdraw_hours_before, bool)
        or not isinstance(withdraw_hours_before, int)
        or not 0 <= withdraw_hours_before <= 24 * 14
    ):
        raise bad("bad_schedule", _("退出截止时间设置无效。"))
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
    pool = pool_for(region, street, pool_region, point)
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
            title=text(gettext_noop("志愿服务项目已取消：%(title)s"), title=locked.title),
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
            raise bad("bad_title", _("请填写项目名称（不超过 120 字）。"))
        locked.title = title
    if description is not None:
        locked.description = description.strip()
    if requirements_note is not None:
        locked.requirements_note = requirements_note.strip()[:300]
    if place_name is not None:
        locked.place_name, _point = clean_place(place_name, None, CoordSystem.WGS84)
    if places is not None:
        check_places(places)
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
