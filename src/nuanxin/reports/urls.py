from django.urls import path

from nuanxin.reports import views

app_name = "reports"

urlpatterns = [
    path("mine/<int:report_id>/", views.mine_detail, name="mine_detail"),
]
