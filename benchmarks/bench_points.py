"""Points ledger throughput: postings per second with 1, 4 and 16 concurrent clients on SQLite and
on PostgreSQL, and PostgreSQL's ceiling for the same work measured with pgbench.

    uv run python benchmarks/bench_points.py [--seconds 8] [--clients 1,4,16]

One posting is ``services.transfer`` of 1 point between two random accounts out of ``--accounts``.
On PostgreSQL that is one statement in autocommit, the function ``points_post_entry`` (lock both
rows, look up the transfer id, check the balance, record the id, insert the entry, move both
balances). On SQLite it is BEGIN IMMEDIATE, one statement that reads both rows and looks up the
id, three writes, COMMIT. Clients are processes, so Python's GIL does not serialise them. The
ceiling is pgbench running the plain SQL of one posting in one transaction (points_pgbench.sql:
BEGIN, lock and look up, the three writes as one statement, END; simple protocol, like Django's
client-side binding). The function saves the client the three round trips the ceiling still
makes, so ours/ceiling can pass 1. SQLite runs on a fresh file in a temporary folder;
PostgreSQL on a fresh database ``test_points_bench`` on the server of ``--pg-url``.
"""

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
BENCH_DB = "test_points_bench"
ROOT = Path(__file__).resolve().parents[1]

PGBENCH_SCRIPT = Path(__file__).with_name("points_pgbench.sql")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()


def _prepare(n_accounts: int) -> list[int]:
    """Fresh schema, ``n_accounts`` funded accounts; returns their ids (consecutive)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from nuanxin.points import services
    from nuanxin.points.models import AMOUNT_MAX, Account, AccountKind

    issuance = services.issuance_account()
    accounts = [
        Account.objects.create(key=f"bench:{i}", kind=AccountKind.FUND) for i in range(n_accounts)
    ]
    for account in accounts:
        services.transfer(
            transfer_id=f"bench-seed-{account.pk}",
            debit=issuance,
            credit=account,
            amount=AMOUNT_MAX,  # the largest one posting may move; ample for any run
            reason="bench.seed",
        )
    ids = [a.pk for a in accounts]
    assert ids == list(range(ids[0], ids[0] + n_accounts)), "accounts must have consecutive ids"
    return ids


def _client(
    ids: list[int], run: str, client: int, start: object, deadline_box: object, out: object
) -> None:
    import random

    from django.db import connections

    connections.close_all()
    from nuanxin.points import services
    from nuanxin.points.models import Account

    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    rng = random.Random(f"{run}:{client}")
    start.wait()
    deadline = deadline_box.value
    done, i = 0, 0
    while time.time() < deadline:
        a, b = rng.sample(ids, 2)
        services.transfer(
            transfer_id=f"{run}-{client}-{i}",
            debit=accounts[a],
            credit=accounts[b],
            amount=1,
            reason="bench.posting",
        )
        i += 1
        if time.time() < deadline:
            done += 1
    connections.close_all()
    out.put(done)


def measure_ours(ids: list[int], clients: int, seconds: float, run: str) -> float:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(clients + 1)
    deadline = ctx.Value("d", 0.0)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_client, args=(ids, run, c, start, deadline, out))
        for c in range(clients)
    ]
    for proc in procs:
        proc.start()
    time.sleep(0.5)  # let every client connect and load its accounts
    deadline.value = time.time() + seconds
    start.wait()
    total = sum(out.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


def _check_clean() -> list[str]:
    from nuanxin.points.checks import ledger_check

    return ledger_check().problems


def run_engine(engine: str, clients: list[int], seconds: float, accounts: int) -> dict:
    """Runs inside a child process whose environment selects the database."""
    _setup_django()
    from django.db import connection

    ids = _prepare(accounts)
    result = {"engine": connection.vendor, "ours": {}, "ids": [ids[0], len(ids)]}
    for n in clients:
        result["ours"][str(n)] = measure_ours(ids, n, seconds, f"{engine}-{n}")
    result["problems"] = _check_clean()
    return result


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pgbench(url: str, base: int, n: int, clients: int, seconds: float) -> float:
    script = PGBENCH_SCRIPT
    host = re.search(r"@([^:/]+)", url).group(1)
    port = re.search(r":(\d+)/", url).group(1)
    user = re.search(r"//([^@:]+)", url).group(1)
    out = subprocess.run(
        [
            PGBENCH,
            "-h", host, "-p", port, "-U", user,
            "-n", "-M", "simple",
            "-c", str(clients), "-j", str(min(clients, 2)),
            "-T", str(int(seconds)),
            "-D", f"base={base}", "-D", f"n={n}",
            "-f", str(script),
            BENCH_DB,
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    clients = [int(c) for c in args.clients.split(",")]

    if args.child:
        print(json.dumps(run_engine(args.child, clients, args.seconds, args.accounts)))
        return {}

    load = os.getloadavg()[0]
    results = {}
    for engine in args.engines.split(","):
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        with tempfile.TemporaryDirectory() as data_dir:
            env["NUANXIN_DATA_DIR"] = data_dir
            if engine == "postgresql":
                _pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
                _pg_admin(args.pg_url, f"CREATE DATABASE {BENCH_DB}")
                env["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + "/" + BENCH_DB
            child = subprocess.run(
                [sys.executable, __file__, "--child", engine, "--clients", args.clients,
                 "--seconds", str(args.seconds), "--accounts", str(args.accounts)],
                env=env, capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            if child.returncode != 0:
                sys.exit(child.stderr)
            results[engine] = json.loads(child.stdout.strip().splitlines()[-1])
            if engine == "postgresql":
                base, n = results[engine]["ids"]
                results[engine]["ceiling"] = {
                    str(c): pgbench(args.pg_url, base, n, c, args.seconds) for c in clients
                }
                _pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    print(
        f"points postings/s ({args.seconds:g} s per run, {args.accounts} accounts, "
        f"{os.cpu_count()} cores, load average {load:.2f} before the run)"
    )
    for engine, result in results.items():
        for c in clients:
            ours = result["ours"][str(c)]
            line = f"  {engine:<10} {c:>2} clients: {ours:8.0f} postings/s"
            if "ceiling" in result:
                ceiling = result["ceiling"][str(c)]
                line += f"   pgbench ceiling {ceiling:8.0f} tps   ours/ceiling {ours / ceiling:.2f}"
            print(line)
        state = "clean" if not result["problems"] else "; ".join(result["problems"][:5])
        print(f"  {engine:<10} ledger check after the run: {state}")
    if "postgresql" in results and "16" in results["postgresql"]["ceiling"]:
        pg = results["postgresql"]
        ratio = pg["ours"]["16"] / pg["ceiling"]["16"]
        print(f"ratio ours/ceiling at 16 clients on PostgreSQL: {ratio:.2f}")
        results["ratio_pg_16"] = round(ratio, 2)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
