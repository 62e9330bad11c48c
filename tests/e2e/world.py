"""The world a browser test runs in: the real site under gunicorn, talking to the sandbox.

One world per pytest process (so per xdist worker): its own SQLite file, its own
collected static files, its own sandbox and gunicorn on free loopback ports.
The site runs with production settings (DEBUG off, manifest static files, the
database cache, strict CSP) except that it speaks plain HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from smsadmin.sandbox.testing import SandboxProcess, spawn_sandbox_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

PASSWORD = "e2e correct horse battery staple"
# The Sociostacks key every seeded person works with, and a second sandbox
# account's key that nobody has yet (a person adds it in the keys flow).
OPS_KEY = "e2e-ops-key-5d1c9a7e"
SPARE_KEY = "e2e-spare-key-3b8f0c42"
SANDBOX_TIME_ZONE = "Europe/Berlin"
SEEDED_MESSAGES = 120

STARTUP_SECONDS = 30.0
# The site's shared cache (the database cache of settings.CACHES).
CACHE_TABLE = "smsadmin_cache"


@dataclass(frozen=True)
class Person:
    username: str
    roles: tuple[str, ...] = ()
    time_zone: str = ""
    is_shared: bool = False
    has_key: bool = True
    # A shared login's operators, the names "Who are you?" offers.
    operators: tuple[str, ...] = ()


PEOPLE = {
    person.username: person
    for person in (
        Person("alice", ("admin",)),
        # Sam lives far from the Sociostacks account's zone (Europe/Berlin), so
        # a time typed in the wrong zone shows up as hours off.
        Person("sam", ("sender",), time_zone="America/New_York"),
        Person("vera", ("viewer",)),
        Person("ada", ("auditor",), has_key=False),
        Person(
            "desk",
            ("sender",),
            is_shared=True,
            operators=("Maria K.", "Priya Patel", "Sam", "Tom Berg"),
        ),
        Person("nina", ("sender",), has_key=False),
    )
}

# The team whose key (the ops key too) nobody seeded is in: people invited in a
# test join it to have a key to work with.
TEAM = "Ops desk"

# Run inside `manage.py shell`: the people above, each with the ops key unless
# said otherwise, and the team. Setting up the world is nobody's action, so it
# is not audited.
_POPULATE = """
import json, os
from django.contrib.auth.models import Group
from smsadmin.accounts.models import Operator, Team, User
from smsadmin.keys.models import ApiKey

team = Team.objects.create(name=os.environ["E2E_TEAM"])
team_key = ApiKey(label="Ops desk phones", team=team)
team_key.set_secret(os.environ["E2E_OPS_KEY"])
team_key.save()

for spec in json.loads(os.environ["E2E_PEOPLE"]):
    user = User.objects.create_user(
        username=spec["username"],
        password=os.environ["E2E_PASSWORD"],
        email=spec["username"] + "@example.test",
        time_zone=spec["time_zone"],
        is_shared=spec["is_shared"],
    )
    for role in spec["roles"]:
        user.groups.add(Group.objects.get(name=role))
    for name in spec["operators"]:
        Operator.objects.create(login=user, name=name)
    if spec["has_key"]:
        key = ApiKey(label="Ops phones", owner=user, created_by=user)
        key.set_secret(os.environ["E2E_OPS_KEY"])
        key.save()
