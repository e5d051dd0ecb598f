"""The worker's evidence for the online kinds (随手办 errands, 随时推 livestreams), on a claim.

Reported (and changed) by the worker holding the seated claim, from the session's start until
staff verify the attendance; the verification then takes it as the basis of the decision. See
``volunteering.evidence`` for what is recorded and why it holds no personal data.
"""

import re
import unicodedata
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError, conflict
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    Claim,
    ClaimStatus,
    ErrandEvidence,
    HelpedGroup,
    LivestreamEvidence,
    LivestreamPlatform,
    Project,
    ProjectKind,
    Session,
)
from nuanxin.volunteering.services._common import (
    claim_missing,
    lock_claim,
    lock_session_of,
    now,
    require_worker,
)

MAX_ERRANDS = 200
MAX_MINUTES = 720
MAX_REPORTED = 10_000_000
NOTE_MAX = 200
PRODUCT_MAX = 60
# Seven or more digits in a row, spaces, dots and dashes between them allowed: a phone number
# (mobile or landline), an identity number (its last character may be X) or a bank card.
_NUMBER_LIKE = re.compile(r"\d(?:[\s.\-]*\d){6,}")


def looks_personal(value: str) -> bool:
    """Whether free text carries something like a phone or identity number (full-width digits
    count too)."""
    return bool(_NUMBER_LIKE.search(unicodedata.normalize("NFKC", value or "")))


