from django.urls import path

from nuanxin.party import views

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
    path("staff/o/<int:pk>/", views.organisation, name="organisation"),
    path("staff/o/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("staff/m/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("staff/m/<int:pk>/leave/", views.leave, name="leave"),
    path("staff/meeting/<int:pk>/", views.staff_meeting, name="staff_meeting"),
    path("staff/meeting/<int:pk>/minutes/", views.minutes, name="minutes"),
]
