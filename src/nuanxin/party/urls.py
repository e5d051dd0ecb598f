from django.urls import path

from nuanxin.party import views, views_industry

app_name = "party"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("badge/", views.badge, name="badge"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/sign-in/", views.sign_in, name="sign_in"),
    path("meetings/<int:pk>/absence/", views.absence, name="absence"),
    path("meetings/<int:pk>/scan/<str:token>/", views.scan, name="scan"),
    path("staff/", views.tree, name="staff"),
    path("staff/coverage/", views.coverage_page, name="coverage"),
    path("staff/committee/", views.committee, name="committee"),
    path("staff/grid/", views.grid_page, name="grid"),
    path("staff/industry/", views_industry.industry, name="industry"),
    path("staff/industry/record/", views_industry.record, name="industry_record"),
    path("staff/industry/import/", views_industry.import_sheet, name="industry_import"),
    path("staff/industry/template.xlsx", views_industry.template, name="industry_template"),
    path("staff/o/<int:pk>/", views.organisation, name="organisation"),
    path("staff/o/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("staff/m/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("staff/m/<int:pk>/leave/", views.leave, name="leave"),
    path("staff/meeting/<int:pk>/", views.staff_meeting, name="staff_meeting"),
    path("staff/meeting/<int:pk>/minutes/", views.minutes, name="minutes"),
]
