from django.urls import path

from nuanxin.reports import views

app_name = "reports"

urlpatterns = [
    path("new/", views.new, name="new"),
    path("nearby/", views.nearby, name="nearby"),
    path("<int:report_id>/support/", views.support, name="support"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:report_id>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:report_id>/reopen/", views.reopen, name="reopen"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", views.queue_bulk, name="queue_bulk"),
    path("queue/map/", views.queue_map, name="queue_map"),
    path("queue/<int:report_id>/", views.staff_detail, name="staff_detail"),
    path("queue/<int:report_id>/<slug:action>/", views.staff_action, name="staff_action"),
    path("map/", views.public_map, name="public_map"),
    path("photo/<int:photo_id>/", views.photo, name="photo"),
]
