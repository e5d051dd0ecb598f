"""What the city's dashboard reads of the party side: counts per region the records point at
(an organisation's and a mass organisation's region, an enterprise's region for 两个覆盖 and
应建尽建), and the first mobile branch of an area, the one the program started with.

Coverage is counted by ``coverage.enterprise_coverage`` (the same rows the coverage pages and
``coverage_rates`` read), so the dashboard's rate is the party app's rate.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q

from nuanxin.core.timeutil import local_date
from nuanxin.party.models import (
    PARTY_MEMBER_KINDS,
    BranchType,
    MassOrganisation,
    Membership,
    Organisation,
    OrgStatus,
)
from nuanxin.party.selectors.coverage import enterprise_coverage, must_set_up_threshold

FIGURES = (
    "party_organisations",
    "mass_organisations",
    "party_org_members",
    "mobile_branch_members",
    "coverage_enterprises",
    "organisations_covered",
    "must_set_up",
)


def _open_members() -> Q:
    return Q(left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS)


def figures_by_region(*, within: str = "") -> dict[int, dict[str, int]]:
    """Per region id, in the subtree at path ``within`` ("" for all): organisations in being,
    mass organisations in being, party members in those organisations and in mobile branches,
    enterprises counted for 两个覆盖, those covered by an organisation (their own, a joint or a
    regional one), and those on the 应建尽建 list. Grouped queries, none per region."""
    today = local_date()
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    orgs = Organisation.objects.filter(status=OrgStatus.ACTIVE, region__path__startswith=within)
    for region_id, n in orgs.values_list("region_id").annotate(n=Count("id")).order_by():
        out[region_id]["party_organisations"] = n
    mass = MassOrganisation.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today),
        founded_on__lte=today,
        region__path__startswith=within,
    )
    for region_id, n in mass.values_list("region_id").annotate(n=Count("id")).order_by():
        out[region_id]["mass_organisations"] = n
    members = (
        Membership.objects.filter(
            _open_members(),
            organisation__status=OrgStatus.ACTIVE,
            organisation__region__path__startswith=within,
        )
        .values_list("organisation__region_id")
        .annotate(
            n=Count("id"),
            mobile=Count("id", filter=Q(organisation__branch_type=BranchType.MOBILE)),
        )
        .order_by()
    )
    for region_id, n, mobile in members:
        out[region_id]["party_org_members"] = n
        out[region_id]["mobile_branch_members"] = mobile
    threshold = must_set_up_threshold()
    for row in enterprise_coverage(within, on=today):
        figures = out[row.region_id]
        figures["coverage_enterprises"] += 1
        figures["organisations_covered"] += row.organisation_covered
        figures["must_set_up"] += row.must_set_up(threshold)
    return dict(out)


def first_mobile_branch(*, within: str = "") -> dict[str, Any] | None:
    """The earliest founded mobile branch (流动党支部) in being in the subtree at ``within``,
    with its party members today: the branch an area's program began with (one query)."""
    found = (
        Organisation.objects.filter(
            status=OrgStatus.ACTIVE,
            branch_type=BranchType.MOBILE,
            region__path__startswith=within,
        )
        .annotate(
            members=Count(
                "memberships",
                filter=Q(
                    memberships__left_on__isnull=True, memberships__kind__in=PARTY_MEMBER_KINDS
                ),
            )
        )
        .order_by("founded_on", "id")
        .values("name", "founded_on", "members")
        .first()
    )
    if found is None:
        return None
    return {
        "name": found["name"],
        "since": found["founded_on"].isoformat(),
        "value": found["members"],
    }
