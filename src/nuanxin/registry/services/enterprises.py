"""Writes to the enterprise registry: create, update, bind liaisons."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role, User
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, conflict, forbidden
from nuanxin.core.masking import mask_phone
from nuanxin.core.scoping import require_in_scope_or_404, require_jurisdiction
from nuanxin.geo.models import Region
from nuanxin.geo.selectors import region_at_point
from nuanxin.registry.access import (
    enterprise_missing,
    is_governing,
    is_liaison,
    require_enterprise_access,
)
from nuanxin.registry.cleaning import (
    clean_bool,
    clean_choice,
    clean_contact_phone,
    clean_count,
    clean_credit_code,
    clean_enterprise_name,
    clean_location,
    clean_short_text,
)
from nuanxin.registry.models import Enterprise, EnterpriseKind, EnterpriseStatus, Industry
from nuanxin.registry.services.common import check_region_level, cleaned, require_value

AUDITED_FIELDS = [
    "name", "credit_code", "kind", "industry", "platform_brand", "hq_outside_city", "address",
    "lon", "lat", "region", "contact_name", "contact_phone", "worker_count", "status",
]  # fmt: skip
EDITABLE_FIELDS = frozenset(AUDITED_FIELDS) | {"coord_system"}
# A liaison keeps the enterprise's contact details current; what identifies the enterprise and
# where it is registered is checked by community staff.
LIAISON_FIELDS = frozenset(
    {"platform_brand", "address", "lon", "lat", "coord_system", "contact_name",
     "contact_phone", "worker_count", "hq_outside_city"}
)  # fmt: skip


def enterprise_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    """Audit values; the contact phone is masked so the log does not spread it."""
    data = snapshot(enterprise, AUDITED_FIELDS)
    data["contact_phone"] = mask_phone(enterprise.contact_phone)
    return data


def clean_enterprise_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical values for the fields present in ``raw`` (form, API or sheet input)."""
    out: dict[str, Any] = {}
    unknown = sorted(set(raw) - EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            "registry.unknown_field", _("未知的字段。"), extra={"field": unknown}
        )
    if "name" in raw:
        out["name"] = cleaned("name", clean_enterprise_name, raw["name"])
    if "credit_code" in raw:
        out["credit_code"] = cleaned("credit_code", clean_credit_code, raw["credit_code"])
    for key, choices, label in (
        ("kind", EnterpriseKind, _("企业类型")),
        ("industry", Industry, _("所属行业")),
        ("status", EnterpriseStatus, _("经营状态")),
    ):
        if key in raw:
            value = cleaned(key, clean_choice, raw[key], choices, label=label)
            require_value(key, value, _("%(label)s不能为空。") % {"label": label})
            out[key] = value
    for key, limit, label in (
        ("platform_brand", 50, _("平台品牌")),
        ("address", 255, _("详细地址")),
        ("contact_name", 50, _("联系人")),
    ):
        if key in raw:
            out[key] = cleaned(key, clean_short_text, raw[key], max_length=limit, label=label)
    if "contact_phone" in raw:
        out["contact_phone"] = cleaned("contact_phone", clean_contact_phone, raw["contact_phone"])
    if "worker_count" in raw:
        out["worker_count"] = cleaned(
            "worker_count", clean_count, raw["worker_count"], label=_("从业人员数")
        )
    if "hq_outside_city" in raw:
        out["hq_outside_city"] = bool(
            cleaned("hq_outside_city", clean_bool, raw["hq_outside_city"], label=_("总部在市外"))
        )
    if "lon" in raw or "lat" in raw:
        point = cleaned(
            "lon", clean_location, raw.get("lon"), raw.get("lat"), raw.get("coord_system")
        )
        out["lon"], out["lat"] = point if point else (None, None)
    if "region" in raw:
        region = raw["region"]
        if region is not None and not isinstance(region, Region):
            raise ApplicationError(
                "registry.unknown_region", _("区域不存在。"), extra={"field": "region"}
            )
        check_region_level("region", region)
        out["region"] = region
    return out


def _check_unique(fields: Mapping[str, Any], exclude_pk: int | None) -> None:
    others = Enterprise.objects.exclude(pk=exclude_pk) if exclude_pk else Enterprise.objects
    if fields.get("credit_code") and others.filter(credit_code=fields["credit_code"]).exists():
        raise conflict(
            "registry.duplicate_credit_code",
            _("该统一社会信用代码已登记在另一家企业名下。"),
            field="credit_code",
        )
    if "name" in fields and others.filter(name=fields["name"]).exists():
        raise conflict("registry.duplicate_name", _("已有同名企业登记在册。"), field="name")


