"""Who may open the pages whose URL names no object: every such page (from the URL resolver)
x every role, against the table ``PAGES`` below (the roles that may open it; a role it does
not name is refused). No object is involved, so each role is asked by one caller.

A page is asked with GET, or, when it takes only POST (``POST_ONLY``), with POST and an empty
form. Allowed means past authorisation: the page, a download, a redirect or a form error with
the page's own message. Refused: 401, 403, 404, the login page, or a flash message that says
the role may not (``REFUSAL_MESSAGES``); some pages answer 404 for what an empty form names
(``PASSED``), past authorisation. An empty form that the page turns back before it asks who
the caller is proves only the login guard: those pages are marked below.

A page without an entry fails, and so does an entry for a page that is gone.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.core import authz_calls as calls
from tests.core import test_authorisation_matrix as matrix
from tests.core.authz_world import ANONYMOUS, CALLERS, ROLES, AuthzWorld
from tests.core.test_authorisation_matrix import C, K, L, S, T, W, Y

# The matrix's world, built once for this module too.
authz = matrix.authz
world = matrix.world

pytestmark = pytest.mark.django_db

REGION = (C, S, Y, T)
SIGNED_IN = (W, K, L, *REGION)
PUBLIC = (ANONYMOUS, *SIGNED_IN)
STAFF = (K, *REGION)  # staff who work at stations (not enterprise liaisons)
REGISTRY = (L, *REGION)
STREET_UP = (S, Y, T)
NOBODY: tuple[str, ...] = ()

POST_ONLY = {
    "accounts:backup_codes",
    "accounts:location_consent",
    "accounts:logout",
    "party:badge",
    "party:grid_member_enrol",
    "party:industry_import",
    "party:industry_record",
    "party:instructor_assign",
    "party:mass_create",
    "party:organisation_create",
    "party:party_work_grant",
    "reports:queue_bulk",
    "store:confirm",
    "store:order_create",
    "store:staff_cancel",
}
# Refusals a page tells in a flash message on a redirect.
REFUSAL_MESSAGES = {"party:badge": {"只有党员本人可以选择是否亮明身份。"}}
# Codes a page answers only once the caller passed: the empty form names no order.
PASSED = {"store:staff_cancel": {"store.order_not_found"}}

PAGES: dict[str, tuple[str, ...]] = {
    "None:home": PUBLIC,
    "None:pwa_manifest": PUBLIC,
    "None:service_worker": PUBLIC,
    "None:offline": PUBLIC,
    "None:set_language": PUBLIC,
    "core:notifications": SIGNED_IN,
    "geo:map": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:privacy": PUBLIC,
    "accounts:profile": SIGNED_IN,
    "accounts:location_consent": SIGNED_IN,
    "accounts:my_data_json": SIGNED_IN,
    "accounts:my_data_xlsx": SIGNED_IN,
    "accounts:erase": SIGNED_IN,
    "accounts:second_factor": SIGNED_IN,
    "accounts:second_factor_enrol": SIGNED_IN,
    "accounts:backup_codes": SIGNED_IN,
    "points:mine": SIGNED_IN,
    "points:history": SIGNED_IN,
    "points:rules": PUBLIC,
    "registry:home": REGISTRY,
    "registry:region_picker": REGISTRY,
    "registry:enterprises": REGISTRY,
    "registry:enterprise_new": REGION,
    "registry:export_enterprises": REGISTRY,
    "registry:workers": REGISTRY,
    "registry:worker_new": REGISTRY,
    "registry:export_workers": REGISTRY,
    "registry:registrations": REGISTRY,
    "registry:registration_new": REGION,
    "registry:me": SIGNED_IN,
    "registry:import": REGISTRY,
    "registry:template": REGISTRY,
    "registry:campaigns": REGION,
    "stations:map": PUBLIC,
    "stations:my_visits": SIGNED_IN,
    "stations:stats": STAFF,
    "stations:import": STAFF,
    "reports:new": SIGNED_IN,
    "reports:nearby": SIGNED_IN,
    "reports:mine": SIGNED_IN,
    "reports:queue": REGION,
    "reports:queue_bulk": REGION,
    "reports:queue_map": REGION,
    "reports:public_map": PUBLIC,
    "store:shop": SIGNED_IN,
    # The empty form is turned back (请求参数无效) before the page asks who orders.
    "store:order_create": SIGNED_IN,
    "store:orders": SIGNED_IN,
    "store:verify": STAFF,
    "store:confirm": STAFF,
    "store:staff_cancel": STAFF,
    "store:stock": STAFF,
    "store:report": STAFF,
    "store:report_export": STAFF,
    "volunteering:list": PUBLIC,
    "volunteering:mine": SIGNED_IN,
    "volunteering:staff": REGION,
    "volunteering:staff_new": REGION,
    "volunteering:staff_stats": REGION,
    "volunteering:staff_export": REGION,
    "party:mine": SIGNED_IN,
    "party:badge": (W,),  # the world's worker is a member
    "party:staff": REGION,
    "party:coverage": REGION,
    "party:committee": REGION,
    "party:grid": REGION,
    "party:industry": REGION,
    "party:industry_record": REGION,
    "party:industry_import": REGION,
    "party:industry_template": REGION,
    "party:mass_list": REGION,
    "party:mass_create": REGION,
    "party:instructors": REGION,
    "party:instructor_assign": REGION,
    "party:organisation_create": REGION,
    "party:grid_member_enrol": REGION,
    "party:party_work": REGION,
    "party:party_work_grant": REGION,
    "coverage:map": STREET_UP,
    "coverage:siting": STREET_UP,
    "coverage:export_xlsx": STREET_UP,
    "coverage:export_geojson": STREET_UP,
    "dashboard:screen": REGION,
    "dashboard:monthly": REGION,
    "dashboard:public": PUBLIC,
}


def pages_without_parameters() -> list[tuple[str, str]]:
    """(namespaced URL name, route) of every page whose route takes no parameters."""
    found = []

    def walk(patterns: list, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace)
            elif isinstance(pattern, URLPattern) and "<" not in str(pattern.pattern):
                found.append((f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", None)
    # The API, the admin and Open311 are asked elsewhere.
    return [(n, r) for n, r in found if not r.startswith(("api/", "admin/", "open311/"))]


PLAIN_PAGES = pages_without_parameters()


def test_every_page_without_an_object_has_a_rule() -> None:
    listed = {name for name, _route in PLAIN_PAGES}
    assert sorted(listed - set(PAGES)) == [], "add a rule to PAGES for each new page"
    assert sorted(set(PAGES) - listed) == [], "these rules name pages that are gone"
    assert listed >= POST_ONLY
    assert all(role in ROLES for roles in PAGES.values() for role in roles)


def _refused(name: str, answer: calls.Answer) -> bool:
    _location, errors, flashed = answer.shown
    if answer.status == 404 and {code for code, _ in errors} & PASSED.get(name, set()):
        return False
    return answer.refused or bool(set(flashed) & REFUSAL_MESSAGES.get(name, set()))


@pytest.mark.parametrize("page", PLAIN_PAGES, ids=[name for name, _route in PLAIN_PAGES])
def test_each_role_opens_the_pages_the_table_says(world: AuthzWorld, page: tuple[str, str]) -> None:
    name, route = page
    assert name in PAGES, f"{name}: no rule in PAGES"
    method = "post" if name in POST_ONLY else "get"
    problems = []
    for role in ROLES:
        who = CALLERS[role][0]
        answer = calls.ask(world.client(who), method, "/" + route, body={}, form=True, page=True)
        if answer.status == 405:
            problems.append((role, who, method, "method not taken: fix POST_ONLY", answer))
            continue
        allowed = role in PAGES[name]
        if allowed == _refused(name, answer):
            said = "refused, the table allows" if allowed else "allowed, the table refuses"
            problems.append((role, who, method, said, answer))
    assert problems == [], matrix._mismatches(name, problems)
