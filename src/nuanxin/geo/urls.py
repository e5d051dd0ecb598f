from django.urls import path

from nuanxin.geo import views

app_name = "geo"
URL_PREFIX = "map"

urlpatterns = [path("", views.region_map, name="map")]