"""


@dataclass
class Site:
    """A running smsadmin with its sandbox, and ways to look behind the browser."""

    url: str
    database: Path
    sandbox: SandboxProcess
    server_log: Path
    # The site's environment, for a jobs worker a test starts beside it.
    environment: dict[str, str] = field(default_factory=dict)

    def reset(self) -> None:
        """The sandbox back to its seed and the site's shared cache emptied.

        Without the second step the site would keep serving what the sandbox
        said before the reset (lists stay fresh for seconds, stale copies for a day).
        """
        self.sandbox.reset()
        self.forget_cached_answers()

    def forget_cached_answers(self) -> None:
        with self._connect() as connection:
            connection.execute(f"DELETE FROM {CACHE_TABLE}")  # noqa: S608

    def audit_events(self, **where: Any) -> list[dict[str, Any]]:
        """Audit rows, newest first, filtered by equality on the named columns."""
        clauses = " AND ".join(f"{column} = ?" for column in where) or "1 = 1"
        with self._connect() as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                f"SELECT * FROM audit_auditevent WHERE {clauses} ORDER BY seq DESC",  # noqa: S608
                tuple(where.values()),
            ).fetchall()
        return [{**dict(row), "details": json.loads(row["details"] or "{}")} for row in rows]

    def row_id(self, table: str, **where: Any) -> int:
        """The id of the one row of ``table`` (e.g. accounts_user) matching ``where``."""
        clauses = " AND ".join(f"{column} = ?" for column in where)
        with self._connect() as connection:
            (found,) = connection.execute(
                f"SELECT id FROM {table} WHERE {clauses}",  # noqa: S608
                tuple(where.values()),
            ).fetchall()
        return found[0]

    def forget_two_factor_setup(self, username: str) -> None:
        """Drop a person's half-done authenticator enrolment (and its pause after wrong codes)."""
        user_id = self.row_id("accounts_user", username=username)
        with self._connect() as connection:
            connection.execute(
                "DELETE FROM accounts_appdevice WHERE user_id = ? AND confirmed = 0", (user_id,)
            )

    def sent_posts(self) -> list[dict[str, str]]:
        """The form fields of the POST /sms calls the sandbox received since the last reset."""
        return self.sandbox.stats()["last_post_fields"]

    def upstream_calls(self, route: str) -> int:
        return self.sandbox.stats()["by_route"].get(route, 0)

    def server_log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.server_log.read_text(errors="replace").splitlines()[-lines:])

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.database, timeout=20)
        try:
            with connection:
                yield connection
        finally:
            connection.close()


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(workdir: Path, sandbox_url: str) -> dict[str, str]:
    """Production settings from the environment, as an operator would give them."""
    environment = {
        name: value
        for name, value in os.environ.items()
        # The test runner's own settings must not leak into the site.
        if name not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CACHE_URL", "STATIC_ROOT"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "smsadmin.settings",
            "SMSADMIN_READ_DOTENV": "0",
            "DEBUG": "false",
            "SECRET_KEY": "e2e-secret-key-" + os.urandom(16).hex(),
            "SMSADMIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SMSADMIN_AUDIT_KEY": "e2e-audit-key-" + os.urandom(16).hex(),
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
            "STATIC_ROOT": str(workdir / "static"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SOCIOSTACKS_API_URL": sandbox_url,
            # Nobody here has an authenticator app: the second factor has its own tests.
            "SMSADMIN_2FA_REQUIRED": "none",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def _manage(environment: dict[str, str], *arguments: str, extra_env: dict[str, str] | None = None):
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env={**environment, **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"manage.py {arguments[0]} failed ({completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


def prepare_database(environment: dict[str, str]) -> None:
    _manage(environment, "migrate", "--noinput", "-v", "0")
    _manage(environment, "collectstatic", "--noinput", "-v", "0")
    people = [
        {
            "username": p.username,
            "roles": list(p.roles),
            "time_zone": p.time_zone,
            "is_shared": p.is_shared,
            "has_key": p.has_key,
            "operators": list(p.operators),
        }
        for p in PEOPLE.values()
    ]
    _manage(
        environment,
        "shell",
        "-c",
        _POPULATE,
        extra_env={
            "E2E_PEOPLE": json.dumps(people),
            "E2E_PASSWORD": PASSWORD,
            "E2E_OPS_KEY": OPS_KEY,
            "E2E_TEAM": TEAM,
        },
    )
    # The dashboard and search read the local mirror: fill it once, as the
    # compose `sync` service would.
    _manage(environment, "sync_messages", "-v", "0")


def start_sandbox() -> SandboxProcess:
    return spawn_sandbox_process(
        api_keys=(OPS_KEY, SPARE_KEY),
        rate_limit=0,
        seed_messages=SEEDED_MESSAGES,
        timezone=SANDBOX_TIME_ZONE,
        # A new message stays "pending" for the length of any test, and no
        # inbound SMS arrives by chance: what a test sees is what it did.
        send_delay_seconds=600,
        inbound_one_in=0,
    )


def start_gunicorn(environment: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "smsadmin.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "2",
            "--access-logfile",
            "-",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.returncode}:\n{log_path.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop_process(server)
    raise RuntimeError(f"the site did not answer /healthz within {STARTUP_SECONDS} s")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
