"""Reads of the registry: filtered lists and counts per region subtree.

Lists start from ``access.enterprises_for`` / ``access.workers_for``, so every list is scoped
to the user's jurisdiction (or a liaison's enterprises) before any filter applies.
"""

import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from nuanxin.core.errors import not_found
from nuanxin.core.fields import phones_sealed
from nuanxin.core.scoping import (
    get_in_scope_or_404,
    jurisdiction_path,
    require_jurisdiction,
    scope_to_jurisdiction,
)
from nuanxin.core.tally import Tally, month_key, tally_rows
from nuanxin.geo.models import Region
from nuanxin.registry.access import (
    campaign_missing,
    enterprises_for,
    is_liaison,
    liaison_enterprise_ids,
    registration_missing,
    workers_for,
)
from nuanxin.registry.cleaning import to_text
from nuanxin.registry.importing.columns import normalise_header
from nuanxin.registry.importing.xlsx import XlsxError, XlsxReader
from nuanxin.registry.models import (
    PARTY_STATUSES,
    Enterprise,
    EnterpriseStatus,
    FindingKind,
    FindingOutcome,
    Occupation,
    Registration,
    RegistrationStatus,
    SurveyCampaign,
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


def _name_or_phone(q: str) -> Q:
    """Staff look people up by name, by the whole phone number or by its last digits. Four
    digits are the tail column (indexed); with phones sealed (PII_SEAL_PHONES) a whole number
    is found by its keyed hash and four digits by the tail, and other parts of a number cannot
    be compared."""
    cond = Q(name__icontains=q)
    if not q.isdigit() or len(q) < 4:
        return cond
    if len(q) == 4:
        return cond | Q(phone_tail=q)
    if len(q) >= 11:
        return cond | Q(phone=q)
    return cond if phones_sealed() else cond | Q(phone__endswith=q)


def worker_list(user: Any, filters: WorkerFilter) -> QuerySet[Worker]:
    qs = workers_for(user).select_related("region")
    if filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    q = re.sub(r"\s", "", to_text(filters.q))
    if q:
        qs = qs.filter(_name_or_phone(q))
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
    unplaced: bool = False  # the parent's own records, in no child region


def _counts_by_region_id(year: int | None = None, within: str = "") -> dict[int, RegionCounts]:
    """Counts per region the rows point at (one grouped query per figure), of the rows in the
    subtree at path ``within`` ("" for all)."""
    by_id: dict[int, RegionCounts] = defaultdict(RegionCounts)
    live_enterprises = Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)
    if within:
        live_enterprises = live_enterprises.filter(region__path__startswith=within)
    for region_id, n in live_enterprises.values_list("region_id").annotate(n=Count("id")):
        by_id[region_id].enterprises = n
    active = Worker.objects.filter(status=WorkerStatus.ACTIVE)
    if within:
        active = active.filter(region__path__startswith=within)
    rows = active.values_list("region_id").annotate(
        n=Count("id"), party=Count("id", filter=Q(political_status__in=PARTY_STATUSES))
    )
    for region_id, n, party in rows:
        by_id[region_id].workers = n
        by_id[region_id].party_members = party
    accepted = Registration.objects.filter(status=RegistrationStatus.ACCEPTED)
    if year is not None:
        accepted = accepted.filter(decided_at__year=year)
    if within:
        accepted = accepted.filter(community__path__startswith=within)
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
    return _sum_over_subtrees(regions, _counts_by_region_id(year))


def _sum_over_subtrees(
    regions: list[Region], by_id: dict[int, RegionCounts]
) -> dict[int, RegionCounts]:
    index = region_names.get()
    result = {region.pk: RegionCounts() for region in regions}
    paths = [(region.pk, region.path) for region in regions]
    for region_id, counts in by_id.items():
        node = index.by_id.get(region_id)
        if node is None:
            continue
        for pk, path in paths:
            if node.path.startswith(path):
                result[pk].add(counts)
    return result


def figures_by_region(*, within: str = "") -> dict[int, dict[str, int]]:
    """The 台账's figures per region the records point at, in the subtree at path ``within``:
    what the city's dashboard adds up over any region (three grouped queries)."""
    return {pk: counts.as_dict() for pk, counts in _counts_by_region_id(within=within).items()}


