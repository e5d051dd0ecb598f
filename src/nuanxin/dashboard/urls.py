from django.urls import path

from nuanxin.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("export/<slug:table>.xlsx", views.export, name="export"),
    path("report/", views.monthly_report, name="monthly"),
    path("public/", views.public, name="public"),
]
