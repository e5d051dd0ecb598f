"""What the demo says about its accounts agrees with the list it prints, and its history leaves
every worker today's full earning cap (a first report pays)."""

import io
import re

import pytest
from django.utils import timezone

from nuanxin.accounts.models import Role, User
from nuanxin.demo.loader import load_demo
from nuanxin.points.models import Account, AccountKind
from nuanxin.points.services.earning import earned_in_period
from nuanxin.points.services.policy import current_policy

HEADING = re.compile(r"演示账号 (\d+) 个（本次新增 (\d+) 个")


def _heading(output: str) -> tuple[int, int]:
    found = HEADING.findall(output)
    assert len(found) == 1, output
    listed, created = found[0]
    return int(listed), int(created)


@pytest.mark.django_db
def test_the_demo_counts_the_accounts_it_lists(demo_city):
    listed, created = _heading(demo_city.out.getvalue())
    phones = [phone for _role, _name, phone in demo_city.credentials]
    assert listed == created == len(phones) == len(set(phones))
    # The list is every account that logs in with the demo password.
    with_password = [u.phone for u in User.objects.all() if u.has_usable_password()]
    assert sorted(with_password) == sorted(phones)
    # No other line counts accounts differently.
    assert "新增 9 个" not in demo_city.out.getvalue()


@pytest.mark.django_db
def test_a_second_load_lists_the_same_accounts_and_creates_none(demo_city):
    out = io.StringIO()
    ctx = load_demo(out)
    assert _heading(out.getvalue()) == (len(demo_city.credentials), 0)
    assert ctx.credentials == demo_city.credentials


@pytest.mark.django_db
def test_every_demo_worker_can_earn_the_full_daily_cap_today(demo_city):
    policy = current_policy()
    assert policy.daily_cap, "the demo's policy has a daily cap"
    now = timezone.now()
    accounts = Account.objects.filter(kind=AccountKind.WORKER, user__role=Role.WORKER)
    assert accounts.count() > 100
    spent_today = {}
    for account in accounts.select_related("user"):
        day, month = earned_in_period(account.pk, now)
        free_this_month = (policy.monthly_cap - month) if policy.monthly_cap else policy.daily_cap
        if day or free_this_month < policy.daily_cap:
            spent_today[account.user.phone] = (day, month)
    assert not spent_today, f"earned today or short of this month's cap: {spent_today}"
