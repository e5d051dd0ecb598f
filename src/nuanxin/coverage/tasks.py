"""Background tasks of the coverage app (Django's Tasks API, the database backend by default:
any host running ``nuanxin task-worker`` may take them).

``siting_run_execute`` computes one siting run: the request thread only queued it, and the
page polls the run's progress until it is done.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from nuanxin.core.errors import ApplicationError
from nuanxin.coverage.models import SitingRun
from nuanxin.coverage.runs import STAGES, siting_outputs
from nuanxin.coverage.services import siting_run_fail, siting_run_finish, siting_run_progress

logger = logging.getLogger(__name__)


@task()
def siting_run_execute(run_id: str) -> str:
    run = SitingRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None or run.finished:
        return "gone" if run is None else run.state  # a repeated delivery changes nothing

    def progress(stage: str) -> None:
        siting_run_progress(run=run, stage=stage, progress=STAGES[stage])

    progress("coverage")
    try:
        result, xlsx, geojson_gz = siting_outputs(
            run.query, user=run.requested_by, progress=progress
        )
    except ApplicationError as error:
        siting_run_fail(run=run, code=error.code, message=str(error.message))
        return run.state
    except Exception:
        logger.exception("siting run %s failed", run_id)
        siting_run_fail(
            run=run, code="coverage.run_failed", message=_("选址计算出错，请稍后重试。")
        )
        raise
    siting_run_finish(run=run, result=result, xlsx=xlsx, geojson_gz=geojson_gz)
    return run.state
