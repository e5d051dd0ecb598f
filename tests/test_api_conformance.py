"""Every operation of the API, served by ``nuanxin serve`` over real HTTP on loopback, answers
what its published OpenAPI document says: schemathesis sends generated requests (valid ones and
ones that break the schema) as nobody and as a user of every role, and checks each answer — no
server error, a declared status and content type, and a body that matches its schema (error
answers included). Bounded: a few examples per operation, generated once and sent as each
identity, the whole run near two minutes."""

import collections
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nuanxin.accounts.models import Role

ROOT = Path(__file__).resolve().parents[1]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2}
# Nobody, and one user of every role: each sees its own answers (its own objects, its refusals).
IDENTITIES = ["anonymous", *Role.values]
# Seconds of full cases for the whole run, shared equally by the identities: past its share an
# identity's run sends one valid case per operation (every operation is still asked), so the
# run stays near two minutes on a loaded machine however many roles there are.
BUDGET_SECONDS = 80
HURRIED = {GenerationMode.POSITIVE: 1}

SEED = """
import json
from nuanxin.accounts.models import Role
from nuanxin.accounts.second_factor import second_factor_required
from nuanxin.accounts.services import token_issue, user_create
from nuanxin.registry.services import enterprise_set_liaisons
from nuanxin.volunteering.services import claim_create
from tests.factories import build_tree
from tests.registry.factories import make_enterprise
from tests.reports.factories import category, submitted
from tests.store.factories import stocked
from tests.volunteering.factories import make_project, only_session

tree = build_tree()
def person(n, name, role, region):
    return user_create(phone=f"137000000{n:02d}", name=name, role=role, region=region)
worker = person(1, "骑手", Role.WORKER, tree["A1a"])
users = {
    Role.WORKER: worker,
    Role.COMMUNITY_STAFF: person(2, "社区", Role.COMMUNITY_STAFF, tree["A1a"]),
    Role.CITY_ADMIN: person(3, "市级", Role.CITY_ADMIN, tree.city),
    Role.STREET_ADMIN: person(4, "街道", Role.STREET_ADMIN, tree["A1"]),
    Role.COUNTY_ADMIN: person(5, "县区", Role.COUNTY_ADMIN, tree["A"]),
    Role.STATION_KEEPER: person(6, "站长", Role.STATION_KEEPER, tree["A1a"]),
    Role.ENTERPRISE_LIAISON: person(7, "联络员", Role.ENTERPRISE_LIAISON, tree["A1a"]),
}
# The keeper keeps the seeded station, the liaison speaks for the seeded enterprise: their
# operations answer about something of their own.
station, item = stocked(tree, keeper=users[Role.STATION_KEEPER])
project = make_project(tree)
session = only_session(project)
claim = claim_create(session=session, worker=worker)
report = submitted(tree, reporter=worker, cat=category(code="fire_lane"))
enterprise = make_enterprise(tree["A1a"])
liaison = users[Role.ENTERPRISE_LIAISON]
enterprise_set_liaisons(enterprise=enterprise, liaisons=[liaison], actor=None)
def token(user):
    return token_issue(user=user, second_factor=second_factor_required(user))[0]
print(json.dumps({
    "tokens": {str(role): token(user) for role, user in users.items()},
    # Logging out revokes the token it is sent with: it gets one of its own.
    "spare": {str(role): token(user) for role, user in users.items()},
    "ids": {
        "station_id": station.pk, "item_id": item.pk, "project_id": project.pk,
        "session_id": session.pk, "claim_id": claim.pk, "report_id": report.pk,
        "enterprise_id": enterprise.pk, "code": tree["A1a"].code,
    },
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nuanxin(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", *args],
        env=env, cwd=ROOT, check=True, timeout=300, capture_output=True, text=True,
    ).stdout  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh database with a small city, a worker and two staff members, served by the
    production server; yields the base URL and a bearer token per identity."""
    data = tmp_path_factory.mktemp("conformance")
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "NUANXIN_JOBS": "off",
        "PYTHONPATH": str(ROOT),
        # Generated requests log in and ask for SMS codes at machine speed.
        "LOGIN_LOCKOUT": "false",
    }
    env.pop("DATABASE_URL", None)
    _nuanxin(env, "migrate", "--verbosity", "0")
    seeded = json.loads(_nuanxin(env, "shell", "-c", SEED).strip().splitlines()[-1])
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    try:
        yield base, seeded, seeded["ids"]
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def operations(served):
    schema = schemathesis.openapi.from_url(served[0] + "/api/v1/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


# The generated cases of an operation, by (operation, mode, seeded path): drawn once, sent as
# every identity. Generation is derandomized, so each identity would draw the same cases anyway;
# drawing them once keeps the cost of more identities to their requests.
_CASES: dict[tuple, list] = {}


def _cases(operation, mode, path: dict | None) -> list:
    key = (operation.label, mode, tuple(sorted((path or {}).items())))
    if key not in _CASES:
        drawn: list = []

        @hypothesis.settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            derandomize=True,
            database=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
        def draw(case):
            drawn.append(case)

        # Unsatisfiable: nothing in the operation to break (no parameters, no body).
        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            draw()
        _CASES[key] = drawn
    return _CASES[key]


def _first_failure(
    operation,
    mode,
    examples: int,
    base: str,
    headers: dict,
    statuses: collections.Counter,
    path: dict | None = None,
) -> list[str]:
    """Send up to ``examples`` generated cases; the first failing check, described."""
    for case in _cases(operation, mode, path)[:examples]:
        response = case.call(base_url=base, headers=headers, timeout=30)
        statuses[f"{operation.label} {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        # A failed check (several at once come as a FailureGroup, a BaseExceptionGroup): keep
        # it and go on with the next operation, so one run reports every one.
        except (Exception, FailureGroup) as exc:
            return [
                f"{operation.label} [{mode.value}] {response.status_code}: "
                f"{str(exc).strip()[:1500]}\n  {case.as_curl_command(headers=headers)[:600]}"
            ]
    return []


def _exercise(operation, base: str, headers: dict, ids: dict, late: bool, statuses) -> list[str]:
    failures: list[str] = []
    for mode, examples in (HURRIED if late else EXAMPLES).items():
        failures += _first_failure(operation, mode, examples, base, headers, statuses)
    # Random ids name nothing; the seeded objects give real answers to check (a station's
    # hours, a project's times, a report as its reporter or its staff sees it).
    names = re.findall(r"\{(\w+)\}", operation.path)
    if names and all(name in ids for name in names):
        known = {name: ids[name] for name in names}
        failures += _first_failure(
            operation, GenerationMode.POSITIVE, 1 if late else 2, base, headers, statuses, known
        )
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_operation_answers_as_its_document_says(served, operations, identity):
    base, seeded, ids = served
    tokens = seeded["tokens"]
    assert identity == "anonymous" or identity in tokens, "the seed has a user of every role"
    headers = {"Authorization": f"Bearer {tokens[identity]}"} if identity in tokens else {}
    spare = {"Authorization": f"Bearer {seeded['spare'][identity]}"} if headers else {}
    # Each identity starts at its own place in the document, so the operations asked in full
    # before its share of the budget runs out differ by identity and together span the whole.
    start = IDENTITIES.index(identity) * len(operations) // len(IDENTITIES)
    share = BUDGET_SECONDS / len(IDENTITIES)
    started = time.monotonic()
    failures, asked, statuses = [], set(), collections.Counter()
    for operation in operations[start:] + operations[:start]:
        late = time.monotonic() - started > share
        sent = spare if operation.label == "POST /api/v1/auth/logout" else headers
        failures += _exercise(operation, base, sent, ids, late, statuses)
        asked.add(operation.label)
    answered = {key.rsplit(" ", 1)[0] for key in statuses}
    assert len(asked) > 100, "the document lists the API's operations"
    assert answered == asked, f"operations never asked: {sorted(asked - answered)}"
    if identity == "anonymous":
        assert statuses["GET /api/v1/stations/{station_id} 200"], "a seeded station is served"
    else:
        assert statuses["GET /api/v1/auth/me 200"], "the token logs in"
        assert statuses["POST /api/v1/auth/logout 200"], "logging out is tried with a live token"
        assert statuses["GET /api/v1/points/balance 200"], "and stays valid after it"
    assert not failures, f"{len(failures)} operations answer off their document:\n" + "\n\n".join(
        failures
    )
