"""The docs stay true to the code: every file they name exists, every environment variable the
code reads is in the one settings table of docs/operations.md (and nothing else is), every
periodic job is listed there with its interval, and every command they name is one."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

import nuanxin

ROOT = Path(nuanxin.__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "nuanxin"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Made at run time in the data folder (NUANXIN_DATA_DIR), never part of the repository.
RUNTIME_DIRS = ("data/", "./data")
SKIP_DIRS = {".git", ".venv", "__pycache__", "data", "node_modules"}
FILE_EXT = re.compile(r"\.(py|md|html|js|css|toml|po|mo|txt|sh|json|xlsx|geojson)$")
PLACEHOLDER = re.compile(r"<[a-z_]+>")


def _repo_paths() -> set[str]:
    """Every file and folder of the repository, relative to its root, with '/' separators."""
    found: set[str] = set()
    stack = [ROOT]
    while stack:
        folder = stack.pop()
        for child in folder.iterdir():
            if child.name in SKIP_DIRS:
                continue
            found.add(child.relative_to(ROOT).as_posix())
            if child.is_dir():
                stack.append(child)
    return found


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", doc.read_text(), re.M)}


def named_paths(text: str) -> list[str]:
    """Paths a document names: in `code` spans, tokens with a folder or a file extension that
    are not absolute (URLs, /usr/bin/...), digits (region paths) or function lists."""
    found = []
    for m in re.finditer(r"`([^`\n]+)`", text):
        token = m.group(1)
        if not re.fullmatch(r"[\w.\-/<>]+", token) or token.startswith("/"):
            continue
        if re.fullmatch(r"[\d/]+", token) or token.startswith(RUNTIME_DIRS):
            continue
        last = token.rstrip("/").rsplit("/", 1)[-1]
        if last.startswith("."):
            continue  # a suffix (".json"), not a file
        if FILE_EXT.search(last) or (token.endswith("/") and "/" in token):
            found.append(token)
    return found


def path_exists(token: str, paths: set[str]) -> bool:
    """A path names a repository file when some file's path ends with it (docs name modules
    from the package, the app or the repository root); ``<app>`` stands for any one folder."""
    pattern = re.escape(token.rstrip("/"))
    pattern = PLACEHOLDER.sub(lambda _m: r"[^/]+", pattern.replace(r"\<", "<").replace(r"\>", ">"))
    regex = re.compile(rf"(^|.*/){pattern}")
    return any(regex.fullmatch(path) for path in paths)


def test_the_path_check_can_fail():
    paths = {"src/nuanxin/core/edge.py", "src/nuanxin/points/jobs.py", "docs/api.md"}
    assert path_exists("core/edge.py", paths)
    assert path_exists("edge.py", paths)
    assert path_exists("<app>/jobs.py", paths)
    assert not path_exists("DESIGN.md", paths)
    assert not path_exists("../shared/DESIGN.md", paths)
    assert not path_exists("ge.py", paths)
    assert named_paths("see `../shared/x.md` and `services.py`, not `a/b` or `/usr/bin/x`") == [
        "../shared/x.md",
        "services.py",
    ]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_a_doc_names_exists(doc):
    paths = _repo_paths()
    text = doc.read_text()
    missing = [token for token in named_paths(text) if not path_exists(token, paths)]
    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
        target, _, anchor = m.group(1).partition("#")
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        file = (doc.parent / target).resolve() if target else doc
        outside = not file.exists() or ROOT not in file.parents
        if outside or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            missing.append(m.group(1))
    assert not missing, f"{doc.name} names what the repository does not hold: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_names_the_outside_folder(doc):
    text = doc.read_text()
    assert "../shared" not in text
    assert "DESIGN.md" not in text


def test_every_command_a_doc_names_exists():
    from django.core.management import get_commands

    commands = get_commands()
    named = set()
    for doc in DOCS:
        for span in re.findall(r"`([^`\n]+)`", doc.read_text()):
            named |= set(re.findall(r"\bnuanxin ([a-z][a-z_-]*)", span))
    unknown = sorted(name for name in named if name.replace("-", "_") not in commands)
    assert named, "the docs name commands"
    assert not unknown, f"commands the docs name that do not exist: {unknown}"


# -- environment variables ------------------------------------------------------------------

ENV_HELPERS = re.compile(r"env_\w+")


def env_reads(source: str) -> set[str]:
    """Variables a module reads: os.environ.get / os.getenv / os.environ[...] / "X" in
    os.environ, and the settings' env_* helpers, each with a literal name. setdefault and
    assignments write, they do not read."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in ("os.environ.get", "environ.get", "os.getenv", "getenv") or (
                ENV_HELPERS.fullmatch(func)
            ):
                found.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) in ("os.environ", "environ")
            and isinstance(node.slice, ast.Constant)
        ):
            found.add(node.slice.value)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and ast.unparse(node.comparators[0]) in ("os.environ", "environ")
        ):
            found.add(node.left.value)
    return {name for name in found if isinstance(name, str)}


