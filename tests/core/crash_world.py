"""The world of tests/core/test_crash_safety.py, built and counted in a process of its own.

The crash test drives a real ``nuanxin serve`` over HTTP and never opens the database itself:
this module runs as ``python -m tests.core.crash_world prepare|count`` with the server's
environment (DATABASE_URL, NUANXIN_DATA_DIR), sets Django up and prints one line of JSON.

- ``prepare``: a region tree, workers holding points, a shop with plenty of a one-point item, a
  report category, a funded community pool and a community staff member who adjusts points by
  hand; a bearer token for each of them.
- ``count``: reads the answers the load got (JSON on stdin) and says how many rows each kind of
  write left, which of the acknowledged ids exist, and how many reports carry each key.
"""

import json
import sys

WORKERS = 8
POINTS = 20_000
STOCK = 10_000


def prepare() -> dict:
    from django.conf import settings

    from nuanxin.accounts.models import Role
    from nuanxin.accounts.services import token_issue
    from nuanxin.points import services as points
    from nuanxin.store import services as store
    from tests.factories import build_tree, staff
    from tests.points.factories import city_admin, funded_pool, worker_with_points
    from tests.reports.factories import IN_A1A_1, category
    from tests.store.factories import make_shop

    # Nobody here logs in with a password (the load uses bearer tokens): the tests' fast hasher
    # spares the production one's deliberate slowness a dozen times over.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tree = build_tree()
    admin = city_admin(tree)
    points.policy_update(actor=admin, daily_cap=None, monthly_cap=None)
    workers = [worker_with_points(tree, POINTS)[0] for _ in range(WORKERS)]
    funded_pool(tree, "A1a", 100_000)  # what the hand adjustments pay out of
    clerk = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    station = make_shop(tree)
    item = store.item_create(actor=admin, name="压测大米", category="grain_oil", points_price=1)
    store.stock_restock(actor=None, station=station, item=item, quantity=STOCK)
    report_category = category(points=5)
    return {
        "workers": [
            {"id": w.pk, "token": token_issue(user=w, name="crash test", ttl_days=1)[0]}
            for w in workers
        ],
        "clerk": token_issue(user=clerk, name="crash test", ttl_days=1, second_factor=True)[0],
        "station": station.pk,
        "item": item.pk,
        "category": report_category.code,
        "point": list(IN_A1A_1),
    }


def count(answers: dict) -> dict:
    from django.db.models import Count

    from nuanxin.points.models import Adjustment
    from nuanxin.reports.models import Report
    from nuanxin.store.models import Order

    models = {"report": Report, "order": Order, "adjustment": Adjustment}
    field = {"report": "pk", "order": "public_id", "adjustment": "public_id"}
    out: dict = {}
    for kind, model in models.items():
        acked = answers.get(kind, [])
        lookup = {f"{field[kind]}__in": acked}
        out[kind] = {
            "rows": model.objects.count(),
            "acked_present": model.objects.filter(**lookup).count(),
        }
    # Every report's description names the Idempotency-Key it was sent with: a key that made
    # two reports is a duplicate the ids alone could not show.
    out["report"]["keys_with_two_rows"] = list(
        Report.objects.values("description")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("description", flat=True)
    )
    return out


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:] == ["prepare"]:
        print(json.dumps(prepare()))
    elif sys.argv[1:] == ["count"]:
        print(json.dumps(count(json.load(sys.stdin))))
    else:
        raise SystemExit("usage: python -m tests.core.crash_world prepare|count")
