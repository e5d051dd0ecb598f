"""The configurable amenity list (drinking water, toilet, phone charging...)."""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.accounts.models import Role
from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import forbidden
from nuanxin.core.stamps import stamp_bump
from nuanxin.stations.models import Amenity
from nuanxin.stations.services.common import STATIONS_TOPIC, input_error

# The amenity list a new installation starts with; staff extend it in the admin. Names are stored
# in Chinese and marked for the catalogue, so pages show them in the reader's language.
DEFAULT_AMENITIES: list[tuple[str, str, str]] = [
    ("rest", gettext_noop("休息座椅"), "🪑"),
    ("drinking_water", gettext_noop("饮用水"), "💧"),
    ("hot_water", gettext_noop("热水"), "♨️"),
    ("toilet", gettext_noop("卫生间"), "🚻"),
    ("first_aid", gettext_noop("应急药品"), "🩹"),
    ("phone_charging", gettext_noop("手机充电"), "🔌"),
    ("ebike_charging", gettext_noop("电动车充电"), "🛵"),
    ("storage", gettext_noop("物品寄存"), "🧳"),
    ("microwave", gettext_noop("微波炉"), "🍱"),
    ("air_conditioning", gettext_noop("空调"), "❄️"),
    ("wifi", gettext_noop("无线网络"), "📶"),
    ("points_exchange", gettext_noop("积分兑换"), "🎁"),
    ("feedback", gettext_noop("问题反馈"), "💬"),
    ("umbrella", gettext_noop("雨具借用"), "☂️"),
    ("repair_kit", gettext_noop("维修工具"), "🔧"),
]


@transaction.atomic
def amenity_defaults_ensure() -> int:
    """Create the default amenities that are missing; returns how many were created."""
    existing = set(Amenity.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, icon) in enumerate(DEFAULT_AMENITIES, start=1):
        if code not in existing:
            Amenity.objects.create(code=code, name=name, icon=icon, sort_order=order * 10)
            created += 1
    if created:
        stamp_bump(STATIONS_TOPIC, keys=None)
    return created


@transaction.atomic
def amenity_save(
    *,
    code: str,
    name: str,
    icon: str = "",
    sort_order: int = 100,
    is_active: bool = True,
    actor: Any = None,
) -> Amenity:
    """Add an amenity to the list or change one (staff with the whole city only)."""
    city_wide = getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == (
        Role.CITY_ADMIN
    )
    if actor is not None and not city_wide:
        raise forbidden("stations.forbidden", _("只有市级管理员可以维护服务设施清单。"))
    code = (code or "").strip()
    name = (name or "").strip()
    if not re.match(r"^[a-z][a-z0-9_]{0,31}$", code):
        raise input_error("bad_amenity", _("设施代码只能包含小写字母、数字和下划线。"), code=code)
    if not name:
        raise input_error("bad_amenity", _("设施名称不能为空。"), code=code)
    amenity = Amenity.objects.select_for_update().filter(code=code).first()
    fields = ["code", "name", "icon", "sort_order", "is_active"]
    before = snapshot(amenity, fields) if amenity else None
    amenity = amenity or Amenity(code=code)
    amenity.name, amenity.icon = name, icon.strip()
    amenity.sort_order, amenity.is_active = sort_order, is_active
    amenity.save()
    audit_record(
        actor=actor,
        action="amenity.create" if before is None else "amenity.update",
        obj=amenity,
        before=before,
        after=snapshot(amenity, fields),
    )
    stamp_bump(STATIONS_TOPIC, keys=None)
    return amenity
