"""Siting runs: the page queues a background task in the database backend, a worker (run here
as ``nuanxin task-worker --batch``) computes it, and the page polls its progress, then shows
and exports the proposal. Only the planner who asked sees a run."""

import gzip
import io
import json
import re
import uuid

import pytest
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from nuanxin.accounts.models import Role
from nuanxin.coverage.models import SitingRun
from nuanxin.coverage.services import MAX_RUNS_WAITING, siting_run_request
from tests.coverage.worker import run_task_worker
from tests.factories import staff

FORM = {
    "mode": "ride", "threshold_minutes": "10", "sources": "hotspots", "p": "2",
    "candidates": "hotspots", "solver": "exact", "time_limit_s": "30", "target_percent": "100",
}  # fmt: skip


# The worker runs beside the test (tests.coverage.worker), so the data must be committed.
queued_db = pytest.mark.django_db(transaction=True)


def _submit(client, data):
    return client.post("/coverage/siting/", data)


def _work():
    run_task_worker()


@queued_db
def test_siting__queued_polled_computed_by_the_worker_and_shown(client, planner):
    client.force_login(planner)
    response = _submit(client, FORM)
    assert response.status_code == 302
    run = SitingRun.objects.get()
    assert response["Location"] == f"/coverage/siting/runs/{run.pk}/"
    assert run.state == SitingRun.State.QUEUED and run.requested_by == planner
    # the request only queued the task: it waits in the database for a worker
    queued = DBTaskResult.objects.get(pk=SitingRun.objects.get().task_id)
    assert queued.status == "READY" and queued.task_path.endswith("siting_run_execute")

    page = client.get(response["Location"]).content.decode()
    assert 'id="run-progress"' in page and 'data-state="queued"' in page
    assert f'hx-get="/coverage/siting/runs/{run.pk}/progress/"' in page
    assert 'hx-trigger="every 1s"' in page and 'id="sites"' not in page
    poll = client.get(f"/coverage/siting/runs/{run.pk}/progress/")
    assert poll.status_code == 200 and "HX-Refresh" not in poll

    _work()

    run.refresh_from_db()
    assert run.state == SitingRun.State.DONE and run.progress == 100
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL"
    poll = client.get(f"/coverage/siting/runs/{run.pk}/progress/")
    assert poll["HX-Refresh"] == "true" and 'data-state="done"' in poll.content.decode()
    html = client.get(f"/coverage/siting/runs/{run.pk}/").content.decode()
    assert 'id="sites"' in html and 'id="minimum"' in html and "已证明为最优方案" in html
    assert "hx-trigger" not in html
    data = json.loads(
        html.split('id="coverage-data" type="application/json">')[1].split("</script>")[0]
    )
    proposed = [f for f in data["features"] if f["properties"]["kind"] == "proposed"]
    assert len(proposed) == 2 == len(run.result["plan"]["sites"])

    book = load_workbook(
        io.BytesIO(client.get(f"/coverage/siting/runs/{run.pk}/export.xlsx").content)
    )
    assert {"概况", "按街道", "选址方案"} <= set(book.sheetnames)
    geo = client.get(f"/coverage/siting/runs/{run.pk}/export.geojson")
    assert geo["Content-Type"] == "application/geo+json"
    kinds = {f["properties"]["kind"] for f in json.loads(geo.content)["features"]}
    assert kinds == {"station", "demand", "proposed"}
    assert json.loads(gzip.decompress(bytes(run.geojson_gz))) == json.loads(geo.content)


@queued_db
def test_siting__a_refusal_inside_the_task_is_shown_with_its_code(client, planner):
    client.force_login(planner)
    # within 120 minutes every hot spot is covered: no uncovered point, no candidate
    _submit(client, {**FORM, "threshold_minutes": "120", "candidates": "uncovered"})
    _work()
    run = SitingRun.objects.get()
    assert run.state == SitingRun.State.FAILED and run.error_code == "coverage.no_candidates"
    html = client.get(f"/coverage/siting/runs/{run.pk}/").content.decode()
    assert 'data-code="coverage.no_candidates"' in html
    export = client.get(f"/coverage/siting/runs/{run.pk}/export.xlsx")
    assert export.status_code == 409


def test_siting__a_bad_form_queues_nothing(client, planner, django_capture_on_commit_callbacks):
    client.force_login(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, {**FORM, "p": "0"})
    assert response.status_code == 400 and 'name="p"' in response.content.decode()
    assert not SitingRun.objects.exists() and not DBTaskResult.objects.exists()


def test_siting__another_planners_run_reads_as_missing(client, planner, city):
    run = siting_run_request(user=planner, query="p=2")
    other = staff(Role.COUNTY_ADMIN, city["A"], name="另一规划员")
    client.force_login(other)
    for suffix in ("", "progress/", "export.xlsx", "export.geojson"):
        theirs = client.get(f"/coverage/siting/runs/{run.pk}/{suffix}")
        missing = client.get(f"/coverage/siting/runs/{uuid.uuid4()}/{suffix}")
        assert theirs.status_code == missing.status_code == 404
        # the same words (the pages differ only in their per-request nonce)
        error = re.compile(r'data-code="([^"]*)"[^>]*>([^<]*)<')
        assert error.findall(theirs.content.decode()) == error.findall(missing.content.decode())
        assert error.findall(theirs.content.decode())[0][0] == "coverage.run_not_found"


def test_siting__a_planner_has_at_most_a_few_runs_waiting(planner):
    for _ in range(MAX_RUNS_WAITING):
        siting_run_request(user=planner, query="p=2")
    with pytest.raises(Exception) as caught:
        siting_run_request(user=planner, query="p=2")
    assert caught.value.code == "coverage.too_many_runs"
