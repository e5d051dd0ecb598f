"""两个覆盖: for every enterprise of the registry, whether it has a party organisation of its own,
is covered by a joint or regional one, or has party work through an instructor; the 应建尽建
list; coverage rates per county and street, now and month by month; the same for mass
organisations. Everything is computed from the live records at the moment asked.

The rule of 应建尽建 is a setting: ``PARTY_MUST_SET_UP_MIN_MEMBERS`` (default 3) formal party
members among an enterprise's active workers, and no organisation of its own.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from nuanxin.core.timeutil import local_date
from nuanxin.geo.models import Region
from nuanxin.party.models import (
    Attachment,
    InstructorAssignment,
    MassOrganisation,
    Organisation,
)
from nuanxin.registry.selectors import enterprises_under, party_members_by_enterprise

OWN, JOINT, INSTRUCTOR, NONE = "own", "joint", "instructor", "none"


def must_set_up_threshold() -> int:
    return int(getattr(settings, "PARTY_MUST_SET_UP_MIN_MEMBERS", 3))


@dataclass
class EnterpriseCoverage:
    id: int
    name: str
    region_id: int
    region_path: str
    formal: int = 0
    probationary: int = 0
    own: bool = False
    joint: bool = False
    instructor: bool = False
    mass_kinds: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        if self.own:
            return OWN
        if self.joint:
            return JOINT
        return INSTRUCTOR if self.instructor else NONE

    @property
    def organisation_covered(self) -> bool:
        return self.own or self.joint

    @property
    def work_covered(self) -> bool:
        return self.own or self.joint or self.instructor

    def must_set_up(self, threshold: int) -> bool:
        """应建尽建: enough formal members and no organisation of its own."""
        return self.formal >= threshold and not self.own


def _active_on(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}founded_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def enterprise_coverage(
    path: str, *, on: dt.date | None = None, with_members: bool = True
) -> list[EnterpriseCoverage]:
    """The coverage of every enterprise under region ``path`` as of ``on`` (today)."""
    on = on or local_date()
    # An enterprise counts from the day it was entered in the registry (its ``created_at``, in
    # local time): one registered later is not part of an earlier month's figures. The registry
    # keeps no closing date, so one closed since is missing from the past months as well.
    enterprises = list(enterprises_under(path).filter(created_at__date__lte=on))
    rows = {e.pk: EnterpriseCoverage(e.pk, e.name, e.region_id, e.region.path) for e in enterprises}
    ids = list(rows)
    orgs = Organisation.objects.filter(_active_on(on))
    for enterprise_id in orgs.filter(
        enterprise_id__in=ids, attachment__in=[Attachment.ENTERPRISE, Attachment.PARK]
    ).values_list("enterprise_id", flat=True):
        rows[enterprise_id].own = True
    covered = Organisation.covered_enterprises.through.objects.filter(
        enterprise_id__in=ids, organisation__in=orgs
    )
    for enterprise_id in covered.values_list("enterprise_id", flat=True):
        rows[enterprise_id].joint = True
    instructors = InstructorAssignment.objects.filter(
        Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on)),
        enterprise_id__in=ids,
    )
    for enterprise_id in instructors.values_list("enterprise_id", flat=True):
        rows[enterprise_id].instructor = True
    mass = MassOrganisation.objects.filter(_active_on(on), enterprise_id__in=ids)
    for enterprise_id, kind in mass.values_list("enterprise_id", "kind"):
        rows[enterprise_id].mass_kinds.add(kind)
    if with_members:
        for enterprise_id, counts in party_members_by_enterprise(ids).items():
            if enterprise_id in rows:
                rows[enterprise_id].formal = counts["formal"]
                rows[enterprise_id].probationary = counts["probationary"]
    return sorted(rows.values(), key=lambda r: (r.region_path, r.name))


def must_set_up_list(path: str) -> list[EnterpriseCoverage]:
    """应建尽建: the enterprises under ``path`` that must set up an organisation of their own."""
    threshold = must_set_up_threshold()
    return [row for row in enterprise_coverage(path) if row.must_set_up(threshold)]


@dataclass
class CoverageRate:
    region: Region
    enterprises: int = 0
    own: int = 0
    joint: int = 0
    instructor: int = 0
    must_set_up: int = 0
    mass: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def organisation_covered(self) -> int:
        return self.own + self.joint

    @property
    def work_covered(self) -> int:
        return self.own + self.joint + self.instructor

    def rate(self, count: int) -> float:
        return round(100 * count / self.enterprises, 1) if self.enterprises else 0.0

    @property
    def organisation_rate(self) -> float:
        return self.rate(self.organisation_covered)

    @property
    def work_rate(self) -> float:
        return self.rate(self.work_covered)

    def mass_rate(self, kind: str) -> float:
        return self.rate(self.mass.get(kind, 0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "region_code": self.region.code,
            "region_name": self.region.name,
            "enterprises": self.enterprises,
            "own": self.own,
            "joint": self.joint,
            "instructor": self.instructor,
            "organisation_rate": self.organisation_rate,
            "work_rate": self.work_rate,
            "must_set_up": self.must_set_up,
            "mass": {kind: self.mass.get(kind, 0) for kind in ("union", "league", "women")},
        }


def coverage_rates(
    region: Region, *, on: dt.date | None = None
) -> tuple[CoverageRate, list[CoverageRate]]:
    """The figures of ``region`` and of each of its children (counties of the city, streets of a
    county, communities of a street)."""
    rows = enterprise_coverage(region.path, on=on, with_members=on is None)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    total = CoverageRate(region)
    by_child = {child.pk: CoverageRate(child) for child in children}
    threshold = must_set_up_threshold()
    for row in rows:
        targets = [total] + [by_child[c.pk] for c in children if row.region_path.startswith(c.path)]
        for rate in targets:
            rate.enterprises += 1
            rate.own += row.own
            rate.joint += row.joint and not row.own
            rate.instructor += row.instructor and not row.organisation_covered
            rate.must_set_up += row.must_set_up(threshold)
            for kind in row.mass_kinds:
                rate.mass[kind] += 1
    return total, [by_child[c.pk] for c in children]


def month_ends(months: int, *, today: dt.date | None = None) -> list[dt.date]:
    """The last day of each of the last ``months`` months, the current month ending today."""
    today = today or local_date()
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first_prev_end = first - dt.timedelta(days=1)
        ends.append(first_prev_end)
        first = first_prev_end.replace(day=1)
    return list(reversed(ends))


def coverage_by_month(region: Region, *, months: int = 12) -> list[tuple[dt.date, CoverageRate]]:
    return [(end, coverage_rates(region, on=end)[0]) for end in month_ends(months)]
