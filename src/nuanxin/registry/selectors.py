"""Reads of the registry: filtered lists and counts per region subtree.

Lists start from ``access.enterprises_for`` / ``access.workers_for``, so every list is scoped
to the user's jurisdiction (or a liaison's enterprises) before any filter applies.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from nuanxin.geo.models import Region
from nuanxin.registry.access import enterprises_for, workers_for
from nuanxin.registry.cleaning import to_text
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    EnterpriseStatus,
    Registration,
    RegistrationStatus,
    Worker,
    WorkerStatus,
)
from nuanxin.registry.regions import region_names


@dataclass
class EnterpriseFilter:
    region: Region | None = None
    q: str = ""
    kind: str = ""
    industry: str = ""
    status: str = ""
    brand: str = ""
    registered: bool | None = None


@dataclass
class WorkerFilter:
    region: Region | None = None
    q: str = ""
    occupation: str = ""
    political_status: str = ""
    party_member: bool | None = None
    status: str = ""
    enterprise_id: int | None = None
    union_member: bool | None = None
    registered: bool | None = None


def _accepted(**subject: Any) -> Exists:
    return Exists(Registration.objects.filter(status=RegistrationStatus.ACCEPTED, **subject))


def enterprise_list(user: Any, filters: EnterpriseFilter) -> QuerySet[Enterprise]:
    qs = enterprises_for(user).select_related("region")
    if filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    q = to_text(filters.q)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(credit_code=q.upper()) | Q(platform_brand__icontains=q)
        )
    for key in ("kind", "industry", "status"):
        if value := getattr(filters, key):
            qs = qs.filter(**{key: value})
    if filters.brand:
        qs = qs.filter(platform_brand__icontains=to_text(filters.brand))
    if filters.registered is not None:
        accepted = _accepted(enterprise=OuterRef("pk"))
        qs = qs.filter(accepted) if filters.registered else qs.exclude(accepted)
    return qs.order_by("name")


def worker_list(user: Any, filters: WorkerFilter) -> QuerySet[Worker]:
    qs = workers_for(user).select_related("region")
    if filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    q = re.sub(r"\s", "", to_text(filters.q))
    if q:
        # Staff look people up by name or by the last digits of the phone they were given.
        cond = Q(name__icontains=q)
        if q.isdigit() and len(q) >= 4:
            cond |= Q(phone__endswith=q) if len(q) < 11 else Q(phone=q)
        qs = qs.filter(cond)
    for key in ("occupation", "political_status", "status"):
        if value := getattr(filters, key):
            qs = qs.filter(**{key: value})
    if filters.party_member is not None:
        party = Q(political_status__in=PARTY_STATUSES)
        qs = qs.filter(party) if filters.party_member else qs.exclude(party)
    if filters.union_member is not None:
        qs = qs.filter(union_member=filters.union_member)
    if filters.enterprise_id:
        qs = qs.filter(enterprises__id=filters.enterprise_id)
    if filters.registered is not None:
        accepted = _accepted(worker=OuterRef("pk"))
        qs = qs.filter(accepted) if filters.registered else qs.exclude(accepted)
    return qs.order_by("id")


@dataclass
class RegionCounts:
    enterprises: int = 0
    workers: int = 0
    party_members: int = 0
    registered_enterprises: int = 0
    registered_workers: int = 0

    def add(self, other: "RegionCounts") -> None:
        for key in asdict(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class CountRow:
    region: Region
    counts: RegionCounts = field(default_factory=RegionCounts)
    has_children: bool = False


def _counts_by_region_id(year: int | None = None) -> dict[int, RegionCounts]:
    """Counts per region the rows point at (one grouped query per figure)."""
    by_id: dict[int, RegionCounts] = defaultdict(RegionCounts)
    live_enterprises = Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)
    for region_id, n in live_enterprises.values_list("region_id").annotate(n=Count("id")):
        by_id[region_id].enterprises = n
    active = Worker.objects.filter(status=WorkerStatus.ACTIVE)
    rows = active.values_list("region_id").annotate(
        n=Count("id"), party=Count("id", filter=Q(political_status__in=PARTY_STATUSES))
    )
    for region_id, n, party in rows:
        by_id[region_id].workers = n
        by_id[region_id].party_members = party
    accepted = Registration.objects.filter(status=RegistrationStatus.ACCEPTED)
    if year is not None:
        accepted = accepted.filter(decided_at__year=year)
    rows = accepted.values_list("community_id").annotate(
        e=Count("id", filter=Q(enterprise__isnull=False)),
        w=Count("id", filter=Q(worker__isnull=False)),
    )
    for region_id, e, w in rows:
        by_id[region_id].registered_enterprises = e
        by_id[region_id].registered_workers = w
    return by_id


def counts_for(regions: list[Region], *, year: int | None = None) -> dict[int, RegionCounts]:
    """Counts over the subtree of each region: region id -> figures."""
    index = region_names.get()
    result = {region.pk: RegionCounts() for region in regions}
    paths = [(region.pk, region.path) for region in regions]
    for region_id, counts in _counts_by_region_id(year).items():
        node = index.by_id.get(region_id)
        if node is None:
            continue
        for pk, path in paths:
            if node.path.startswith(path):
                result[pk].add(counts)
    return result


def counts_by_child(
    parent: Region, *, year: int | None = None
) -> tuple[RegionCounts, list[CountRow]]:
    """Figures of ``parent``'s subtree and of each child's, for the drill-down table."""
    children = list(parent.children.order_by("code"))
    with_children = set(
        Region.objects.filter(parent__in=children).values_list("parent_id", flat=True)
    )
    counts = counts_for([parent, *children], year=year)
    rows = [
        CountRow(region=child, counts=counts[child.pk], has_children=child.pk in with_children)
        for child in children
    ]
    return counts[parent.pk], rows


def pending_registrations(user: Any) -> QuerySet[Registration]:
    from nuanxin.core.scoping import scope_to_jurisdiction

    qs = Registration.objects.filter(status=RegistrationStatus.SUBMITTED)
    return scope_to_jurisdiction(qs, user, region_field="community")
