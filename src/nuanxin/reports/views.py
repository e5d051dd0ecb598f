from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nuanxin.reports.selectors import events_for_reporter, report_of_reporter


@login_required
def mine_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_of_reporter(request.user, report_id)
    events = events_for_reporter(report)
    return render(request, "reports/mine_detail.html", {"report": report, "events": events})
