"""The admin's side of the authorisation matrix: the URLs of a registered model's views, the
world's object of that model (``refusal_world``'s, in county B), where the world has one, and
what a write sends (the change form as the page shows it, an action on one row) and must leave
alone when it is refused."""

import io
from html.parser import HTMLParser
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.sites import AdminSite
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from openpyxl import Workbook

from nuanxin.core.models import AuditLog
from nuanxin.geo.models import Region
from nuanxin.points.models import Adjustment, Entry
from nuanxin.registry.models import Enterprise, Worker
from tests.core.authz_world import AuthzWorld

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Model label -> (the world's kind, the field its id is in). People are the world's callers.
OBJECTS: dict[str, tuple[str, str]] = {
    "geo.Region": ("region", "code"),
    "accounts.ApiToken": ("api_token", "pk"),
    "accounts.LocationConsent": ("location_consent", "pk"),
    "auth.Group": ("group", "pk"),
    "open311.ClientApplication": ("open311_client", "pk"),
    "party.Badge": ("party_badge", "pk"),
    "party.OrgStatusChange": ("party_status_change", "pk"),
    "registry.SurveyFinding": ("finding", "pk"),
    "reports.CategoryRoute": ("category_route", "pk"),
    "reports.ResponseTemplate": ("response_template", "pk"),
    "stations.Amenity": ("amenity", "pk"),
    "stations.HoursException": ("hours_exception", "pk"),
    "core.AuditLog": ("audit", "pk"),
    "party.CommitteeSeat": ("party_seat", "pk"),
    "points.Account": ("points_account", "pk"),
    "points.EarningPolicy": ("points_policy", "pk"),
    "points.Entry": ("points_entry", "pk"),
    "points.Hold": ("points_hold", "pk"),
    "reports.Category": ("category", "pk"),
    "reports.Department": ("department", "pk"),
    "store.Movement": ("movement", "pk"),
    "store.Stock": ("stock", "pk"),
    "volunteering.Attendance": ("attendance", "pk"),
    "volunteering.Award": ("award", "pk"),
    "volunteering.Claim": ("claim", "pk"),
    "volunteering.Project": ("project", "pk"),
    "volunteering.Session": ("session", "pk"),
    "points.Adjustment": ("adjustment", "public_id"),
    "registry.Enterprise": ("enterprise", "pk"),
    "registry.Worker": ("worker", "pk"),
    "registry.Registration": ("registration", "pk"),
    "registry.SurveyCampaign": ("campaign", "pk"),
    "registry.ImportJob": ("import", "pk"),
    "stations.Station": ("station", "pk"),
    "stations.StationPhoto": ("station_photo", "pk"),
    "reports.Report": ("report", "pk"),
    "store.Item": ("item", "pk"),
    "store.Shop": ("station", "station"),
    "store.Order": ("order", "public_id"),
    "party.Organisation": ("party_org", "pk"),
    "party.Membership": ("party_membership", "pk"),
    "party.Meeting": ("party_meeting", "pk"),
    "party.Officer": ("party_officer", "pk"),
    "party.GridMember": ("party_grid_member", "pk"),
    "party.MassOrganisation": ("party_mass", "pk"),
    "party.MassMembership": ("party_mass_member", "pk"),
    "party.InstructorAssignment": ("party_instructor", "pk"),
    "party.CommitteeDepartment": ("party_department", "pk"),
    "party.CommitteeMeeting": ("party_committee_meeting", "pk"),
    "party.ActionItem": ("party_action_item", "pk"),
    "accounts.User": ("person:worker_2", ""),
    "accounts.LoginEvent": ("login_event", "pk"),
    "accounts.LoginAttempt": ("login_attempt", "pk"),
    "accounts.LoginFailureRecord": ("login_failure", "pk"),
    "accounts.LoginRecord": ("login_record", "pk"),
    "coverage.HotSpot": ("hot_spot", "pk"),
    "coverage.RoadNetworkImport": ("road_import", "pk"),
    "party.Attendance": ("party_attendance", "pk"),
    "party.IndustryFigure": ("party_industry_figure", "pk"),
}
MISSING_PK = 10**9


def registered() -> list[str]:
    return sorted(model._meta.label for model in admin.site._registry)


def model_of(label: str) -> Any:
    return next(m for m in admin.site._registry if m._meta.label == label)


def object_pk(world: AuthzWorld, label: str) -> str | None:
    """The primary key of the world's object of the model, None when the world has none."""
    if label not in OBJECTS:
        return None
    kind, field = OBJECTS[label]
    w = world.world
    if kind.startswith("person:"):
        return str(w.people[kind.split(":", 1)[1]].pk)
    return str(model_of(label).objects.get(**{field: w.ids[kind]}).pk)


def url(label: str, view: str, pk: str | None = None) -> str:
    app, name = label.lower().split(".")
    base = f"/admin/{app}/{name}/"
    return {
        "changelist": base,
        "add": base + "add/",
        "change": f"{base}{pk}/change/",
        "delete": f"{base}{pk}/delete/",
        "history": f"{base}{pk}/history/",
    }[view]


# --- Writes ----------------------------------------------------------------------------------


def actions_of(label: str) -> list[str]:
    """Every action the model's admin declares, the site's own (delete_selected) included,
    whoever asks: which of them a caller is offered is the admin's to decide per request."""
    model_admin = admin.site._registry[model_of(label)]
    return sorted(name for _func, name, _description in model_admin._get_base_actions())


def fingerprint(label: str, pk: str | None) -> tuple[Any, ...]:
    """What a refused write must leave as it was: the model's rows, its object's fields, and
    the audit log and the admin's log (every write through a service or the admin adds one)."""
    model = model_of(label)
    rows = model._base_manager
    own = list(rows.filter(pk=pk).values()) if pk is not None else []
    return rows.count(), own, AuditLog.objects.count(), LogEntry.objects.count()


class _FormFields(HTMLParser):
    """The fields a browser would send from the admin's change form (``<model>_form``)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "option":
            if self._select and "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
            return
        name, kind = a.get("name", "__prefix__"), a.get("type", "text")
        if "__prefix__" in name:  # the empty row an inline copies from
            return
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self.fields.append((name, a.get("value", "on")))
        elif tag == "input" and (kind not in ("file", "submit", "button") or name == "_save"):
            self.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)


def form_data(label: str, html: str) -> dict[str, list[str]]:
    """The change form's fields as the page shows them, the way ``Client.post`` takes them;
    the token against forged requests is left out (the test client does not check it)."""
    parser = _FormFields(f"{model_of(label)._meta.model_name}_form")
    parser.feed(html)
    data: dict[str, list[str]] = {"_save": ["保存"]}
    for name, value in parser.fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data


def action_data(action: str, pk: str) -> dict[str, Any]:
    """The changelist's action form with one row ticked, confirmed (``post``) at once."""
    return {"action": action, "index": "0", "select_across": "0", "_selected_action": [pk],
            "post": "yes"}  # fmt: skip


# --- The admin's own URLs --------------------------------------------------------------------


def custom_urls() -> dict[str, tuple[str, str]]:
    """Every URL the site adds to Django's own: URL name -> (the model label of the admin that
    adds it, "" for the site's, and its route). A model admin's standard URLs are what
    ``ModelAdmin.get_urls`` makes for it, the site's what ``AdminSite.get_urls`` makes."""
    found: dict[str, tuple[str, str]] = {}

    def add(label: str, patterns: list[Any], standard: list[Any]) -> None:
        known = {(getattr(p, "name", None), str(p.pattern)) for p in standard}
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLPattern) and (pattern.name, route) not in known:
                found[pattern.name or route] = (label, route)

    add("", admin.site.get_urls(), AdminSite.get_urls(admin.site))
    for model, model_admin in admin.site._registry.items():
        add(model._meta.label, model_admin.get_urls(), admin.ModelAdmin.get_urls(model_admin))
    return found


