from django.urls import path

from nuanxin.points import views

app_name = "points"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("history/", views.history, name="history"),
    path("rules/", views.rules, name="rules"),
]
