from django.urls import path

from nuanxin.volunteering.views import staff, worker

app_name = "volunteering"
URL_PREFIX = "volunteer"

urlpatterns = [
    path("", worker.project_list, name="list"),
    path("p/<int:pk>/", worker.project_detail, name="project"),
    path("s/<int:session_pk>/claim/", worker.claim, name="claim"),
    path("c/<int:pk>/withdraw/", worker.withdraw, name="withdraw"),
    path("mine/", worker.mine, name="mine"),
    path("scan/<str:token>/", worker.scan, name="scan"),
    path("a/<int:pk>/quantity/", worker.report_quantity, name="quantity"),
    path("c/<int:pk>/errands/", worker.report_errands, name="errands"),
    path("c/<int:pk>/livestream/", worker.report_livestream, name="livestream"),
    path("staff/", staff.home, name="staff"),
    path("staff/new/", staff.new, name="staff_new"),
    path("staff/p/<int:pk>/", staff.project, name="staff_project"),
    path("staff/p/<int:pk>/<str:action>/", staff.project_action, name="staff_project_action"),
    path("staff/s/<int:pk>/", staff.sheet, name="staff_sheet"),
    path("staff/s/<int:pk>/poster/", staff.poster, name="staff_poster"),
    path("staff/s/<int:pk>/code/", staff.by_code, name="staff_code"),
    path("staff/s/<int:pk>/record/", staff.record, name="staff_record"),
    path("staff/s/<int:pk>/promote/", staff.promote, name="staff_promote"),
    path("staff/c/<int:pk>/mark/", staff.mark, name="staff_mark"),
    path("staff/c/<int:pk>/verify/", staff.verify, name="staff_verify"),
    path("staff/c/<int:pk>/cancel/", staff.cancel_claim, name="staff_cancel_claim"),
    path("staff/a/<int:pk>/correct/", staff.correct, name="staff_correct"),
    path("staff/award/<int:pk>/retry/", staff.retry_award, name="staff_retry_award"),
    path("staff/stats/", staff.stats_page, name="staff_stats"),
    path("staff/stats/export.xlsx", staff.export, name="staff_export"),
]
