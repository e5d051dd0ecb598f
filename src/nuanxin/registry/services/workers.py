"""Writes to the worker registry: create, update, self-registration, audited reveal."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, forbidden
from nuanxin.core.masking import mask_id_number, mask_phone
from nuanxin.core.reveals import reveal_allow, reveal_purpose
from nuanxin.core.scoping import require_jurisdiction
from nuanxin.geo.models import Region
from nuanxin.registry.access import (
    is_governing,
    is_liaison,
    liaison_enterprise_ids,
    require_worker_access,
)
from nuanxin.registry.cleaning import (
    FieldProblem,
    clean_birth_year,
    clean_bool,
    clean_choice,
    clean_id_number,
    clean_mobile,
    clean_person_name,
)
from nuanxin.registry.models import (
    Enterprise,
    Gender,
    Occupation,
    PoliticalStatus,
    Worker,
    WorkerStatus,
    id_number_key,
)
from nuanxin.registry.services.common import check_region_level, cleaned, require_value

AUDITED_FIELDS = [
    "name", "phone", "id_number", "gender", "birth_year", "occupation", "home_region",
    "work_region", "region", "political_status", "union_member", "status", "user",
]  # fmt: skip
EDITABLE_FIELDS = frozenset(AUDITED_FIELDS) - {"region", "user"}


def worker_snapshot(worker: Worker, enterprise_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """Audit values with the phone and ID numbers masked, so the log does not spread them."""
    data = snapshot(worker, AUDITED_FIELDS)
    data["phone"] = mask_phone(worker.phone)
    data["id_number"] = mask_id_number(worker.id_number)
    if enterprise_ids is not None:
        data["enterprises"] = sorted(enterprise_ids)
    return data


def check_id_consistency(
    id_number: Any, gender: str | None, birth_year: int | None
) -> tuple[str | None, str | None, int | None]:
    """(ID number, gender, birth year) with the last two taken from the ID when it is given.

    Raises ``FieldProblem`` when a gender or birth year typed beside the ID contradicts it.
    """
    if id_number is None:
        return None, gender, birth_year
    if gender and gender != id_number.gender:
        raise FieldProblem("registry.id_mismatch", _("性别与身份证号不一致。"))
    if birth_year and birth_year != id_number.birth_date.year:
        raise FieldProblem("registry.id_mismatch", _("出生年份与身份证号不一致。"))
    return id_number.number, id_number.gender, id_number.birth_date.year


def clean_worker_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical values for the worker fields present in ``raw``."""
    unknown = sorted(set(raw) - EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            "registry.unknown_field", _("未知的字段。"), extra={"field": unknown}
        )
    out: dict[str, Any] = {}
    if "name" in raw:
        out["name"] = cleaned("name", clean_person_name, raw["name"])
    if "phone" in raw:
        out["phone"] = cleaned("phone", clean_mobile, raw["phone"])
    for key, choices, label in (
        ("occupation", Occupation, _("职业")),
        ("political_status", PoliticalStatus, _("政治面貌")),
        ("status", WorkerStatus, _("在职状态")),
    ):
        if key in raw:
            value = cleaned(key, clean_choice, raw[key], choices, label=label)
            require_value(key, value, _("%(label)s不能为空。") % {"label": label})
            out[key] = value
    if "gender" in raw:
        out["gender"] = cleaned("gender", clean_choice, raw["gender"], Gender, label=_("性别"))
    if "birth_year" in raw:
        out["birth_year"] = cleaned("birth_year", clean_birth_year, raw["birth_year"])
    if "union_member" in raw:
        out["union_member"] = bool(
            cleaned("union_member", clean_bool, raw["union_member"], label=_("工会会员"))
        )
    if "id_number" in raw:
        number = cleaned("id_number", clean_id_number, raw["id_number"])
        out["id_number"], gender, year = cleaned(
            "id_number",
            check_id_consistency,
            number,
            out.get("gender") or None,
            out.get("birth_year"),
        )
        if number is not None:
            out["gender"], out["birth_year"] = gender, year
    for key in ("home_region", "work_region"):
        if key in raw:
            region = raw[key]
            if region is not None and not isinstance(region, Region):
                raise ApplicationError(
                    "registry.unknown_region", _("区域不存在。"), extra={"field": key}
                )
            check_region_level(key, region)
            out[key] = region
    if out.get("gender") is None and "gender" in out:
        out["gender"] = ""
    return out


