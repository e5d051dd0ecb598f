"""Badges other pages show next to a name: the pioneer badge (先锋) only for members who chose
to show it and who are in a party organisation today (nothing else about party membership
leaves the app), and the grid member's (网格员), which marks their reports."""

from django.utils.translation import gettext as _

from nuanxin.party.models import PARTY_MEMBER_KINDS, Badge, GridMember, Membership


def badges_for(user_ids: list[int]) -> dict[int, list[str]]:
    shown = Badge.objects.filter(user_id__in=user_ids, shown=True).values_list("user_id", flat=True)
    members = Membership.objects.filter(
        worker__user_id__in=list(shown), left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS
    ).values_list("worker__user_id", flat=True)
    out: dict[int, list[str]] = {pk: [_("先锋")] for pk in members}
    grid = GridMember.objects.filter(user_id__in=user_ids, left_on__isnull=True)
    for pk in set(grid.values_list("user_id", flat=True)):
        out.setdefault(pk, []).append(_("网格员"))
    return out