def registrations_by_month(*, within: str, since: dt.datetime) -> dict[int, Tally]:
    """Accepted registrations (报到) per community and month of the decision, enterprises and
    workers apart: ``{community_id: {"enterprises": {month: n}, "workers": {month: n}}}``."""
    rows = (
        Registration.objects.filter(
            status=RegistrationStatus.ACCEPTED,
            decided_at__gte=since,
            community__path__startswith=within,
        )
        .annotate(month=TruncMonth("decided_at"))
        .values_list("community_id", "month")
        .annotate(
            e=Count("id", filter=Q(enterprise__isnull=False)),
            w=Count("id", filter=Q(worker__isnull=False)),
        )
        .order_by()
    )
    return tally_rows(rows, ("enterprises", "workers"), x=month_key)


def counts_by_child(
    parent: Region, *, year: int | None = None
) -> tuple[RegionCounts, list[CountRow]]:
    """Figures of ``parent``'s subtree and of each child's, for the drill-down table."""
    children = list(parent.children.order_by("code"))
    with_children = set(
        Region.objects.filter(parent__in=children).values_list("parent_id", flat=True)
    )
    by_id = _counts_by_region_id(year)
    counts = _sum_over_subtrees([parent, *children], by_id)
    rows = [
        CountRow(region=child, counts=counts[child.pk], has_children=child.pk in with_children)
        for child in children
    ]
    # Records placed on the parent itself (a worker with no grid, every registration, which is
    # made with a community) belong to no child: they get a row of their own, so that the rows
    # add up to the total.
    own = by_id.get(parent.pk)
    if children and own is not None and any(own.as_dict().values()):
        rows.append(CountRow(region=parent, counts=own, unplaced=True))
    return counts[parent.pk], rows


def registrations_for(
    user: Any, *, status: str = "", community: Region | None = None
) -> QuerySet[Registration]:
    """Registrations to the communities of the user's jurisdiction, or of a liaison's
    enterprises and their workers; pending ones first."""
    qs = Registration.objects.select_related(
        "community", "enterprise", "worker", "submitted_by", "decided_by"
    )
    if is_liaison(user):
        ids = liaison_enterprise_ids(user)
        qs = qs.filter(Q(enterprise_id__in=ids) | Q(worker__enterprises__id__in=ids)).distinct()
    elif jurisdiction_path(user) is not None:
        qs = scope_to_jurisdiction(qs, user, region_field="community")
    else:
        # A worker: their own registrations.
        qs = qs.filter(worker__user_id=getattr(user, "pk", None), worker__user__isnull=False)
    if status:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(community__path__startswith=community.path)
    pending_first = Case(When(status=RegistrationStatus.SUBMITTED, then=Value(0)), default=Value(1))
    return qs.order_by(pending_first, "-submitted_at", "-id")


def registration_in_reach(user: Any, pk: int) -> Registration:
    """One registration the user may see (``registrations_for``), else not found."""
    if user is None:
        qs = Registration.objects.select_related("community", "enterprise", "worker")
    else:
        qs = registrations_for(user)
    return get_in_scope_or_404(qs, registration_missing(), pk=pk)


def campaign_in_reach(user: Any, pk: int) -> SurveyCampaign:
    """One campaign the user's jurisdiction takes part in, else not found."""
    return get_in_scope_or_404(campaigns_for(user), campaign_missing(), pk=pk)


def campaigns_for(user: Any) -> QuerySet[SurveyCampaign]:
    """Campaigns whose target regions overlap the user's jurisdiction (above or below it)."""
    path = jurisdiction_path(user)
    qs = SurveyCampaign.objects.all()
    if path is None:
        return qs.none()
    if path:
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        qs = qs.filter(
            Q(target_regions__path__startswith=path) | Q(target_regions__path__in=ancestors)
        ).distinct()
    return qs.prefetch_related("target_regions").order_by("-start_date", "-id")


def campaign_figures(regions: list[Region]) -> dict[str, dict[str, int]]:
    """Registry figures of each region's subtree, keyed by region code."""
    counts = counts_for(list(regions))
    return {region.code: counts[region.pk].as_dict() for region in regions}