def derive_region(
    work_region: Region | None, home_region: Region | None, enterprises: Sequence[Enterprise]
) -> Region | None:
    """Where a worker is managed: work region, else home region, else the first enterprise's."""
    if work_region is not None:
        return work_region
    if home_region is not None:
        return home_region
    return enterprises[0].region if enterprises else None


def _check_unique(fields: Mapping[str, Any], exclude_pk: int | None) -> None:
    others = Worker.objects.exclude(pk=exclude_pk) if exclude_pk else Worker.objects
    if "phone" in fields and others.filter(phone=fields["phone"]).exists():
        raise conflict(
            "registry.duplicate_phone", _("该手机号已登记在另一名从业人员名下。"), field="phone"
        )
    if (
        fields.get("id_number")
        and others.filter(id_number_hash=id_number_key(fields["id_number"])).exists()
    ):
        raise conflict(
            "registry.duplicate_id_number",
            _("该身份证号已登记在另一名从业人员名下。"),
            field="id_number",
        )


def _check_create_rights(actor: User | None, phone: str, enterprises: Sequence[Enterprise]) -> None:
    if actor is None or is_governing(actor):
        return
    if is_liaison(actor):
        theirs = liaison_enterprise_ids(actor)
        if not enterprises or any(e.pk not in theirs for e in enterprises):
            raise forbidden(
                "registry.not_your_enterprise", _("企业联络员只能登记本企业的从业人员。")
            )
        return
    if actor.role == Role.WORKER and actor.phone == phone:
        return
    raise forbidden("registry.not_allowed", _("您无权登记从业人员。"))


def _linkable_user(phone: str) -> User | None:
    """The worker account with this phone, if it is not linked to another worker yet."""
    return User.objects.filter(phone=phone, role=Role.WORKER, registry_worker__isnull=True).first()


@transaction.atomic
def worker_create(
    *,
    actor: User | None,
    name: str,
    phone: str,
    occupation: str,
    id_number: str | None = None,
    gender: str = "",
    birth_year: int | str | None = None,
    enterprises: Sequence[Enterprise] = (),
    home_region: Region | None = None,
    work_region: Region | None = None,
    political_status: str = PoliticalStatus.MASSES,
    union_member: bool = False,
    status: str = WorkerStatus.ACTIVE,
) -> Worker:
    """Register a worker; the worker account with the same phone, if any, is linked."""
    fields = clean_worker_fields(
        {
            "name": name, "phone": phone, "occupation": occupation, "id_number": id_number,
            "gender": gender, "birth_year": birth_year, "home_region": home_region,
            "work_region": work_region, "political_status": political_status,
            "union_member": union_member, "status": status,
        }
    )  # fmt: skip
    enterprises = list(enterprises)
    _check_create_rights(actor, fields["phone"], enterprises)
    region = derive_region(fields["work_region"], fields["home_region"], enterprises)
    if region is None:
        raise ApplicationError(
            "registry.region_required",
            _("请填写工作地或居住地（或所属企业），以确定管理区域。"),
            extra={"field": "work_region"},
        )
    if actor is not None and is_governing(actor):
        require_jurisdiction(actor, region)
    _check_unique(fields, None)
    worker = Worker.objects.create(region=region, user=_linkable_user(fields["phone"]), **fields)
    worker.enterprises.set(enterprises)
    audit_record(
        actor=actor,
        action="worker.create",
        obj=worker,
        after=worker_snapshot(worker, [e.pk for e in enterprises]),
        region_path=region.path,
    )
    return worker


def _merge_enterprises(
    actor: User | None, current: set[int], requested: Sequence[Enterprise]
) -> set[int]:
    """A liaison changes only their own enterprises' links and keeps the others."""
    wanted = {e.pk for e in requested}
    if actor is None or not is_liaison(actor):
        return wanted
    theirs = liaison_enterprise_ids(actor)
    if wanted - theirs:
        raise forbidden("registry.not_your_enterprise", _("企业联络员只能调整本企业的人员。"))
    return (current - theirs) | wanted


