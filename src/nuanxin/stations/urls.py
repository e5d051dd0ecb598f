from django.urls import path

from nuanxin.stations import views

app_name = "stations"
URL_PREFIX = "stations"

urlpatterns = [
    path("", views.station_map, name="map"),
    path("<int:station_id>/", views.station_detail, name="detail"),
    path("<int:station_id>/poster/", views.poster, name="poster"),
    path("<int:station_id>/qr.png", views.qr_image, {"fmt": "png"}, name="qr_png"),
    path("<int:station_id>/live-code/", views.live_code_page, name="live_code"),
    path("<int:station_id>/qr.svg", views.qr_image, {"fmt": "svg"}, name="qr_svg"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("visits/", views.my_visits, name="my_visits"),
    path("staff/stats/", views.stats, name="stats"),
    path("staff/import/", views.import_page, name="import"),
]
