"""Party-work staff reads: the organisation tree, members, mass organisations, coverage of an
area, all inside the caller's jurisdiction (and nothing for anyone else)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from nuanxin.accounts.models import ROLE_REGION_LEVEL, User, normalize_phone
from nuanxin.core.activity import activity_of
from nuanxin.core.errors import not_found
from nuanxin.core.scoping import (
    get_in_scope_or_404,
    in_jurisdiction,
    jurisdiction_path,
    require_jurisdiction,
    scope_to_jurisdiction,
)
from nuanxin.geo.models import Region
from nuanxin.party.access import require_party_staff, scope_party
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    Badge,
    GridMember,
    InstructorAssignment,
    MassMembership,
    MassOrganisation,
    Meeting,
    Membership,
    MembershipKind,
    Officer,
    Organisation,
    OrgStatus,
)
from nuanxin.party.services._common import (
    meeting_missing,
    membership_missing,
    organisation_missing,
)
from nuanxin.party.services.coverage import (
    instructor_missing,
    mass_membership_missing,
    mass_missing,
)
from nuanxin.party.services.organisations import officer_missing
from nuanxin.party.services.people import grid_member_missing, staff_missing


def organisations_for(user: Any) -> QuerySet[Organisation]:
    return scope_party(Organisation.objects.select_related("region", "parent", "enterprise"), user)


def organisation_for_staff(user: Any, pk: int) -> Organisation:
    require_party_staff(user)
    return get_in_scope_or_404(organisations_for(user), organisation_missing(), pk=pk)


def memberships_for(user: Any) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("worker", "organisation", "worker__region")
    return scope_party(qs, user, region_field="organisation__region")


def membership_for_staff(user: Any, pk: int) -> Membership:
    require_party_staff(user)
    return get_in_scope_or_404(memberships_for(user), membership_missing(), pk=pk)


def meetings_for(user: Any) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("organisation", "organisation__region")
    return scope_party(qs, user, region_field="organisation__region")


def meeting_for_staff(user: Any, pk: int) -> Meeting:
    require_party_staff(user)
    return get_in_scope_or_404(meetings_for(user), meeting_missing(), pk=pk)


def mass_organisations_for(user: Any) -> QuerySet[MassOrganisation]:
    qs = MassOrganisation.objects.select_related("region", "enterprise").annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )
    return scope_party(qs, user)


@dataclass
class TreeNode:
    organisation: Organisation
    depth: int
    formal: int = 0
    probationary: int = 0
    activists: int = 0
    badges: int = 0
    # What the members showing the badge did: reports accepted, verified volunteer hours.
    badge_reports: int = 0
    badge_hours: Decimal = Decimal(0)
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def members(self) -> int:
        return self.formal + self.probationary


def member_counts(org_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Membership.objects.filter(organisation_id__in=org_ids, left_on__isnull=True)
        .values_list("organisation_id", "kind")
        .annotate(n=Count("pk"))
    )
    for org_id, kind, n in rows:
        out[org_id][kind] = n
    shown = set(Badge.objects.filter(shown=True).values_list("user_id", flat=True))
    holders = list(
        Membership.objects.filter(
            organisation_id__in=org_ids,
            left_on__isnull=True,
            kind__in=PARTY_MEMBER_KINDS,
            worker__user_id__in=shown,
        ).values_list("organisation_id", "worker__user_id")
    )
    done = activity_of(user for _org, user in holders)
    for org_id, user_id in holders:
        out[org_id]["badges"] += 1
        figures = done.get(user_id, {})
        out[org_id]["badge_reports"] += figures.get("reports_accepted", 0)
        out[org_id]["badge_hours"] += figures.get("volunteer_hours", 0)
    return out


def organisation_tree(user: Any, *, include_ended: bool = False) -> list[TreeNode]:
    """The organisations the caller may see as a forest, depth first; an organisation whose
    parent lies outside the caller's area is a root."""
    require_party_staff(user)
    qs = organisations_for(user)
    if not include_ended:
        qs = qs.filter(status=OrgStatus.ACTIVE)
    orgs = list(qs.order_by("name"))
    counts = member_counts([o.pk for o in orgs])
    nodes = {o.pk: TreeNode(o, 0) for o in orgs}
    for node in nodes.values():
        c = counts.get(node.organisation.pk, {})
        node.formal = c.get(MembershipKind.FORMAL, 0)
        node.probationary = c.get(MembershipKind.PROBATIONARY, 0)
        node.activists = c.get(MembershipKind.ACTIVIST, 0)
        node.badges = c.get("badges", 0)
        node.badge_reports = c.get("badge_reports", 0)
        node.badge_hours = Decimal(c.get("badge_hours", 0))
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.organisation.parent_id)
        (parent.children if parent else roots).append(node)
    flat: list[TreeNode] = []

    def walk(node: TreeNode, depth: int) -> None:
        node.depth = depth
        flat.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda n: (n.organisation.region.path, n.organisation.name)):
        walk(root, 0)
    return flat