@transaction.atomic
def worker_update(
    *,
    worker: Worker,
    actor: User | None,
    changes: Mapping[str, Any],
    enterprises: Sequence[Enterprise] | None = None,
) -> Worker:
    """Change the fields named in ``changes`` and, if given, the worker's enterprises."""
    worker = Worker.objects.select_for_update().select_related("region").get(pk=worker.pk)
    require_worker_access(actor, worker, write=True)
    fields = clean_worker_fields(changes)
    id_number = fields.get("id_number", worker.id_number)
    if id_number:
        # The ID number on record decides gender and birth year; typed ones must agree with it.
        number = cleaned("id_number", clean_id_number, id_number)
        cleaned(
            "id_number",
            check_id_consistency,
            number,
            fields.get("gender") or None,
            fields.get("birth_year"),
        )
        fields["gender"], fields["birth_year"] = number.gender, number.birth_date.year
    _check_unique(fields, worker.pk)
    current = set(worker.enterprises.values_list("id", flat=True))
    new_ids = current if enterprises is None else _merge_enterprises(actor, current, enterprises)
    linked = list(Enterprise.objects.filter(pk__in=new_ids).select_related("region"))
    before = worker_snapshot(worker, sorted(current))
    for key, value in fields.items():
        setattr(worker, key, value)
    linked.sort(key=lambda e: e.pk)
    region = derive_region(worker.work_region, worker.home_region, linked)
    if region is None:
        raise ApplicationError(
            "registry.region_required",
            _("请填写工作地或居住地（或所属企业），以确定管理区域。"),
            extra={"field": "work_region"},
        )
    if actor is not None and is_governing(actor):
        require_jurisdiction(actor, region)
    if is_liaison(actor) and not (new_ids & liaison_enterprise_ids(actor)):
        raise forbidden("registry.not_your_enterprise", _("不能把人员移出本企业后再修改。"))
    worker.region = region
    after = worker_snapshot(worker, sorted(new_ids))
    if before != after:
        worker.save()
        if new_ids != current:
            worker.enterprises.set(new_ids)
        audit_record(
            actor=actor,
            action="worker.update",
            obj=worker,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            region_path=region.path,
        )
    return worker


@transaction.atomic
def worker_self_register(
    *,
    user: User,
    name: str,
    occupation: str,
    work_region: Region | None,
    enterprises: Sequence[Enterprise] = (),
    political_status: str = PoliticalStatus.MASSES,
    union_member: bool = False,
) -> Worker:
    """The worker record of a logged-in worker: their own, the one with their phone, or new.

    A record the office already keeps under the same phone is linked, not overwritten: the
    phone was proven by the login, the office's data stays authoritative.
    """
    if user.role != Role.WORKER:
        raise forbidden("registry.not_allowed", _("只有劳动者本人可以自助登记。"))
    existing = Worker.objects.filter(user=user).first()
    if existing is not None:
        return existing
    unlinked = Worker.objects.select_for_update().filter(phone=user.phone).first()
    if unlinked is not None:
        if unlinked.user_id is not None:
            raise conflict("registry.worker_linked", _("该手机号的台账记录已关联其他账号。"))
        unlinked.user = user
        unlinked.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=user,
            action="worker.link_user",
            obj=unlinked,
            after={"user": user.pk},
            region_path=unlinked.region.path,
        )
        return unlinked
    return worker_create(
        actor=user,
        name=name,
        phone=user.phone,
        occupation=occupation,
        enterprises=enterprises,
        work_region=work_region,
        political_status=political_status,
        union_member=union_member,
    )


@transaction.atomic
def worker_reveal(*, worker: Worker, actor: User, purpose: str = "") -> dict[str, str]:
    """The full phone and ID number for the detail view.

    Anyone but the worker themself must state a purpose, and is held to the hourly budget of
    reveals (``core.reveals``); every reveal is written to the log with its purpose.
    Raises registry.worker_not_found, registry.purpose_required, reveal.rate_limited.
    """
    require_worker_access(actor, worker)
    own = worker.user_id is not None and worker.user_id == actor.pk
    if own:
        why = reveal_purpose(purpose or _("本人查看"), code="registry.purpose_required")
    else:
        why = reveal_purpose(purpose, code="registry.purpose_required")
        reveal_allow(actor=actor)
    audit_record(
        actor=actor,
        action="worker.reveal",
        obj=worker,
        note=why,
        after={"fields": ["phone", "id_number"]},
        region_path=worker.region.path,
    )
    return {"phone": worker.phone, "id_number": worker.id_number or ""}
