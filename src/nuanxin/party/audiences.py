"""Who hears of what happens in a grid (the article's 网格群): its part-time grid members and
the staff of its community."""

from typing import Any

from nuanxin.accounts.models import Role, User
from nuanxin.geo.models import RegionLevel
from nuanxin.party.models import GridMember


def audience_of(region: Any) -> list[Any]:
    if region is None or region.level != RegionLevel.GRID:
        return []
    members = [
        m.user
        for m in GridMember.objects.filter(grid=region, left_on__isnull=True).select_related("user")
    ]
    staff = User.objects.filter(
        role=Role.COMMUNITY_STAFF, region_id__in=[region.pk, region.parent_id], is_active=True
    )
    return members + list(staff)
