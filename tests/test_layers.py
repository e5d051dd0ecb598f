"""The dependency rule of docs/architecture.md, enforced on every import in the source.

Feature apps -> points, geo, accounts -> core; core imports no other part of the project.
Among feature apps only the listed arrows exist (Open311 sits on reports, the shops on
stations), and the registry is read by the others through its selectors alone. The demo sits
on top of everything. No app imports the project-level modules (the router and URL lists, the
settings): those gather the apps by convention (``core.discovery``), never the other way.
Imports inside functions count as much as those at the top of a module.
"""

import ast
from pathlib import Path

import nuanxin

PACKAGE = Path(nuanxin.__file__).parent
FOUNDATION = {"core", "geo", "accounts", "points"}
ALLOWED = {
    "core": set(),
    "geo": {"core"},
    "accounts": {"core", "geo"},
    "points": {"core", "geo", "accounts"},
}
FEATURE_ARROWS = {
    "open311": {"reports"},
    "store": {"stations"},
    "coverage": {"stations", "reports", "volunteering"},
}
# Feature apps that may read the apps above them only through those apps' selectors.
SELECTORS_ONLY = {"coverage"}
# The dashboard adds up what every feature app offers it, through that app's selectors alone.
DASHBOARD = "dashboard"
# What the registry offers other apps: reads of its records, through one module.
REGISTRY_PUBLIC = ("nuanxin.registry.selectors",)
PROJECT_MODULES = {"api", "urls", "settings", "cli", "wsgi", "asgi"}


def app_of(path: Path) -> str | None:
    """The app a source file belongs to, or None for the project-level modules."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def imported_modules(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from nuanxin import jobs`` names the module in the alias
            if node.module == "nuanxin":
                found += [(node.lineno, f"nuanxin.{alias.name}") for alias in node.names]
    return [(line, module) for line, module in found if module.startswith("nuanxin.")]


def violation(app: str, module: str) -> str | None:
    """Why ``app`` may not import ``module`` (None when it may)."""
    target = module.split(".")[1]
    if target == app:
        return None
    if target in PROJECT_MODULES or target not in _apps():
        return "imports a project-level module; gather apps through core.discovery instead"
    if app == "demo":
        return None
    if app in ALLOWED:
        return None if target in ALLOWED[app] else f"{app} is below {target}"
    if target in FOUNDATION:
        return None
    if target in FEATURE_ARROWS.get(app, set()):
        if app in SELECTORS_ONLY and not module.startswith(f"nuanxin.{target}.selectors"):
            return f"{app} reads {target} only through nuanxin.{target}.selectors"
        return None
    if app == DASHBOARD:
        if module == f"nuanxin.{target}.selectors":
            return None
        return "the dashboard reads other apps through their selectors only"
    if target == "registry" and module.startswith(REGISTRY_PUBLIC):
        return None
    if target == "registry":
        return "reads the registry other than through nuanxin.registry.selectors"
    return f"feature app {app} may not import feature app {target}"


def _apps() -> set[str]:
    return {path.name for path in PACKAGE.iterdir() if (path / "apps.py").exists()}


def test_every_import_follows_the_layers():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        app = app_of(path)
        if app is None or "migrations" in path.parts:
            continue
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            if (why := violation(app, module)) is not None:
                problems.append(f"{path.relative_to(PACKAGE)}:{line} {module}: {why}")
    assert problems == []


def test_the_rule_catches_the_arrows_that_once_ran_back_up():
    # core's jobs command once imported the project's job list, which imported five apps
    old_jobs_command = "from nuanxin.jobs import JOBS\n"
    assert [violation("core", m) for _line, m in imported_modules(old_jobs_command)] == [
        "imports a project-level module; gather apps through core.discovery instead"
    ]
    # the stations once read the registry's models directly
    assert violation("stations", "nuanxin.registry.models") is not None
    assert violation("points", "nuanxin.reports.models") == "points is below reports"
    assert violation("core", "nuanxin.accounts.models") == "core is below accounts"
    assert violation("volunteering", "nuanxin.store.models") is not None
    assert violation("store", "nuanxin.stations.models") is None
    assert violation("stations", "nuanxin.registry.selectors") is None
    assert violation("coverage", "nuanxin.stations.selectors") is None
    assert violation("coverage", "nuanxin.stations.models") is not None
    assert violation("coverage", "nuanxin.store.selectors") is not None
    assert violation("dashboard", "nuanxin.reports.selectors") is None
    assert violation("dashboard", "nuanxin.reports.models") is not None
    assert violation("reports", "nuanxin.dashboard.figures") is not None


def test_staff_are_guarded_in_one_place_with_one_code():
    """core.scoping.require_staff is the one staff guard: no app invents its own refusal code
    for "you are not staff" (ten guards once answered with six different codes)."""
    import re

    invented = re.compile(r"""["'](\w+)\.staff_only["']""")
    found = [
        f"{path.relative_to(PACKAGE)}: {match.group(0)}"
        for path in PACKAGE.rglob("*.py")
        for match in invented.finditer(path.read_text(encoding="utf-8"))
        if match.group(1) != "auth"
    ]
    assert found == []
