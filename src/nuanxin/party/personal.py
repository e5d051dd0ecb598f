"""The party app's part of a person's data: the badge they chose to show (亮身份)."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.party.models import Badge


def export(user: Any) -> list[PersonalTable]:
    rows = [{"shown": b.shown, "changed_at": b.changed_at} for b in Badge.objects.filter(user=user)]
    return [PersonalTable("party_badge", _("亮身份"), rows)] if rows else []


def erase(user: Any) -> int:
    deleted, _ = Badge.objects.filter(user=user).delete()
    return deleted
