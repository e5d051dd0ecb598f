from django.urls import path

from nuanxin.party import views, views_industry, views_mass

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
    path("staff/mass/", views_mass.mass_list, name="mass_list"),
    path("staff/mass/new/", views_mass.mass_create, name="mass_create"),
    path("staff/mass/<int:pk>/", views_mass.mass_detail, name="mass_detail"),
    path("staff/mass/<int:pk>/members/", views_mass.mass_member_add, name="mass_member_add"),
    path("staff/mass/<int:pk>/sync/", views_mass.mass_sync, name="mass_sync"),
    path("staff/mass/<int:pk>/end/", views_mass.mass_end, name="mass_end"),
    path(
        "staff/mass-member/<int:pk>/leave/", views_mass.mass_member_leave, name="mass_member_leave"
    ),
    path("staff/instructors/", views_mass.instructors, name="instructors"),
    path("staff/instructors/new/", views_mass.instructor_assign, name="instructor_assign"),
    path("staff/instructors/<int:pk>/end/", views_mass.instructor_end, name="instructor_end"),
    path("staff/o/new/", views_mass.organisation_create, name="organisation_create"),
    path("staff/o/<int:pk>/officers/", views_mass.officer_appoint, name="officer_appoint"),
    path("staff/o/<int:pk>/end/", views_mass.organisation_end, name="organisation_end"),
    path("staff/officer/<int:pk>/end/", views_mass.officer_end, name="officer_end"),
    path("staff/o/<int:pk>/", views.organisation, name="organisation"),
    path("staff/o/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("staff/m/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("staff/m/<int:pk>/leave/", views.leave, name="leave"),
    path("staff/meeting/<int:pk>/", views.staff_meeting, name="staff_meeting"),
    path("staff/meeting/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("staff/meeting/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("staff/m/<int:pk>/kind/", views.membership_kind, name="membership_kind"),
    path("staff/m/<int:pk>/mobile/", views.membership_mobile, name="membership_mobile"),
    path("staff/o/<int:pk>/covered/", views_mass.organisation_covered, name="organisation_covered"),
    path("staff/grid/new/", views_mass.grid_member_enrol, name="grid_member_enrol"),
    path(
        "staff/grid-member/<int:pk>/leave/", views_mass.grid_member_leave, name="grid_member_leave"
    ),
    path("staff/party-work/", views_mass.party_work, name="party_work"),
    path("staff/party-work/grant/", views_mass.party_work_grant, name="party_work_grant"),
]
