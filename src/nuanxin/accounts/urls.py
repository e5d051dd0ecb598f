from django.urls import path

from nuanxin.accounts import views

app_name = "accounts"
URL_PREFIX = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("privacy/", views.privacy, name="privacy"),
    path("profile/", views.profile, name="profile"),
]