def area_for(user: Any, code: str | None) -> Region:
    """The region a party-work staff member asks figures for: theirs by default."""
    require_party_staff(user)
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise not_found("party.unknown_region", _("区域不存在。"), code=code)
        require_jurisdiction(user, region)
        return region
    path = jurisdiction_path(user)
    if path:
        return Region.objects.get(path=path)
    return Region.objects.filter(depth=0).order_by("code").first()


@dataclass
class GridRow:
    member: GridMember
    reports_accepted: int


def grid_members_for(user: Any) -> list[GridRow]:
    """The part-time grid members of the caller's area, with the reports of theirs accepted."""
    require_party_staff(user)
    rows = list(
        scope_to_jurisdiction(
            GridMember.objects.filter(left_on__isnull=True).select_related("user", "grid"),
            user,
            region_field="grid",
        ).order_by("grid__path", "user__name")
    )
    done = activity_of(r.user_id for r in rows)
    return [GridRow(r, int(done.get(r.user_id, {}).get("reports_accepted", 0))) for r in rows]


def mass_organisation_for_staff(user: Any, pk: int) -> MassOrganisation:
    require_party_staff(user)
    return get_in_scope_or_404(mass_organisations_for(user), mass_missing(), pk=pk)


def mass_memberships_for(user: Any) -> QuerySet[MassMembership]:
    qs = MassMembership.objects.select_related("worker", "organisation")
    return scope_party(qs, user, region_field="organisation__region")


def mass_membership_for_staff(user: Any, pk: int) -> MassMembership:
    require_party_staff(user)
    return get_in_scope_or_404(mass_memberships_for(user), mass_membership_missing(), pk=pk)


def instructors_for(user: Any) -> QuerySet[InstructorAssignment]:
    qs = InstructorAssignment.objects.select_related("enterprise", "enterprise__region")
    return scope_party(qs, user, region_field="enterprise__region")


def instructor_for_staff(user: Any, pk: int) -> InstructorAssignment:
    require_party_staff(user)
    return get_in_scope_or_404(instructors_for(user), instructor_missing(), pk=pk)


def officer_for_staff(user: Any, pk: int) -> Officer:
    require_party_staff(user)
    qs = scope_party(Officer.objects.select_related("organisation"), user,
                     region_field="organisation__region")  # fmt: skip
    return get_in_scope_or_404(qs, officer_missing(), pk=pk)


def grid_member_for_staff(user: Any, pk: int) -> GridMember:
    """A part-time grid member of a grid inside the caller's area (else not found)."""
    require_party_staff(user)
    qs = scope_party(GridMember.objects.select_related("user", "grid"), user, region_field="grid")
    return get_in_scope_or_404(qs, grid_member_missing(), pk=pk)


def staff_member_by_phone(user: Any, phone: str) -> Any:
    """A region staff account inside the caller's area, other than the caller, by its phone
    number; no such account answers like one outside the area."""
    require_party_staff(user)
    found = User.objects.filter(phone=normalize_phone(phone)[:11]).select_related("region").first()
    if found is None or found.pk == user.pk or not in_jurisdiction(user, found.region):
        raise staff_missing()
    return found


def worker_account_by_phone(user: Any, phone: str) -> Any:
    """The account with that phone number whose region lies inside the caller's area; any
    other answers like a person who does not exist."""
    require_party_staff(user)
    found = User.objects.filter(phone=normalize_phone(phone)[:11]).select_related("region").first()
    if found is None or not in_jurisdiction(user, found.region):
        raise not_found("party.worker_not_found", _("人员不存在。"))
    return found


def party_workers_for(user: Any) -> QuerySet[Any]:
    """The staff accounts inside the caller's area holding the party-work permission."""
    require_party_staff(user)
    qs = User.objects.filter(
        user_permissions__codename="party_work",
        user_permissions__content_type__app_label="party",
        role__in=list(ROLE_REGION_LEVEL),
    ).select_related("region")
    return scope_to_jurisdiction(qs, user).order_by("region__path", "name")
