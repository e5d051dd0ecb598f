"""The stations' part of a person's data: their check-ins (kept for the retention period)."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.stations.models import Visit


def export(user: Any) -> list[PersonalTable]:
    rows = [
        {"station": v.station.name, "day": v.day, "first_at": v.first_at, "last_at": v.last_at,
         "scans": v.scans, "points": v.points_awarded}
        for v in Visit.objects.filter(worker=user).select_related("station").order_by("day")
    ]  # fmt: skip
    return [PersonalTable("visits", _("驿站签到"), rows)]