def campaign_summary(
    campaign: SurveyCampaign,
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(figures now, or at closing; findings by kind and outcome)."""
    targets = list(campaign.target_regions.all())
    now = campaign.final if campaign.final is not None else campaign_figures(targets)
    found: dict[str, dict[str, int]] = {k: {o: 0 for o in FindingOutcome.values}
                                        for k in FindingKind.values}  # fmt: skip
    rows = campaign.findings.values_list("kind", "outcome").annotate(n=Count("id"))
    for kind, outcome, n in rows:
        found[kind][outcome] = n
    return now, found


def region_for(user: Any, code: str | None) -> Region | None:
    """The region ``code`` names, if it lies in the user's jurisdiction (None for no code).

    Raises ``registry.unknown_region`` (404) or ``auth.out_of_jurisdiction`` (403).
    """
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found("registry.unknown_region", _("区域不存在。"), code=code)
    if not is_liaison(user):
        require_jurisdiction(user, region)
    return region


def home_region(user: Any) -> Region | None:
    """Where a staff member's registry view starts: their region, or the city for the system."""
    if getattr(user, "region_id", None) and jurisdiction_path(user):
        return user.region
    return Region.objects.filter(depth=0).order_by("code").first()


def worker_profile_of(user: Any) -> Worker | None:
    """The registry record linked to an app user, if the person is in the 台账."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user).first()


def is_party_member(user: Any) -> bool:
    """Whether the 台账 records the user as a party member (full or probationary)."""
    profile = worker_profile_of(user)
    return bool(profile and profile.is_party_member)


def occupation_of(user: Any) -> str:
    """The user's occupation code from the 台账, or "" when the person is not recorded."""
    profile = worker_profile_of(user)
    return profile.occupation if profile else ""


def occupation_label(code: str) -> str:
    """The Chinese name of an occupation code ("" when the code is not one)."""
    return str(Occupation(code).label) if code in Occupation.values else ""


# Reads the party app builds on (coverage, the union's members): live figures of the 台账.


def enterprises_under(path: str) -> QuerySet[Enterprise]:
    """Enterprises in operation whose region lies under ``path`` ("" for all)."""
    qs = Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED).select_related("region")
    return qs.filter(region__path__startswith=path) if path else qs


def party_members_by_enterprise(enterprise_ids: list[int]) -> dict[int, dict[str, int]]:
    """Active workers who are party members, per enterprise: {"formal": n, "probationary": m}."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"formal": 0, "probationary": 0})
    rows = (
        Worker.objects.filter(
            status=WorkerStatus.ACTIVE,
            political_status__in=PARTY_STATUSES,
            enterprises__in=enterprise_ids,
        )
        .values_list("enterprises", "political_status")
        .annotate(n=Count("pk", distinct=True))
    )
    for enterprise_id, status, n in rows:
        key = "formal" if status == PARTY_STATUSES[0] else "probationary"
        out[enterprise_id][key] += n
    return dict(out)


def workers_of_enterprise(enterprise_id: int, *, union_member: bool | None = None) -> QuerySet:
    """Active workers of one enterprise (the union's members when ``union_member``)."""
    qs = Worker.objects.filter(status=WorkerStatus.ACTIVE, enterprises=enterprise_id)
    return qs if union_member is None else qs.filter(union_member=union_member)


def worker_by_id(pk: int) -> Worker | None:
    return Worker.objects.filter(pk=pk).select_related("region").first()


# --- sheets: other apps read their .xlsx imports with the registry's reader ---


class SheetUnreadable(ValueError):
    """The file is not an .xlsx workbook the registry's reader understands."""


def sheet_header(text: object) -> str:
    """A header cell as the registry compares headers ('销售额（元）*' reads '销售额(元)')."""
    return normalise_header(text)


def sheet_rows(file: Any, *, limit: int) -> list[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, cell values) of the rows with a value in the first sheet, with the
    registry's streaming reader (dates as dates, numbers as numbers); at most ``limit`` + 1
    rows are read, so a caller can tell a sheet that is too long."""
    try:
        workbook = XlsxReader(file)
    except XlsxError as exc:
        raise SheetUnreadable(str(exc)) from exc
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        if not workbook.sheet_names:
            return rows
        for row in workbook.rows(workbook.sheet_names[0]):
            rows.append(row)
            if len(rows) > limit:
                break
    except (XlsxError, KeyError, ValueError, zipfile.BadZipFile, ExpatError) as exc:
        raise SheetUnreadable(str(exc)) from exc
    finally:
        workbook.close()
    return rows
