"""Excel: template, imports with their error reports, exports."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile

from nuanxin.core.schema import IdParam
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.registry import services
from nuanxin.registry.access import import_in_reach
from nuanxin.registry.api.common import (
    EnterpriseQuery,
    WorkerQuery,
    api_user,
    router,
)
from nuanxin.registry.exporting import error_report, template_workbook
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import (
    ImportJob,
    ImportMode,
)
from nuanxin.registry.schemas import (
    ImportOut,
)
from nuanxin.registry.selectors import (
    campaign_in_reach,
    enterprise_list,
    worker_list,
)

# --- Excel -------------------------------------------------------------------------------


@router.get("/template.xlsx", summary="下载空白导入模板", response={200: None})
def template(request: HttpRequest) -> HttpResponse:
    api_user(request)
    return xlsx_file_response(
        template_workbook(), "%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )


def _job_out(job: ImportJob) -> ImportOut:
    return ImportOut.of(job, reverse("api:registry_import_errors", kwargs={"job_id": job.pk}))


@router.post("/imports", response={201: ImportOut}, summary="导入 Excel 台账")
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    mode: Form[str] = ImportMode.ALL_OR_NOTHING,
    campaign_id: Form[IdParam | None] = None,
) -> Status[ImportOut]:
    user = api_user(request)
    campaign = None
    if campaign_id is not None:
        campaign = campaign_in_reach(user, campaign_id)
    outcome = import_file(
        file=file, actor=user, mode=mode, file_name=file.name or "", campaign=campaign
    )
    return Status(201, _job_out(outcome.job))


def _job(user: Any, job_id: int) -> ImportJob:
    return import_in_reach(user, job_id)


@router.get("/imports/{job_id}", response=ImportOut, summary="导入结果")
def import_detail(request: HttpRequest, job_id: IdParam) -> ImportOut:
    return _job_out(_job(api_user(request), job_id))


@router.get(
    "/imports/{job_id}/errors.xlsx",
    url_name="registry_import_errors",
    summary="下载错误报告（行号、列、问题）",
    response={200: None},
)
def import_errors(request: HttpRequest, job_id: IdParam) -> HttpResponse:
    job = _job(api_user(request), job_id)
    return xlsx_file_response(error_report(job), f"import-{job.pk}-errors.xlsx")


@router.get("/export/enterprises.xlsx", summary="导出企业台账（按筛选条件）", response={200: None})
def export_enterprises(
    request: HttpRequest, query: Query[EnterpriseQuery], full: bool = False
) -> HttpResponse:
    user = api_user(request)
    qs = enterprise_list(user, query.filters(user))
    data = services.registry_export(
        actor=user, queryset=qs, full_numbers=full, filters=query.dict()
    )
    return xlsx_file_response(data, "enterprises.xlsx")


@router.get("/export/workers.xlsx", summary="导出从业人员台账（按筛选条件）", response={200: None})
def export_workers(
    request: HttpRequest, query: Query[WorkerQuery], full: bool = False
) -> HttpResponse:
    user = api_user(request)
    qs = worker_list(user, query.filters(user))
    data = services.registry_export(
        actor=user, queryset=qs, full_numbers=full, filters=query.dict()
    )
    return xlsx_file_response(data, "workers.xlsx")
