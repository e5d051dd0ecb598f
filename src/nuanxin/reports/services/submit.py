"""Submitting a report, and adding to someone else's report instead of filing a duplicate."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.core import texts
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.core.files import WrittenFiles, removed_unless_committed
from nuanxin.core.images import CleanImage, ImageSource
from nuanxin.core.limits import lock_user
from nuanxin.core.notifications import region_notify
from nuanxin.core.timeutil import local_date, start_of_local_day
from nuanxin.geo.coords import point_to_wgs84
from nuanxin.reports.models import (
    OPEN_STATES,
    Category,
    Channel,
    EventKind,
    PhotoKind,
    Report,
    ReportPhoto,
    ReportSupport,
    State,
)
from nuanxin.reports.photos import MAX_PHOTOS, photo_attach, photo_clean
from nuanxin.reports.questions import answers_clean
from nuanxin.reports.routing import route_department, route_point
from nuanxin.reports.selectors import report_missing
from nuanxin.reports.services._common import (
    before_of,
    clean_text,
    lock,
    record,
    require_reporter,
    tell_reporter,
)

MAX_DESCRIPTION = 2000
# States the public map and the nearby list never show.
HIDDEN_FROM_PUBLIC = (State.REJECTED, State.DUPLICATE)


def daily_limit() -> int:
    return int(getattr(settings, "REPORTS_DAILY_LIMIT", 20))


@dataclass(frozen=True)
class ReporterContact:
    """Who to reach when the reporter has no account (an Open311 client's user)."""

    name: str = ""
    phone: str = ""
    email: str = ""


def _check_contact(contact: ReporterContact) -> ReporterContact:
    if contact.email:
        try:
            EmailValidator()(contact.email)
        except ValidationError as exc:
            raise ApplicationError("reports.bad_email", _("电子邮箱格式不正确。")) from exc
    return ReporterContact(
        name=contact.name.strip()[:100], phone=contact.phone.strip()[:30], email=contact.email
    )


def _check_media_url(url: str) -> str:
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ApplicationError("reports.bad_media_url", _("图片链接无效。")) from exc
    return url[:500]


def _check_rate(reporter: Any) -> None:
    if reporter is None:
        return
    since = start_of_local_day(local_date())
    today = Report.objects.filter(reporter=reporter, created_at__gte=since).count()
    if today >= daily_limit():
        raise ApplicationError(
            "reports.daily_limit",
            _("今天提交的问题已达上限（%(n)d 条），请明天再报。") % {"n": daily_limit()},
            extra={"limit": daily_limit()},
            status=429,
        )


def _prior(reporter: Any, client_id: str, submit_key: str) -> Report | None:
    if not submit_key:
        return None
    return Report.objects.filter(
        reporter=reporter, client_id=client_id, submit_key=submit_key
    ).first()


def report_submit(
    *,
    reporter: Any,
    category: Category,
    lon: float,
    lat: float,
    description: str,
    coord_system: str = "wgs84",
    photos: Sequence[ImageSource] = (),
    answers: Mapping[str, Any] | None = None,
    address: str = "",
    media_url: str = "",
    contact: ReporterContact | None = None,
    channel: str = Channel.WEB,
    client_id: str = "",
    submit_key: str = "",
) -> Report:
    """File a report at a point (in ``coord_system``), routed to its grid/community and the
    category's department. Photos are cleaned (``core.images``) before anything is written.

    ``submit_key`` makes a retry safe: the same reporter (and client) sending the same key gets
    the first report back and nothing new is created. ``reporter`` may be None only for a
    client application's anonymous user (channel ``open311``), who may leave ``contact``.
    """
    if reporter is None and channel != Channel.OPEN311:
        raise ApplicationError("reports.reporter_required", _("请先登录。"), status=401)
    submit_key = (submit_key or "").strip()[:255]
    prior = _prior(reporter, client_id, submit_key)
    if prior is not None:
        return prior
    if not category.is_active:
        raise ApplicationError(
            "reports.category_inactive", _("该问题类别已停用。"), extra={"category": category.code}
        )
    text = clean_text(description, field="description", required=True, max_length=MAX_DESCRIPTION)
    clean_answers = answers_clean(category, answers or {})
    wgs_lon, wgs_lat = point_to_wgs84(lon, lat, coord_system)
    if len(photos) > MAX_PHOTOS:
        raise ApplicationError(
            "reports.too_many_photos",
            _("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS},
            extra={"max": MAX_PHOTOS},
        )
    contact = _check_contact(contact or ReporterContact())
    media_url = _check_media_url(media_url)
    routing = route_point(wgs_lon, wgs_lat)
    # A quick refusal before the photos are decoded; the count that holds is the one below.
    _check_rate(reporter)
    # Decoding images is the slow part: do it before the write lock is taken.
    cleaned = [photo_clean(p) for p in photos]
    try:
        with removed_unless_committed() as files, transaction.atomic():
            # The reporter's row lock queues their concurrent submissions, so each one counts
            # today's reports after the previous one committed (SQLite: the IMMEDIATE
            # transaction's write lock does the same).
            lock_user(reporter)
            prior = _prior(reporter, client_id, submit_key)
            if prior is not None:
                return prior
            _check_rate(reporter)
            report = _create(
                reporter=reporter,
                category=category,
                lon=wgs_lon,
                lat=wgs_lat,
                text=text,
                answers=clean_answers,
                address=(address or "").strip()[:255],
                media_url=media_url,
                contact=contact,
                channel=channel,
                client_id=client_id,
                submit_key=submit_key,
                routing=routing,
                photos=cleaned,
                files=files,
            )
            _tell_grid(report)
    except IntegrityError:
        prior = _prior(reporter, client_id, submit_key)
        if prior is not None:
            return prior
        raise
    return report


def _tell_grid(report: Report) -> None:
    """A new report reaches the inbox of its grid's audience (grid members, community staff)."""
    region_notify(
        region=report.region,
        kind="reports.new_in_grid",
        title=texts.text(
            gettext_noop("网格内有新的问题上报：%(category)s"),
            category=texts.text(report.category.name),
        ),
        body=report.address or report.region.name,
        exclude=[report.reporter_id] if report.reporter_id else [],
    )


def _create(
    *,
    reporter: Any,
    category: Category,
    lon: float,
    lat: float,
    text: str,
    answers: dict[str, Any],
    address: str,
    media_url: str,
    contact: ReporterContact,
    channel: str,
    client_id: str,
    submit_key: str,
    routing: Any,
    photos: list[CleanImage],
    files: WrittenFiles,
) -> Report:
    now = timezone.now()
    report = Report.objects.create(
        category=category,
        reporter=reporter,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
        channel=channel,
        client_id=client_id,
        submit_key=submit_key,
        description=text,
        answers=answers,
        address=address,
        media_url=media_url,
        lon=lon,
        lat=lat,
        region=routing.region,
        community=routing.community,
        department=route_department(category, routing.region),
        state=State.SUBMITTED,
        points_requested=category.points,
        state_changed_at=now,
        due_at=now + dt.timedelta(hours=category.handling_hours),
    )
    for clean in photos:
        photo_attach(report, clean, kind=PhotoKind.REPORT, by=reporter, files=files)
    record(
        report,
        kind=EventKind.SUBMITTED,
        actor=reporter,
        before={},
        data={"region": routing.region.code, "photos": len(photos), "channel": channel},
    )
    tell_reporter(
        report,
        kind="submitted",
        title=texts.text(gettext_noop("已收到您的随手拍 #%(id)d"), id=report.pk),
        # Named as the form names it: the community that reviews, never the grid staff work in.
        body=texts.text(
            gettext_noop("我们已转给%(region)s，审核后会通知您。"),
            region=(routing.community or routing.region).name,
        ),
    )
    return report


@transaction.atomic
def report_support(*, report: Report, user: Any, note: str = "") -> ReportSupport:
    """Add to an open report ("I saw this too") instead of filing a second one.

    A report the public never sees (rejected, or merged into another) answers like a missing
    one; who may support comes before the state, which is told only of public reports.
    """
    report = lock(report)
    if report.state in HIDDEN_FROM_PUBLIC:
        raise report_missing()
    if report.reporter_id is not None and report.reporter_id == getattr(user, "pk", None):
        raise conflict("reports.own_report", _("不能附议自己提交的问题。"))
    if report.state not in OPEN_STATES:
        raise conflict("reports.not_open", _("该问题已办结，不能再附议。"), state=report.state)
    text = clean_text(note, field="note", required=False, max_length=500)
    if ReportSupport.objects.filter(report=report, user=user).exists():
        raise conflict("reports.already_supported", _("您已附议过该问题。"))
    before = before_of(report)
    support = ReportSupport.objects.create(report=report, user=user, note=text)
    Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
    report.support_count += 1
    record(
        report,
        kind=EventKind.SUPPORTED,
        actor=user,
        before=before,
        from_state=report.state,
        public_note=text,
        data={"support_count": report.support_count},
    )
    return support


def report_photo_add(*, report: Report, user: Any, photo: ImageSource) -> ReportPhoto:
    """Attach one more photo to one's own report while it waits for review (clients that can
    upload only one file per request send the report first, then its photos)."""
    clean = photo_clean(photo)
    with removed_unless_committed() as files, transaction.atomic():
        report = lock(report)
        require_reporter(user, report)
        if report.state != State.SUBMITTED:
            raise conflict(
                "reports.invalid_transition",
                _("问题已进入处理，不能再补充照片。"),
                state=report.state,
                action="add_photo",
            )
        if report.photos.filter(kind=PhotoKind.REPORT).count() >= MAX_PHOTOS:
            raise ApplicationError(
                "reports.too_many_photos",
                _("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS},
                extra={"max": MAX_PHOTOS},
            )
        added = photo_attach(report, clean, kind=PhotoKind.REPORT, by=user, files=files)
        record(
            report,
            kind=EventKind.PHOTO_ADDED,
            actor=user,
            before=before_of(report),
            from_state=report.state,
            data={"photo_added": added.pk},
            visible=False,
        )
    return added
