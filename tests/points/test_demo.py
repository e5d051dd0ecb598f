import io

import pytest
from django.core.management import call_command

from nuanxin.accounts.models import Role, User
from nuanxin.demo import points as demo_points
from nuanxin.demo.loader import DemoContext
from nuanxin.points.checks import ledger_check
from nuanxin.points.models import Account, AccountKind, Entry
from nuanxin.points.selectors import balance_of, history_of
from tests.factories import staff
from tests.points.factories import worker

pytestmark = pytest.mark.django_db


def test_demo_funds_every_pool_gives_workers_history_and_reruns_add_nothing(tree):
    staff(Role.CITY_ADMIN, tree.city)
    people = [worker(tree, "A1a"), worker(tree, "B2b")]
    ctx = DemoContext(out=io.StringIO())

    demo_points.load(ctx)
    entries = Entry.objects.count()
    demo_points.load(ctx)

    assert Entry.objects.count() == entries
    pools = Account.objects.filter(kind=AccountKind.COMMUNITY_POOL)
    assert pools.count() == 8
    assert all(pool.posted > 0 for pool in pools)
    for person in people:
        assert balance_of(person).posted > 0
        assert history_of(person)
    assert ledger_check().problems == []
    out = io.StringIO()
    call_command("points", "check", stdout=out)
    assert "ledger clean" in out.getvalue()
    assert "积分" in ctx.out.getvalue()
    assert User.objects.filter(role=Role.WORKER).count() == 2
