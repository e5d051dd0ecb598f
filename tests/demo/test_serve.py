"""`nuanxin serve` over real HTTP: pages, a login that writes the session, the jobs process."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

PASSWORD = "serve-test-2024!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nuanxin(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "nuanxin.cli", *args], env=env, check=True, timeout=300)


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
    }
    env.pop("DATABASE_URL", None)
    _nuanxin(env, "migrate", "--verbosity", "0")
    _nuanxin(
        env, "shell", "-c",
        "from nuanxin.accounts.services import user_create; "
        f"user_create(phone='13912340000', name='骑手', password='{PASSWORD}')",
    )  # fmt: skip
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    yield base, process
    process.terminate()
    process.wait(timeout=30)


def _jobs_processes(parent_pid: int) -> list[str]:
    # -ww: without it ps cuts lines at 80 columns when not on a terminal, and a long checkout
    # path pushes "jobs --loop" out of sight.
    out = subprocess.run(
        ["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True, text=True
    ).stdout
    return [
        line for line in out.splitlines() if "jobs --loop" in line and f" {parent_pid} " in line
    ]


def test_served_site_logs_in_and_runs_its_jobs_beside_it(server):
    base, process = server
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "mode": "password", "phone": "13912340000",
         "password": PASSWORD}
    ).encode()  # fmt: skip

    home = opener.open(base + "/accounts/login/", data=form, timeout=30).read().decode()

    assert "骑手，您好" in home
    assert _jobs_processes(process.pid), "the server starts its periodic jobs process"


def test_serve_refuses_an_unmigrated_database_and_says_what_to_run(tmp_path):
    env = {
        **os.environ,
        "NUANXIN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
        "NUANXIN_JOBS": "off",
    }
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(_free_port())],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode != 0
    assert "uv run nuanxin migrate" in result.stderr
    assert "未执行" in result.stderr
