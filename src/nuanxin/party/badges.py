"""The pioneer badge (先锋) as other pages see it: shown only for members who chose to show it
and who are in a party organisation today. Nothing else about party membership leaves the app."""

from django.utils.translation import gettext as _

from nuanxin.party.models import PARTY_MEMBER_KINDS, Badge, Membership


def badges_for(user_ids: list[int]) -> dict[int, list[str]]:
    shown = Badge.objects.filter(user_id__in=user_ids, shown=True).values_list("user_id", flat=True)
    members = Membership.objects.filter(
        worker__user_id__in=list(shown), left_on__isnull=True, kind__in=PARTY_MEMBER_KINDS
    ).values_list("worker__user_id", flat=True)
    return {pk: [_("先锋")] for pk in members}
