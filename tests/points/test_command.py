import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nuanxin.points import services
from nuanxin.points.models import Account
from tests.points.factories import city_admin, worker_with_points

pytestmark = pytest.mark.django_db


def test_check_reports_a_clean_ledger(tree):
    worker_with_points(tree, 100)
    out = StringIO()

    call_command("points", "check", stdout=out)

    assert "ledger clean" in out.getvalue()
    assert "debits 300, credits 300" in out.getvalue()


def test_check_fails_and_names_the_mismatched_account(tree):
    _person, account = worker_with_points(tree, 100)
    Account.objects.filter(pk=account.pk).update(posted=99)
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("points", "check", stdout=StringIO(), stderr=err)

    assert account.key in str(error.value)
    assert f"account {account.key}: posted 99 != entries 100" in err.getvalue()


def test_expire_subcommands_run_the_sweeps(tree):
    services.policy_update(actor=city_admin(tree), expiry_years=1)
    out = StringIO()

    call_command("points", "expire-holds", stdout=out)
    call_command("points", "expire", "--today", "2030-01-01", stdout=out)

    assert "released 0 expired holds" in out.getvalue()
    assert "expired 0 points on 2030-01-01" in out.getvalue()
    assert services.expire_points(today=dt.date(2030, 1, 1)) == 0


def test_nuanxin_points_check_exits_non_zero_on_mismatch(tmp_path):
    """The console script itself: a fresh database is clean, and the exit code says so."""
    env = {"NUANXIN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "nuanxin.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)

    clean = subprocess.run([*cli, "points", "check"], env=env, capture_output=True, text=True)
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='nuanxin.settings'; "
        "django.setup(); from nuanxin.points.models import Account, AccountKind; "
        "Account.objects.create(key='broken', kind=AccountKind.FUND, posted=5)"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    broken = subprocess.run([*cli, "points", "check"], env=env, capture_output=True, text=True)

    assert clean.returncode == 0 and "ledger clean" in clean.stdout
    assert broken.returncode != 0 and "broken" in broken.stderr