def _region_from_location(fields: dict[str, Any]) -> None:
    if fields.get("region") is None and fields.get("lon") is not None:
        match = region_at_point(fields["lon"], fields["lat"])
        if match is not None:
            fields["region"] = match.region


@transaction.atomic
def enterprise_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    industry: str,
    region: Region | None = None,
    credit_code: str | None = None,
    platform_brand: str = "",
    hq_outside_city: bool = False,
    address: str = "",
    lon: float | str | None = None,
    lat: float | str | None = None,
    coord_system: str = "wgs84",
    contact_name: str = "",
    contact_phone: str = "",
    worker_count: int | str | None = None,
    status: str = EnterpriseStatus.ACTIVE,
) -> Enterprise:
    """Register an enterprise. Staff may register only inside their jurisdiction.

    Without a region, the region is the one containing the location, if given.
    """
    if actor is not None and not is_governing(actor):
        raise forbidden("registry.not_allowed", _("只有区域工作人员可以登记新企业。"))
    fields = clean_enterprise_fields(
        {
            "name": name, "credit_code": credit_code, "kind": kind, "industry": industry,
            "platform_brand": platform_brand, "hq_outside_city": hq_outside_city,
            "address": address, "lon": lon, "lat": lat, "coord_system": coord_system,
            "contact_name": contact_name, "contact_phone": contact_phone,
            "worker_count": worker_count, "status": status, "region": region,
        }
    )  # fmt: skip
    _region_from_location(fields)
    require_value("region", fields.get("region"), _("请选择企业所属区域。"))
    if actor is not None:
        require_jurisdiction(actor, fields["region"])
    _check_unique(fields, None)
    enterprise = Enterprise.objects.create(**fields)
    audit_record(
        actor=actor,
        action="enterprise.create",
        obj=enterprise,
        after=enterprise_snapshot(enterprise),
        region_path=enterprise.region.path,
    )
    return enterprise


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, actor: User | None, changes: Mapping[str, Any]
) -> Enterprise:
    """Change the fields named in ``changes``; liaisons may change only contact details."""
    enterprise = (
        Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
    )
    require_enterprise_access(actor, enterprise)
    if actor is not None and is_liaison(actor):
        refused = sorted(set(changes) - LIAISON_FIELDS)
        if refused:
            raise forbidden(
                "registry.field_not_editable",
                _("企业联络员不能修改这些信息，请联系社区工作人员。"),
                fields=refused,
            )
    fields = clean_enterprise_fields(changes)
    if "region" in fields:
        require_value("region", fields["region"], _("请选择企业所属区域。"))
        if actor is not None:
            require_jurisdiction(actor, fields["region"])
    _check_unique(fields, enterprise.pk)
    before = enterprise_snapshot(enterprise)
    for key, value in fields.items():
        setattr(enterprise, key, value)
    after = enterprise_snapshot(enterprise)
    if before != after:
        enterprise.save()
        audit_record(
            actor=actor,
            action="enterprise.update",
            obj=enterprise,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            region_path=enterprise.region.path,
        )
    return enterprise


@transaction.atomic
def enterprise_set_liaisons(
    *, enterprise: Enterprise, liaisons: list[User], actor: User | None
) -> Enterprise:
    """Bind exactly ``liaisons`` (users with the enterprise-liaison role) to the enterprise."""
    enterprise = (
        Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
    )
    if actor is not None:
        if not is_governing(actor):
            raise forbidden("registry.not_allowed", _("只有区域工作人员可以指定企业联络员。"))
        require_in_scope_or_404(actor, enterprise.region, enterprise_missing())
    wrong = [u.pk for u in liaisons if u.role != Role.ENTERPRISE_LIAISON]
    if wrong:
        raise ApplicationError(
            "registry.not_a_liaison",
            _("只能指定角色为“企业联络员”的用户。"),
            extra={"users": wrong},
        )
    before = sorted(enterprise.liaisons.values_list("id", flat=True))
    enterprise.liaisons.set(liaisons)
    after = sorted(u.pk for u in liaisons)
    if before != after:
        audit_record(
            actor=actor,
            action="enterprise.set_liaisons",
            obj=enterprise,
            before={"liaisons": before},
            after={"liaisons": after},
            region_path=enterprise.region.path,
        )
    return enterprise
