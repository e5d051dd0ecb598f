from django.urls import path

from nuanxin.coverage import views

app_name = "coverage"
URL_PREFIX = "coverage"

urlpatterns = [
    path("", views.coverage_map, name="map"),
    path("siting/", views.siting, name="siting"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.geojson", views.export, {"fmt": "geojson"}, name="export_geojson"),
]