def code_env_reads() -> dict[str, str]:
    reads: dict[str, str] = {}
    for folder in (PACKAGE, ROOT / "tests"):
        for path in sorted(folder.rglob("*.py")):
            for name in env_reads(path.read_text()):
                reads.setdefault(name, str(path.relative_to(ROOT)))
    return reads


def settings_table() -> list[list[str]]:
    """The rows of the one table under "Settings (environment variables)" in operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Settings (environment variables)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def documented_variables() -> set[str]:
    return {name for row in settings_table() for name in re.findall(r"`([A-Z0-9_]+)`", row[0])}


def test_the_env_parser_finds_every_way_of_reading():
    source = (
        "import os\n"
        "a = os.environ.get('A', '1')\nb = os.getenv('B')\nc = os.environ['C']\n"
        "d = env_bool('D', False)\ne = 'E' in os.environ\n"
        "os.environ['F'] = '1'\nos.environ.setdefault('G', '1')\n"
    )
    assert env_reads(source) == {"A", "B", "C", "D", "E"}


def test_every_environment_variable_the_code_reads_is_in_the_table():
    reads = code_env_reads()
    documented = documented_variables()
    assert "DATABASE_URL" in reads and "NUANXIN_HOST" in reads, "the parser sees the code"
    missing = {name: where for name, where in reads.items() if name not in documented}
    assert not missing, f"read by the code but not in docs/operations.md's table: {missing}"


def test_the_table_names_only_variables_the_code_reads():
    unread = documented_variables() - set(code_env_reads())
    assert not unread, f"in docs/operations.md's table but read by no code: {sorted(unread)}"


def test_the_table_is_the_only_one_and_has_a_default_and_meaning_per_row():
    text = (ROOT / "docs" / "operations.md").read_text()
    assert text.count("| variable | default | meaning |") == 1
    for row in settings_table():
        assert len(row) == 3 and all(row), f"incomplete row: {row}"


def test_the_open311_jurisdiction_is_set_from_the_environment(monkeypatch):
    import importlib

    import nuanxin.settings as project_settings

    monkeypatch.setenv("OPEN311_JURISDICTION_ID", "zhanjiang.example.cn")
    try:
        assert importlib.reload(project_settings).OPEN311_JURISDICTION_ID == (
            "zhanjiang.example.cn"
        )
    finally:
        monkeypatch.delenv("OPEN311_JURISDICTION_ID")
        importlib.reload(project_settings)


# -- periodic jobs --------------------------------------------------------------------------

UNITS = {"minute": dt.timedelta(minutes=1), "hour": dt.timedelta(hours=1)}


def jobs_table() -> dict[str, dt.timedelta]:
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Periodic jobs", 1)[1].split("\n## ", 1)[0]
    listed = {}
    for line in section.splitlines():
        m = re.match(r"\| `([\w.]+)` \| (\d+) (minute|hour)s? \|", line)
        if m:
            listed[m.group(1)] = int(m.group(2)) * UNITS[m.group(3)]
    return listed


def test_operations_lists_every_periodic_job_with_its_interval():
    from nuanxin.core.scheduler import all_jobs

    jobs = {job.name: job.every for job in all_jobs()}
    listed = jobs_table()
    assert jobs, "the apps declare jobs"
    assert listed == jobs, (
        f"docs/operations.md's jobs table differs from the code: missing "
        f"{sorted(set(jobs) - set(listed))}, not a job {sorted(set(listed) - set(jobs))}, "
        f"other intervals {sorted(n for n in jobs if n in listed and listed[n] != jobs[n])}"
    )


def test_architecture_tells_nobody_to_run_what_the_jobs_loop_runs():
    """A job's command run "daily" or from cron by hand is the loop's work already."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert not re.search(r"\(run it (daily|hourly|every)", text)
    assert "cron" not in text


# -- error codes ----------------------------------------------------------------------------


def source_strings() -> tuple[set[str], list[re.Pattern]]:
    """Every string literal of the source, and every f-string that starts with an app's
    prefix as a pattern (its holes match any word: ``f"reports.{field}_required"`` raises
    ``reports.purpose_required``)."""
    literals: set[str] = set()
    templates: list[re.Pattern] = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif (
                isinstance(node, ast.JoinedStr)
                and isinstance(node.values[0], ast.Constant)
                and "." in str(node.values[0].value)
            ):  # a code made from its app's literal prefix: f"reports.{field}_required"
                parts = [
                    re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+"
                    for part in node.values
                ]
                templates.append(re.compile("".join(parts)))
    return literals, templates


def test_every_error_code_the_api_docs_name_is_raised_by_the_code():
    text = (ROOT / "docs" / "api.md").read_text()
    named = set(re.findall(r"`([a-z]+\.[a-z_]+)`", text)) - {
        f"extra.{m}" for m in re.findall(r"`extra\.([a-z_]+)`", text)
    }
    literals, templates = source_strings()
    unknown = sorted(
        code
        for code in named
        if code not in literals and not any(t.fullmatch(code) for t in templates)
    )
    assert len(named) > 100, "the reference names the codes"
    assert not unknown, f"docs/api.md names error codes no code raises: {unknown}"
