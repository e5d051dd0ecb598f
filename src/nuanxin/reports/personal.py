"""The reports' part of a person's data: the reports they filed.

Erasure keeps the reports (the street problem is still there, and the counts stay exact) and
forgets who filed them: the contact details go, and the reporter is the erased account."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.reports.models import Report


def export(user: Any) -> list[PersonalTable]:
    rows = [
        {"id": r.pk, "category": r.category.name, "description": r.description,
         "address": r.address, "lon": r.lon, "lat": r.lat, "state": r.state,
         "points_awarded": r.points_awarded, "created_at": r.created_at,
         "photos": r.photos.count()}
        for r in Report.objects.filter(reporter=user).select_related("category").order_by("id")
    ]  # fmt: skip
    return [PersonalTable("reports", _("随手拍"), rows)]


def erase(user: Any) -> int:
    return (
        Report.objects.filter(reporter=user)
        .exclude(contact_name="", contact_phone="", contact_email="")
        .update(contact_name="", contact_phone="", contact_email="")
    )
