"""Refusals reveal nothing, on the pages too: every page whose URL names an object answers for
an object outside the caller's reach exactly as for one that does not exist: the same status,
redirect, error code and message, and the same flash messages.

The pages come from the URL patterns, so a new one fails ``PAGES`` until it says what it names.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.core.refusal_world import World, build_world

pytestmark = pytest.mark.django_db

CALLERS = ("county_a", "keeper_a", "liaison_a", "worker_1")
ERROR = re.compile(r'data-code="([^"]*)"[^>]*>([^<]*)<')


@dataclass(frozen=True)
class Page:
    """What the page's URL parameters name (kinds of ``refusal_world`` objects, or a fixed
    value), which methods to try, and a form body. ``public``: anyone may see the object."""

    names: dict[str, str]
    methods: tuple[str, ...] = ("get", "post")
    body: dict[str, Any] = field(default_factory=dict)
    public: bool = False


# slugs that name an action or a fixed table, not an object
FIXED = {"accept", "reveal", "publish", "restock", "regions", "192"}

PAGES: dict[str, Page] = {
    # The installable app's icons, drawn for anyone; the size is a fixed value.
    "None:pwa_icon": Page({"size": "192"}, ("get",), public=True),
    "None:pwa_icon_maskable": Page({"size": "192"}, ("get",), public=True),
    # Someone else's message opens like one that does not exist.
    "core:notification_open": Page({"notification_id": "notification"}),
    "registry:enterprise": Page({"pk": "enterprise"}),
    "registry:enterprise_edit": Page({"pk": "enterprise"}),
    "registry:worker": Page({"pk": "worker"}, body={"reveal": "1", "purpose": "核实身份"}),
    "registry:worker_edit": Page({"pk": "worker"}),
    "registry:registration_accept": Page({"pk": "registration"}, ("post",)),
    "registry:registration_reject": Page({"pk": "registration"}, ("post",), {"reason": "不符"}),
    "registry:registration_withdraw": Page({"pk": "registration"}, ("post",)),
    # A community's QR page is for anyone who scans the poster.
    "registry:join": Page({"code": "region"}, ("get",), public=True),
    "registry:join_qr": Page({"code": "region"}, ("get",)),
    "registry:join_poster": Page({"code": "region"}, ("get",)),
    "registry:import_job": Page({"pk": "import"}, ("get",)),
    "registry:import_errors": Page({"pk": "import"}, ("get",)),
    "registry:campaign": Page({"pk": "campaign"}, ("get",)),
    "registry:campaign_close": Page({"pk": "campaign"}, ("post",)),
    "registry:campaign_find": Page({"pk": "campaign"}),
    "stations:detail": Page({"station_id": "station"}, ("get",), public=True),
    "stations:poster": Page({"station_id": "station"}, ("get",)),
    "stations:qr_png": Page({"station_id": "station"}, ("get",)),
    "stations:qr_svg": Page({"station_id": "station"}, ("get",)),
    "stations:live_code": Page({"station_id": "station"}, ("get",)),
    # A signed token, not an id: nothing to guess.
    "stations:checkin": Page({"token": "token"}, ("get",), public=True),
    "reports:support": Page({"report_id": "rejected_report"}, ("post",)),
    "reports:mine_detail": Page({"report_id": "report"}, ("get",)),
    "reports:reopen": Page({"report_id": "report"}, ("post",), {"reason": "没修好"}),
    "reports:staff_detail": Page({"report_id": "report"}, ("get",)),
    "reports:staff_action": Page(
        {"report_id": "report", "action": "reveal"}, ("post",), {"purpose": "回访"}
    ),
    "reports:photo": Page({"photo_id": "report_photo"}, ("get",)),
    # Any shop's goods are open to every worker.
    "store:item": Page({"station_id": "station", "item_id": "item"}, ("get",), public=True),
    "store:order": Page({"public_id": "order"}, ("get",)),
    "store:order_cancel": Page({"public_id": "order"}, ("post",)),
    "store:stock_change": Page(
        {"action": "restock"}, ("post",), {"station": "@station", "item": "@item", "quantity": "1"}
    ),
    "volunteering:project": Page({"pk": "draft_project"}, ("get",)),
    "volunteering:claim": Page({"session_pk": "draft_session"}, ("post",)),
    "volunteering:withdraw": Page({"pk": "claim"}, ("post",)),
    "volunteering:scan": Page({"token": "token"}, ("get",), public=True),
    "volunteering:quantity": Page({"pk": "attendance"}, ("post",), {"quantity": "5"}),
    # Another worker's claim takes no evidence, like a claim that does not exist.
    "volunteering:errands": Page({"pk": "claim"}, ("post",), {"errands": "2", "elderly": "1"}),
    "volunteering:livestream": Page(
        {"pk": "claim"},
        ("post",),
        {
            "product": "徐闻菠萝",
            "platform": "douyin",
            "minutes": "60",
            "viewers": "100",
            "items_sold": "5",
        },
    ),
    "volunteering:staff_project": Page({"pk": "project"}, ("get",)),
    "volunteering:staff_project_action": Page({"pk": "project", "action": "publish"}, ("post",)),
    "volunteering:staff_sheet": Page({"pk": "session"}, ("get",)),
    "volunteering:staff_poster": Page({"pk": "session"}, ("get",)),
    "volunteering:staff_code": Page(
        {"pk": "session"}, ("post",), {"code": "@claim_code", "op": "check_in"}
    ),
    "volunteering:staff_record": Page({"pk": "session"}, ("post",), {"phone": "13900009999"}),
    "volunteering:staff_promote": Page({"pk": "session"}, ("post",)),
    "volunteering:staff_mark": Page({"pk": "claim"}, ("post",)),
    "volunteering:staff_verify": Page({"pk": "claim"}, ("post",), {"outcome": "full"}),
    "volunteering:staff_cancel_claim": Page({"pk": "claim"}, ("post",), {"reason": "重复"}),
    "volunteering:staff_correct": Page(
        {"pk": "attendance"}, ("post",), {"outcome": "no_show", "reason": "没来"}
    ),
    "volunteering:staff_retry_award": Page({"pk": "award"}, ("post",)),
    "party:meeting": Page({"pk": "party_meeting"}, ("get",)),
    "party:sign_in": Page({"pk": "party_meeting"}, ("post",), {"method": "online"}),
    "party:absence": Page({"pk": "party_meeting"}, ("post",), {"reason": "出车在外"}),
    "party:scan": Page({"pk": "party_meeting", "token": "token"}, ("get",)),
    "party:organisation": Page({"pk": "party_org"}, ("get",)),
    "party:schedule": Page(
        {"pk": "party_org"},
        ("post",),
        {
            "kind": "lecture",
            "title": "党课",
            "starts_at": "2031-03-10T19:00",
            "ends_at": "2031-03-10T20:00",
            "place": "驿站",
        },
    ),
    "party:transfer": Page(
        {"pk": "party_membership"}, ("post",), {"to": "@party_org", "on": "2031-03-10"}
    ),
    "party:leave": Page(
        {"pk": "party_membership_leaving"}, ("post",), {"reason": "moved_away", "on": "2031-03-10"}
    ),
    "party:staff_meeting": Page({"pk": "party_meeting"}, ("get",)),
    "party:minutes": Page({"pk": "party_meeting"}, ("post",), {"minutes": "记录"}),
    "party:mass_detail": Page({"pk": "party_mass"}, ("get",)),
    "party:mass_member_add": Page(
        {"pk": "party_mass"}, ("post",), {"worker": "@worker", "on": "2031-03-10"}
    ),
    "party:mass_sync": Page({"pk": "party_mass"}, ("post",), {"on": "2031-03-10"}),
    "party:mass_end": Page({"pk": "party_mass"}, ("post",), {"on": "2031-03-10"}),
    "party:mass_member_leave": Page({"pk": "party_mass_member"}, ("post",), {"on": "2031-03-10"}),
    "party:instructor_end": Page({"pk": "party_instructor"}, ("post",), {"on": "2031-03-10"}),
    "party:officer_appoint": Page(
        {"pk": "party_org"}, ("post",), {"post": "member", "name": "张委员", "on": "2031-03-10"}
    ),
    "party:officer_end": Page({"pk": "party_officer"}, ("post",), {"on": "2031-03-10"}),
    "party:organisation_end": Page(
        {"pk": "party_org"}, ("post",), {"status": "dissolved", "on": "2031-03-10"}
    ),
    "party:meeting_cancel": Page({"pk": "party_meeting"}, ("post",), {"reason": "台风停课"}),
    "party:membership_kind": Page({"pk": "party_membership"}, ("post",), {"kind": "formal"}),
    "party:membership_mobile": Page({"pk": "party_membership"}, ("post",), {"mobile": "1"}),
    "party:organisation_covered": Page({"pk": "party_org"}, ("post",), {"enterprises": ""}),
    "party:grid_member_leave": Page({"pk": "party_grid_member"}, ("post",), {"on": "2031-03-10"}),
    # A planner's siting run is theirs alone.
    "coverage:siting_run": Page({"run_id": "siting_run"}, ("get",)),
    "coverage:siting_run_progress": Page({"run_id": "siting_run"}, ("get",)),
    "coverage:siting_run_export_xlsx": Page({"run_id": "siting_run"}, ("get",)),
    "coverage:siting_run_export_geojson": Page({"run_id": "siting_run"}, ("get",)),
    # A table of the dashboard by name; the region is the query's, checked for jurisdiction.
    "dashboard:export": Page({"table": "regions"}, ("get",)),
}


def pages_with_parameters() -> list[tuple[str, str]]:
    """(namespaced URL name, route) of every page whose route takes parameters."""
    found = []

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace)
            elif isinstance(pattern, URLPattern) and "<" in str(pattern.pattern):
                found.append((f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", None)
    # The API, the admin and Open311 are asked elsewhere; media are files by path.
    return [(n, r) for n, r in found if not r.startswith(("api/", "admin/", "open311/"))]


def _value(world: World, kind: str, missing: bool) -> Any:
    if kind in FIXED:
        return kind
    return world.missing(kind) if missing else world.ids[kind]


def _url(world: World, route: str, page: Page, missing: bool) -> str:
    url = "/" + route
    for name, kind in page.names.items():
        url = re.sub(rf"<(\w+:)?{name}>", str(_value(world, kind, missing)), url)
    return url


def _answer(who: str, world: World, method: str, url: str, page: Page, missing: bool):
    client = Client()  # a fresh session each time: no flash message is left over
    client.force_login(world.people[who])
    body = {
        k: _value(world, v[1:], missing) if str(v).startswith("@") else v
        for k, v in page.body.items()
    }
    response = getattr(client, method)(url, data=body) if method == "post" else client.get(url)
    location = response.get("Location", "")
    for kind in page.names.values():
        value = re.escape(str(_value(world, kind, missing)))
        location = re.sub(rf"(?<![\w-]){value}(?![\w-])", "<id>", location)
    content = response.content.decode(errors="replace") if response.status_code != 200 else ""
    return (
        response.status_code,
        response.get("Content-Type"),
        location,
        ERROR.findall(content),
        [str(m) for m in get_messages(response.wsgi_request)],
    )


def test_every_page_with_parameters_is_listed():
    listed = {name for name, _route in pages_with_parameters()} - {"None:public_media"}

    assert sorted(listed - set(PAGES)) == [], "add a Page for each new page"
    assert sorted(set(PAGES) - listed) == []


def test_pages_answer_out_of_reach_objects_exactly_like_missing_ones(tree, monkeypatch):
    world = build_world(tree, monkeypatch)
    world.ids["token"] = "nothing"
    differences = []

    for name, route in pages_with_parameters():
        page = PAGES.get(name)
        if page is None or page.public:
            continue
        foreign, nowhere = _url(world, route, page, False), _url(world, route, page, True)
        for who in CALLERS:
            for method in page.methods:
                seen = _answer(who, world, method, foreign, page, False)
                expected = _answer(who, world, method, nowhere, page, True)
                if seen != expected:
                    differences.append((name, method, who, seen, expected))

    assert differences == []
