"""The world of tests/scaleout/test_multi_server.py, built, fed and counted in processes of its
own with the app servers' environment (through PgBouncer), as ``python -m
tests.scaleout.world prepare|siting|count``; each prints one line of JSON.

- ``prepare``: the crash test's world (workers holding points, a shop, a report category, a
  funded pool and a clerk who adjusts points), plus a city admin who reads the dashboard, a
  worker with a password who logs in on the page, and what siting runs need (the amenities,
  hot spots, planners).
- ``siting``: queues siting runs (background tasks in the database queue), ``EACH`` for each
  planner.
- ``count``: the rows the load left, each worker's balance, and the siting runs' tasks.
"""

import json
import sys

from tests.core import crash_world

PLANNERS = 3
PASSWORD = "scale-out-login-9"  # a throwaway test account
SITING_QUERY = (
    "mode=ride&threshold_minutes=10&sources=hotspots&p=1&candidates=hotspots"
    "&solver=exact&time_limit_s=30&target_percent=100"
)


def prepare() -> dict:
    from django.test import override_settings

    from nuanxin.accounts.models import Role, User
    from nuanxin.accounts.services import token_issue
    from nuanxin.coverage.services import hotspots_import
    from nuanxin.stations.services import amenity_defaults_ensure
    from tests.coverage.test_coverage import SPOTS, _sheet
    from tests.factories import staff

    world = crash_world.prepare()
    admin = User.objects.filter(role=Role.CITY_ADMIN).order_by("pk").first()
    tree_city = admin.region
    amenity_defaults_ensure()
    hotspots_import(data=_sheet(SPOTS), filename="spots.csv")
    county = tree_city.children.order_by("code").first()
    planners = [staff(Role.COUNTY_ADMIN, county, name=f"规划员{i}") for i in range(PLANNERS)]
    walker = User.objects.get(pk=world["workers"][0]["id"])
    # A hash the servers check (the crash world's fast test hasher is not among theirs).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        walker.set_password(PASSWORD)
    walker.save(update_fields=["password"])
    return {
        **world,
        "dashboard": token_issue(user=admin, name="scale-out", ttl_days=1, second_factor=True)[0],
        "planners": [p.pk for p in planners],
        "login": {"phone": walker.phone, "password": PASSWORD},
        "points_each": crash_world.POINTS,
    }


def siting(planner_ids: list[int], each: int) -> dict:
    from django.db import transaction

    from nuanxin.accounts.models import User
    from nuanxin.coverage.services import siting_run_request

    runs = []
    for planner in User.objects.filter(pk__in=planner_ids):
        for _ in range(each):
            with transaction.atomic():
                runs.append(str(siting_run_request(user=planner, query=SITING_QUERY).pk))
    return {"runs": runs}


def count(answers: dict) -> dict:
    from django_tasks_db.models import DBTaskResult

    from nuanxin.accounts.models import User
    from nuanxin.coverage.models import SitingRun
    from nuanxin.points.selectors import balance_of
    from nuanxin.reports.models import ReportPhoto

    out = crash_world.count(answers)
    out["balances"] = {
        str(user.pk): vars(balance_of(user))
        for user in User.objects.filter(pk__in=answers["workers"])
    }
    out["photos"] = [
        {"id": pk, "report": report, "name": name}
        for pk, report, name in ReportPhoto.objects.filter(
            report_id__in=answers["report"]
        ).values_list("pk", "report_id", "image")
    ]
    runs = SitingRun.objects.filter(pk__in=answers["runs"])
    out["runs"] = {str(run.pk): run.state for run in runs}
    tasks = DBTaskResult.objects.filter(pk__in=[run.task_id for run in runs if run.task_id])
    out["tasks"] = [{"status": task.status, "worker_ids": list(task.worker_ids)} for task in tasks]
    return out


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:] == ["prepare"]:
        print(json.dumps(prepare()))
    elif sys.argv[1:2] == ["siting"]:
        print(json.dumps(siting([int(pk) for pk in sys.argv[3:]], each=int(sys.argv[2]))))
    elif sys.argv[1:] == ["count"]:
        print(json.dumps(count(json.load(sys.stdin))))
    else:
        raise SystemExit(
            "usage: python -m tests.scaleout.world prepare|siting EACH PLANNER...|count"
        )
