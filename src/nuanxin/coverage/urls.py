from django.urls import path

from nuanxin.coverage import views

app_name = "coverage"
URL_PREFIX = "coverage"

urlpatterns = [
    path("", views.coverage_map, name="map"),
    path("siting/", views.siting, name="siting"),
    path("siting/runs/<uuid:run_id>/", views.siting_run, name="siting_run"),
    path(
        "siting/runs/<uuid:run_id>/progress/",
        views.siting_run_progress,
        name="siting_run_progress",
    ),
    path(
        "siting/runs/<uuid:run_id>/export.xlsx",
        views.siting_run_export,
        {"fmt": "xlsx"},
        name="siting_run_export_xlsx",
    ),
    path(
        "siting/runs/<uuid:run_id>/export.geojson",
        views.siting_run_export,
        {"fmt": "geojson"},
        name="siting_run_export_geojson",
    ),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.geojson", views.export, {"fmt": "geojson"}, name="export_geojson"),
]
