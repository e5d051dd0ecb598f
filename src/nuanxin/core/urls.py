from django.urls import path

from nuanxin.core import views

app_name = "core"
URL_PREFIX = "me"

urlpatterns = [path("notifications/", views.notifications, name="notifications")]