def _bad(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(f"volunteering.{code}", message, extra=extra)


def _count(value: Any, *, low: int, high: int, code: str, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(code, message, value=value if isinstance(value, int) else None)
    return value


def _text(value: Any, *, field: str, limit: int, required: bool) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if required and not text:
        raise _bad("bad_evidence", _("请填写%(field)s。") % {"field": field}, field=field)
    if len(text) > limit:
        raise _bad(
            "bad_evidence",
            _("%(field)s不能超过 %(max)s 字。") % {"field": field, "max": limit},
            field=field,
        )
    if looks_personal(text):
        raise _bad(
            "personal_data",
            _("%(field)s里不能写电话号码、身份证号等个人信息。") % {"field": field},
            field=field,
        )
    return text


def _lock_own_claim(claim: Claim, worker: Any, kind: str) -> tuple[Project, Session, Claim]:
    """Lock the worker's seated claim of a project of ``kind`` whose session has started and
    whose attendance is not yet verified."""
    require_worker(worker)
    project, session = lock_session_of(claim.session_id)
    locked = lock_claim(claim.pk)
    if locked.worker_id != worker.pk:
        raise claim_missing()
    if project.kind != kind:
        raise conflict(
            "volunteering.wrong_kind", _("该项目不需要上报这类服务记录。"), kind=project.kind
        )
    if locked.status != ClaimStatus.CLAIMED:
        raise conflict("volunteering.no_claim", _("该认领没有名额，不能上报。"))
    if now() < session.starts_at:
        raise conflict("volunteering.session_not_started", _("活动尚未开始，不能上报。"))
    verified = Attendance.objects.filter(claim=locked, status=AttendanceStatus.VERIFIED)
    if verified.exists():
        raise conflict("volunteering.already_verified", _("已核验，不能再修改。"))
    return project, session, locked


def _audit(worker: Any, action: str, evidence: Any, before: dict | None, project: Project) -> None:
    audit_record(
        actor=worker,
        action=action,
        obj=evidence,
        before=before,
        after=evidence_summary(evidence),
        region_path=project.region.path,
    )


def evidence_summary(evidence: Any) -> dict[str, Any]:
    """The evidence's figures as the audit records them (no free text beyond the note)."""
    if isinstance(evidence, ErrandEvidence):
        return {
            "errands": evidence.errands,
            HelpedGroup.ELDERLY.value: evidence.helped_elderly,
            HelpedGroup.DISABLED.value: evidence.helped_disabled,
            HelpedGroup.OTHER.value: evidence.helped_other,
            "note": evidence.note,
        }
    return {
        "product": evidence.product,
        "platform": evidence.platform,
        "minutes": evidence.minutes,
        "viewers": evidence.viewers,
        "items_sold": evidence.items_sold,
    }


@transaction.atomic
def errands_report(
    *, claim: Claim, worker: Any, errands: Any, helped: dict[str, Any], note: str = ""
) -> ErrandEvidence:
    """Report (or change) the 随手办 errands done on a claim: how many, and how many residents
    were helped per ``HelpedGroup`` (at least one, at most one per errand).

    Raises volunteering.bad_errands, volunteering.bad_helped, volunteering.bad_evidence,
    volunteering.personal_data, volunteering.wrong_kind, volunteering.no_claim,
    volunteering.session_not_started, volunteering.already_verified,
    volunteering.claim_not_found (also another worker's claim).
    """
    project, _session, locked = _lock_own_claim(claim, worker, ProjectKind.ERRANDS)
    errands = _count(
        errands,
        low=1,
        high=MAX_ERRANDS,
        code="bad_errands",
        message=_("代办件数必须在 1 到 %(max)s 之间。") % {"max": MAX_ERRANDS},
    )
    unknown = set(helped or {}) - set(HelpedGroup.values)
    if unknown:
        raise _bad("bad_helped", _("帮助对象只能按老人、残疾人、其他居民计数。"))
    counts = {
        group: _count(
            (helped or {}).get(group, 0),
            low=0,
            high=MAX_ERRANDS,
            code="bad_helped",
            message=_("帮助人数必须是 0 到 %(max)s 的整数。") % {"max": MAX_ERRANDS},
        )
        for group in HelpedGroup.values
    }
    if not 1 <= sum(counts.values()) <= errands:
        raise _bad(
            "bad_helped",
            _("帮助的居民至少 1 人，且不多于代办件数（%(n)s）。") % {"n": errands},
            helped=sum(counts.values()),
        )
    note = _text(note, field=str(_("代办事项")), limit=NOTE_MAX, required=False)
    evidence = ErrandEvidence.objects.filter(claim=locked).first()
    before = evidence_summary(evidence) if evidence else None
    evidence = evidence or ErrandEvidence(claim=locked, worker_id=locked.worker_id)
    evidence.errands = errands
    evidence.helped_elderly = counts[HelpedGroup.ELDERLY]
    evidence.helped_disabled = counts[HelpedGroup.DISABLED]
    evidence.helped_other = counts[HelpedGroup.OTHER]
    evidence.note = note
    evidence.save()
    _audit(worker, "volunteer.report_errands", evidence, before, project)
    return evidence


@transaction.atomic
def livestream_report(
    *,
    claim: Claim,
    worker: Any,
    product: str,
    platform: str,
    minutes: Any,
    viewers: Any,
    items_sold: Any,
) -> LivestreamEvidence:
    """Report (or change) the 随时推 livestream done on a claim, with the figures the platform
    showed.

    Raises volunteering.bad_evidence, volunteering.personal_data, volunteering.bad_platform,
    volunteering.bad_minutes, volunteering.bad_livestream_count, volunteering.wrong_kind,
    volunteering.no_claim, volunteering.session_not_started, volunteering.already_verified,
    volunteering.claim_not_found (also another worker's claim).
    """
    project, _session, locked = _lock_own_claim(claim, worker, ProjectKind.LIVESTREAM)
    product = _text(product, field=str(_("推广产品")), limit=PRODUCT_MAX, required=True)
    if platform not in LivestreamPlatform.values:
        raise _bad("bad_platform", _("请选择直播平台。"), platform=platform)
    minutes = _count(
        minutes,
        low=1,
        high=MAX_MINUTES,
        code="bad_minutes",
        message=_("直播时长必须在 1 到 %(max)s 分钟之间。") % {"max": MAX_MINUTES},
    )
    reported = {
        name: _count(
            value,
            low=0,
            high=MAX_REPORTED,
            code="bad_livestream_count",
            message=_("观看人数和售出件数必须是 0 到 %(max)s 的整数。") % {"max": MAX_REPORTED},
        )
        for name, value in (("viewers", viewers), ("items_sold", items_sold))
    }
    evidence = LivestreamEvidence.objects.filter(claim=locked).first()
    before = evidence_summary(evidence) if evidence else None
    evidence = evidence or LivestreamEvidence(claim=locked, worker_id=locked.worker_id)
    evidence.product = product
    evidence.platform = platform
    evidence.minutes = minutes
    evidence.viewers = reported["viewers"]
    evidence.items_sold = reported["items_sold"]
    evidence.save()
    _audit(worker, "volunteer.report_livestream", evidence, before, project)
    return evidence


def has_evidence(claim: Claim, project: Project) -> bool:
    """Whether the claim carries the evidence its project's kind asks for (True for kinds that
    ask for none)."""
    if project.kind == ProjectKind.ERRANDS:
        return ErrandEvidence.objects.filter(claim=claim).exists()
    if project.kind == ProjectKind.LIVESTREAM:
        return LivestreamEvidence.objects.filter(claim=claim).exists()
    return True
