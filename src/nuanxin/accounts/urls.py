from django.urls import path

from nuanxin.accounts import personal_views, views, views_second_factor

app_name = "accounts"
URL_PREFIX = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("privacy/", views.privacy, name="privacy"),
    path("profile/", views.profile, name="profile"),
    path("profile/location-consent/", views.location_consent, name="location_consent"),
    path("profile/my-data.json", personal_views.my_data_json, name="my_data_json"),
    path("profile/my-data.xlsx", personal_views.my_data_xlsx, name="my_data_xlsx"),
    path("profile/erase/", personal_views.erase, name="erase"),
    path("second-factor/", views_second_factor.verify, name="second_factor"),
    path("second-factor/setup/", views_second_factor.enrol, name="second_factor_enrol"),
    path("second-factor/backup-codes/", views_second_factor.backup_codes, name="backup_codes"),
]
