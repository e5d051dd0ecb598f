"""Volunteering's part of a person's data: their claims and attendances (kept for the hours
statistics; after an erasure they belong to an account that names nobody)."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.volunteering.models import Attendance, Claim


def export(user: Any) -> list[PersonalTable]:
    claims = [
        {"project": c.project.title, "starts_at": c.session.starts_at, "status": c.status,
         "created_at": c.created_at}
        for c in Claim.objects.filter(worker=user).select_related("project", "session")
    ]  # fmt: skip
    attendances = [
        {"project": a.project.title, "checked_in_at": a.checked_in_at,
         "checked_out_at": a.checked_out_at, "outcome": a.outcome,
         "hours_verified": a.hours_verified}
        for a in Attendance.objects.filter(worker=user).select_related("project")
    ]  # fmt: skip
    return [
        PersonalTable("volunteer_claims", _("志愿服务认领"), claims),
        PersonalTable("volunteer_attendances", _("志愿服务签到"), attendances),
    ]