def custom_url(label: str, route: str, pk: str | None) -> str:
    """The address of an admin's own URL, with ``pk`` in its ``<int:pk>``."""
    base = "/admin/" if not label else "/admin/{}/{}/".format(*label.lower().split("."))
    return base + (route.replace("<int:pk>", pk) if pk is not None else route)


def ledger_fingerprint() -> tuple[Any, ...]:
    """What a refused write through an admin's own URL must leave as it was: the ledger's
    entries, the adjustments (every field), the registry's workers and enterprises, the audit
    log and the admin's log."""
    return (
        Entry.objects.count(),
        list(Adjustment.objects.order_by("pk").values()),
        Worker.objects.count(),
        Enterprise.objects.count(),
        AuditLog.objects.count(),
        LogEntry.objects.count(),
    )


def ledger_sheet(world: AuthzWorld) -> bytes:
    """A small valid workbook: one enterprise and one of its riders in the world's community
    (county B's B1a), named as offices name regions."""
    community = Region.objects.get(code=world.world.ids["region"])
    street, county = community.parent, community.parent.parent
    workbook = Workbook()
    enterprises = workbook.active
    enterprises.title = "企业台账"
    enterprises.append(["企业（单位）名称", "企业类型", "行业", "所属区县", "街道", "社区"])
    enterprises.append(["授权测试配送站", "站点", "外卖", county.name, street.name, community.name])
    workers = workbook.create_sheet("从业人员台账")
    workers.append(["姓名", "手机号码", "岗位", "所属企业", "所属街道", "所属社区"])
    workers.append(["林骑手", "13900007777", "骑手", "授权测试配送站", street.name, community.name])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_body(world: AuthzWorld) -> dict[str, Any]:
    """The upload form with the small sheet, imported row by row (a fresh file each time: the
    client reads it to the end)."""
    sheet = SimpleUploadedFile("台账.xlsx", ledger_sheet(world), content_type=XLSX)
    return {"file": sheet, "mode": "rows"}
