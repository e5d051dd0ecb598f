"""Excel import pages: upload, the result with every problem, the error report, templates."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.core.xlsx import xlsx_file_response
from nuanxin.registry.access import import_in_reach
from nuanxin.registry.exporting import error_report, template_workbook
from nuanxin.registry.forms import ImportForm
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import ImportJob
from nuanxin.registry.selectors import campaigns_for
from nuanxin.registry.views.common import registry_user

SHOWN_ISSUES = 100


@registry_user
def import_page(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_for(request.user)
    initial = {"campaign": request.GET.get("campaign")}
    form = ImportForm(request.POST or None, request.FILES or None, campaigns=campaigns,
                      initial=initial)  # fmt: skip
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = import_file(
                file=upload,
                actor=request.user,
                mode=form.cleaned_data["mode"],
                file_name=upload.name,
                campaign=form.cleaned_data["campaign"],
            )
        except ApplicationError as exc:
            error = exc
        else:
            return redirect("registry:import_job", outcome.job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    context = {"form": form, "error": error, "jobs": jobs}
    return render(request, "registry/import.html", context, status=400 if error else 200)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return import_in_reach(request.user, pk)


@registry_user
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {
        "job": job,
        "errors": job.errors[:SHOWN_ISSUES],
        "warnings": job.warnings[:SHOWN_ISSUES],
        "more_errors": max(0, len(job.errors) - SHOWN_ISSUES),
        "labels": {"enterprise": _("企业"), "worker": _("从业人员")},
    }
    return render(request, "registry/import_job.html", context)


@registry_user
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    return xlsx_file_response(error_report(_job(request, pk)), f"import-{pk}-errors.xlsx")


@registry_user
def template(request: HttpRequest) -> HttpResponse:
    return xlsx_file_response(template_workbook(), "registry-template.xlsx")
