from django.urls import path

from nuanxin.registry.views import campaigns, imports, ledger, overview, registrations

app_name = "registry"

urlpatterns = [
    path("", overview.home, name="home"),
    path("region-picker/", overview.region_picker, name="region_picker"),
    path("enterprises/", ledger.enterprises, name="enterprises"),
    path("enterprises/new/", ledger.enterprise_new, name="enterprise_new"),
    path("enterprises/<int:pk>/", ledger.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", ledger.enterprise_edit, name="enterprise_edit"),
    path("enterprises.xlsx", ledger.export_enterprises, name="export_enterprises"),
    path("workers/", ledger.workers, name="workers"),
    path("workers/new/", ledger.worker_new, name="worker_new"),
    path("workers/<int:pk>/", ledger.worker_detail, name="worker"),
    path("workers/<int:pk>/edit/", ledger.worker_edit, name="worker_edit"),
    path("workers.xlsx", ledger.export_workers, name="export_workers"),
    path("registrations/", registrations.registrations, name="registrations"),
    path("registrations/new/", registrations.registration_new, name="registration_new"),
    path(
        "registrations/<int:pk>/accept/",
        registrations.registration_accept,
        name="registration_accept",
    ),
    path(
        "registrations/<int:pk>/reject/",
        registrations.registration_reject,
        name="registration_reject",
    ),
    path(
        "registrations/<int:pk>/withdraw/",
        registrations.registration_withdraw,
        name="registration_withdraw",
    ),
    path("join/<str:code>/", registrations.join, name="join"),
    path("join/<str:code>/qr.svg", registrations.join_qr, name="join_qr"),
    path("join/<str:code>/poster/", registrations.join_poster, name="join_poster"),
    path("me/", registrations.me, name="me"),
    path("import/", imports.import_page, name="import"),
    path("import/<int:pk>/", imports.import_job, name="import_job"),
    path("import/<int:pk>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("template.xlsx", imports.template, name="template"),
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/find/", campaigns.campaign_find, name="campaign_find"),
]
