from django.urls import path

from nuanxin.core import views

app_name = "core"
URL_PREFIX = "me"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
]
