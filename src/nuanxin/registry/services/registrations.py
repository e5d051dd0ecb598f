"""报到备案: submit, accept, reject, withdraw. Each transition is one service."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.accounts.models import User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, forbidden
from nuanxin.core.notifications import notification_send
from nuanxin.core.scoping import require_in_scope_or_404, require_jurisdiction
from nuanxin.core.texts import text
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.registry.access import (
    is_governing,
    is_liaison,
    liaison_enterprise_ids,
    registration_missing,
    require_enterprise_access,
    require_worker_access,
    worker_missing,
)
from nuanxin.registry.models import (
    OPEN_REGISTRATION_STATUSES,
    Enterprise,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
    Worker,
)

AUDITED_FIELDS = ["status", "community", "decided_by", "decision_reason"]


def _announce(registration: Registration, what: str) -> None:
    """Tell the people behind a registration that community staff decided on it."""
    if what not in (RegistrationStatus.ACCEPTED, RegistrationStatus.REJECTED):
        return
    subject = (
        registration.enterprise.name if registration.enterprise_id else text(gettext_noop("您"))
    )
    community = registration.community.name
    if what == RegistrationStatus.ACCEPTED:
        title = text(
            gettext_noop("%(subject)s在%(community)s的报到已通过"),
            subject=subject,
            community=community,
        )
        body = registration.decision_reason
    else:
        title = text(
            gettext_noop("%(subject)s在%(community)s的报到被退回"),
            subject=subject,
            community=community,
        )
        body = text(gettext_noop("原因：%(reason)s"), reason=registration.decision_reason)
    people = {registration.submitted_by_id}
    if registration.worker_id and registration.worker.user_id:
        people.add(registration.worker.user_id)
    for user in User.objects.filter(pk__in=[pk for pk in people if pk]):
        notification_send(
            user=user,
            kind=f"registry.{what}",
            title=title,
            body=body,
            url=reverse("registry:me"),
        )


def _check_submitter(
    actor: User | None, community: Region, enterprise: Enterprise | None, worker: Worker | None
) -> None:
    if actor is None:
        return
    if is_governing(actor):
        require_jurisdiction(actor, community)
        return
    if enterprise is not None:
        require_enterprise_access(actor, enterprise)
        return
    # Someone else's record answers like a record that does not exist.
    if is_liaison(actor):
        theirs = liaison_enterprise_ids(actor)
        if not theirs.intersection(worker.enterprises.values_list("id", flat=True)):
            raise worker_missing()
        return
    if worker.user_id != actor.pk:
        raise worker_missing()


@transaction.atomic
def registration_submit(
    *,
    community: Region,
    actor: User | None,
    enterprise: Enterprise | None = None,
    worker: Worker | None = None,
    channel: str = RegistrationChannel.QR,
    note: str = "",
    accept_now: bool = False,
) -> Registration:
    """An enterprise or a worker registers with ``community``.

    The subject's row is locked so two submissions for the same subject queue; a subject with an
    open registration must withdraw it first. Staff registering someone on their behalf may
    accept at once (``accept_now``): they are the reviewers.
    """
    if (enterprise is None) == (worker is None):
        raise ApplicationError("registry.bad_subject", _("请指定报到的企业或从业人员（二选一）。"))
    if community.level != RegionLevel.COMMUNITY:
        raise ApplicationError(
            "registry.not_a_community",
            _("只能向社区（村）报到。"),
            extra={"region": community.code},
        )
    if enterprise is not None:
        subject = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        open_qs = Registration.objects.filter(enterprise=subject)
    else:
        subject = Worker.objects.select_for_update().get(pk=worker.pk)
        open_qs = Registration.objects.filter(worker=subject)
    _check_submitter(actor, community, subject if enterprise else None, subject if worker else None)
    existing = open_qs.filter(status__in=OPEN_REGISTRATION_STATUSES).select_related("community")
    existing = existing.first()
    if existing is not None:
        raise conflict(
            "registry.already_registered",
            _("已向%(community)s报到（%(status)s），如需变更请先撤销。")
            % {"community": existing.community.name, "status": existing.get_status_display()},
            registration=existing.pk,
        )
    if accept_now and not (actor is None or is_governing(actor)):
        raise forbidden("registry.not_allowed", _("只有社区工作人员可以直接通过报到。"))
    registration = Registration(
        community=community,
        enterprise=subject if enterprise else None,
        worker=subject if worker else None,
        channel=channel,
        note=(note or "").strip()[:500],
        submitted_by=actor,
    )
    if accept_now:
        registration.status = RegistrationStatus.ACCEPTED
        registration.decided_by = actor
        registration.decided_at = timezone.now()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # pragma: no cover - the row lock above prevents it
        raise conflict("registry.already_registered", _("已有未完成的报到。")) from exc
    audit_record(
        actor=actor,
        action="registration.submit",
        obj=registration,
        after=snapshot(registration, AUDITED_FIELDS),
        region_path=community.path,
    )
    _announce(registration, registration.status)
    return registration


def _lock_for_review(registration: Registration, reviewer: User | None) -> Registration:
    registration = (
        Registration.objects.select_for_update().select_related("community").get(pk=registration.pk)
    )
    if reviewer is not None:
        if not is_governing(reviewer):
            raise forbidden("registry.not_allowed", _("只有社区工作人员可以审核报到。"))
        require_in_scope_or_404(reviewer, registration.community, registration_missing())
    if registration.status != RegistrationStatus.SUBMITTED:
        raise conflict(
            "registry.registration_not_pending",
            _("该报到已处理（%(status)s）。") % {"status": registration.get_status_display()},
        )
    return registration


def _decide(
    registration: Registration, reviewer: User | None, status: str, reason: str, action: str
) -> Registration:
    before = snapshot(registration, AUDITED_FIELDS)
    registration.status = status
    registration.decided_by = reviewer
    registration.decided_at = timezone.now()
    registration.decision_reason = reason
    registration.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        actor=reviewer,
        action=action,
        obj=registration,
        before=before,
        after=snapshot(registration, AUDITED_FIELDS),
        region_path=registration.community.path,
    )
    _announce(registration, status)
    return registration


@transaction.atomic
def registration_accept(
    *, registration: Registration, reviewer: User | None, note: str = ""
) -> Registration:
    registration = _lock_for_review(registration, reviewer)
    return _decide(
        registration,
        reviewer,
        RegistrationStatus.ACCEPTED,
        (note or "").strip()[:500],
        "registration.accept",
    )


@transaction.atomic
def registration_reject(
    *, registration: Registration, reviewer: User | None, reason: str
) -> Registration:
    """Send a registration back; the reason is required, the submitter reads it."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "registry.reason_required", _("退回报到时必须填写原因。"), extra={"field": "reason"}
        )
    registration = _lock_for_review(registration, reviewer)
    return _decide(
        registration, reviewer, RegistrationStatus.REJECTED, reason[:500], "registration.reject"
    )


@transaction.atomic
def registration_withdraw(
    *, registration: Registration, actor: User | None, reason: str = ""
) -> Registration:
    """The subject (or staff) withdraws a pending or accepted registration, e.g. on moving."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("community", "enterprise__region", "worker__region")
        .get(pk=registration.pk)
    )
    if actor is not None:
        # Whose registration it is comes before what state it is in, and a registration the
        # actor may not touch answers like one that does not exist.
        try:
            if is_governing(actor):
                require_in_scope_or_404(actor, registration.community, registration_missing())
            elif registration.enterprise_id:
                require_enterprise_access(actor, registration.enterprise)
            else:
                require_worker_access(actor, registration.worker)
        except ApplicationError as refused:
            raise registration_missing() from refused
    if registration.status not in OPEN_REGISTRATION_STATUSES:
        raise conflict(
            "registry.registration_not_open",
            _("该报到已结束（%(status)s），无需撤销。")
            % {"status": registration.get_status_display()},
        )
    return _decide(
        registration,
        actor,
        RegistrationStatus.WITHDRAWN,
        (reason or "").strip()[:500],
        "registration.withdraw",
    )
