"""`make run SANDBOX_PORT=…` wires the site, the sync and the demo login to that sandbox.

The target itself runs, in its own process group, with ports nothing else uses
and its .env and database in a temporary directory, so the checkout is untouched.
"""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> requests.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run ended early:\n{log.read_text()[-3000:]}")
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            time.sleep(0.5)
    pytest.fail(f"{url} never answered:\n{log.read_text()[-3000:]}")


@pytest.fixture
def make_run(tmp_path):
    sandbox_port, site_port = _free_port(), _free_port()
    log = tmp_path / "make-run.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SOCIOSTACKS_", "SMSADMIN_"))
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    # A .env from an earlier run that names port 8001: the command line must still win.
    dotenv = tmp_path / ".env"
    subprocess.run(
        [".venv/bin/python", "-m", "smsadmin.devtools", "write-dotenv", str(dotenv)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    assert "8001" in dotenv.read_text()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "run",
                f"SANDBOX_PORT={sandbox_port}",
                f"SITE_ADDR=127.0.0.1:{site_port}",
                f"DOTENV={dotenv}",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, sandbox_port, site_port, dotenv, log
    finally:
        # Only the group this test started: make, the sandbox, the sync and the site.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_make_run_talks_to_the_sandbox_on_the_port_given(make_run):
    process, sandbox_port, site_port, dotenv, log = make_run
    site = f"http://127.0.0.1:{site_port}"
    assert _wait_for(f"{site}/accounts/login/", process, log).status_code == 200
    console = log.read_text()
    assert f"talking to the sandbox at http://127.0.0.1:{sandbox_port}/api" in console
    assert f"wired to the sandbox at http://127.0.0.1:{sandbox_port}/api" in console

    password = re.search(r"^SMSADMIN_DEMO_PASSWORD=(.+)$", dotenv.read_text(), re.M).group(1)
    browser = requests.Session()
    form = browser.get(f"{site}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    browser.post(
        f"{site}/accounts/login/",
        data={"username": "admin", "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{site}/accounts/login/"},
        timeout=10,
    )
    before = requests.get(f"http://127.0.0.1:{sandbox_port}/__sandbox__/stats", timeout=5).json()
    listing = browser.get(f"{site}/messages/", timeout=30)
    assert listing.status_code == 200
    assert "could not be reached" not in listing.text
    assert re.search(r"\d+ messages", listing.text)
    after = requests.get(f"http://127.0.0.1:{sandbox_port}/__sandbox__/stats", timeout=5).json()
    assert after != before  # the page's upstream calls reached this sandbox
