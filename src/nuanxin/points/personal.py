"""The ledger's part of a person's data: their balance and every entry on their account.

Nothing is erased here: entries are the ledger and stay exact; after an erasure they belong
to an account that names nobody."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.points.models import Account, Entry


def export(user: Any) -> list[PersonalTable]:
    account = Account.objects.filter(user=user).first()
    if account is None:
        return []
    entries = [
        {"at": e.created_at, "points": e.amount if e.credit_id == account.pk else -e.amount,
         "kind": e.kind, "reason": e.reason, "reference": e.reference}
        for e in Entry.objects.filter(Q(debit=account) | Q(credit=account)).order_by("id")
    ]  # fmt: skip
    balance = {"posted": account.posted, "held": account.held}
    return [
        PersonalTable("points_balance", _("积分余额"), [balance]),
        PersonalTable("points_entries", _("积分流水"), entries),
    ]
