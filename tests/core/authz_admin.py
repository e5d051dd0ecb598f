"""The admin's side of the authorisation matrix: the URLs of a registered model's views and the
world's object of that model (``refusal_world``'s, in county B), where the world has one."""

from typing import Any

from django.contrib import admin

from tests.core.authz_world import AuthzWorld

# Model label -> (the world's kind, the field its id is in). People are the world's callers.
OBJECTS: dict[str, tuple[str, str]] = {
    "geo.Region": ("region", "code"),
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
