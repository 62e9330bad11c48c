"""Shared helpers of the bench/ scripts: a throwaway site, the sandbox, gunicorn, statistics.

Every script builds its own site in a temporary directory (settings from the
environment, a fresh SQLite file or a fresh PostgreSQL database, collected
static files), so a benchmark never touches the developer's db.sqlite3 or .env.
Processes a script starts are stopped when it ends, also on SIGTERM (which is
how run_all.py ends a script that ran out of time).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The sandbox accepts whatever keys it is started with; this one opens nothing real.
SANDBOX_KEY = "sk-bench-sandbox-0000000000000000"
SANDBOX_LATENCY_MS = 20
# Enough messages for a page of 1000 and a second page behind it.
SANDBOX_MESSAGES = 1200
GUNICORN_START_SECONDS = 30.0
PROCESS_STOP_SECONDS = 10.0
CHILD_CLEANUP_SECONDS = 30.0


# --- Output ---------------------------------------------------------------------------


def emit(name: str, value: float | int, unit: str, goal: str, met: bool | None, **extra: Any):
    """One result as a JSON line on stdout: what run_all.py collects.

    ``met`` is None for a figure reported for context, without a goal of its own.
    """
    print(
        json.dumps({"name": name, "value": value, "unit": unit, "goal": goal, "met": met, **extra}),
        flush=True,
    )


def progress(text: str) -> None:
    """Progress goes to stderr so that stdout stays JSON lines only."""
    print(text, file=sys.stderr, flush=True)


def percentile(values: Iterable[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    runs: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        return cls(
            round(percentile(seconds, 0.5) * 1000, 1),
            round(percentile(seconds, 0.95) * 1000, 1),
            len(seconds),
        )


# --- Processes ------------------------------------------------------------------------


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so that `finally` blocks stop our child processes."""

    def _exit(signum: int, _frame: object) -> None:
        # Once: a second SIGTERM must not interrupt the cleaning up the first started.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


def run_in_turn(commands: list[list[str]]) -> int:
    """Run each command to its end, as a child process; returns how many failed.

    For scripts that run themselves once per database. When this process is
    stopped (SIGTERM or Ctrl-C reach the whole process group), the running
    child is stopping too: it gets time to stop its servers and drop its
    temporary database before it is terminated, then killed.
    """
    stop_on_sigterm()
    failed = 0
    for command in commands:
        child = subprocess.Popen(command)
        try:
            failed += child.wait() != 0
        except BaseException:
            try:
                child.wait(timeout=CHILD_CLEANUP_SECONDS)
            except subprocess.TimeoutExpired:
                _stop(child)
            raise
    return failed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=PROCESS_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_SANDBOX_READY = re.compile(r"sandbox listening on (http://\S+)/api")
SANDBOX_START_SECONDS = 15.0


def start_sandbox(*, rate_limit: int, latency_ms: int = SANDBOX_LATENCY_MS):
    """The sandbox in a child process (its own interpreter, as the real upstream is)."""
    from smsadmin.sandbox.config import SandboxConfig
    from smsadmin.sandbox.testing import SandboxProcess, cli_arguments

    config = SandboxConfig(
        host="127.0.0.1",
        port=0,
        api_keys=(SANDBOX_KEY,),
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        seed_messages=SANDBOX_MESSAGES,
        tick_seconds=0,  # nothing changes on its own while we measure
    )
    process = subprocess.Popen(
        [PYTHON, "-m", "smsadmin.sandbox", *cli_arguments(config)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    sandbox = SandboxProcess("", process)
    atexit.register(sandbox.stop)
    lines: queue.Queue[str] = queue.Queue()
    # readline() blocks, so it runs in a thread that the time limit can abandon.
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        ready = _SANDBOX_READY.search(lines.get(timeout=SANDBOX_START_SECONDS))
    except queue.Empty:
        ready = None
    if ready is None:
        sandbox.stop()
        raise RuntimeError(f"the sandbox did not start (exit code {process.poll()})")
    sandbox.root = ready.group(1)
    return sandbox


def upstream_calls(sandbox) -> int:
    return sandbox.stats()["requests"]


# --- A throwaway site -----------------------------------------------------------------


@dataclass
class Site:
    """Settings (as environment variables) of a site living in ``directory``."""

    directory: Path
    env: dict[str, str]
    cleanups: list = field(default_factory=list)

    def manage(self, *arguments: str) -> None:
        completed = subprocess.run(
            [PYTHON, "manage.py", *arguments],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(arguments)} failed:\n{completed.stderr[-2000:]}"
            )

    def close(self) -> None:
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()
        self.cleanups.clear()


def prepare_site(sandbox_url: str, *, database_url: str | None = None, **settings: str) -> Site:
    """Migrate a new database and collect static files; ``settings`` add environment values.

    Without ``database_url`` the site gets a SQLite file in its directory; with a
    PostgreSQL URL it gets a new database on that server, dropped again by close().
    """
    directory = Path(tempfile.mkdtemp(prefix="smsadmin-bench-"))
    site = Site(directory, {})
    site.cleanups.append(lambda: shutil.rmtree(directory, ignore_errors=True))
    atexit.register(site.close)
    if database_url is None:
        database_url = f"sqlite:///{directory / 'db.sqlite3'}"
    else:
        database_url = _new_postgres_database(database_url, site)
    site.env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smsadmin.settings",
        "SMSADMIN_READ_DOTENV": "0",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SMSADMIN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SMSADMIN_AUDIT_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        # Benchmark people sign in without a second factor; the login is not measured.
        "SMSADMIN_2FA_REQUIRED": "none",
        "SOCIOSTACKS_API_URL": sandbox_url,
        "STATIC_ROOT": str(directory / "static"),
        # The site logs to stdout, where only our JSON lines belong.
        "LOG_LEVEL": "ERROR",
        **settings,
    }
    site.env.pop("CACHE_URL", None)  # the default shared cache: the site's own database
    site.manage("migrate", "--noinput")
    site.manage("collectstatic", "--noinput", "-v", "0")
    return site


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


def _new_postgres_database(server_url: str, site: Site) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    name = f"smsadmin_bench_{uuid.uuid4().hex[:12]}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    site.cleanups.append(drop)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def use_site_here(site: Site) -> None:
    """Configure Django in this process for ``site`` (for the ORM and the test Client)."""
    os.environ.update(site.env)
    import django

    django.setup()


def create_team(usernames: Iterable[str], *, role: str = "viewer") -> list:
    """People in one team sharing one API key (the sandbox's), as a team shares its budget."""
    from django.contrib.auth.models import Group

    from smsadmin.accounts.models import Team, User
    from smsadmin.keys.models import ApiKey

    team, _ = Team.objects.get_or_create(name="Operations")
    role_group = Group.objects.get(name=role)
    people = []
    for username in usernames:
        person = User.objects.create_user(username=username, password=secrets.token_urlsafe(16))
        person.groups.add(role_group)
        team.members.add(person)
        people.append(person)
    key = ApiKey(label="Team key", team=team, created_by=people[0])
    key.set_secret(SANDBOX_KEY)
    key.save()
    return people


def signed_in_client(person):
    """A Django test Client with a session for ``person`` (the login form is not measured)."""
    from django.test import Client

    client = Client()
    client.force_login(person)
    return client


def http_session(person) -> requests.Session:
    """A requests Session carrying ``person``'s session cookie, for the site over HTTP."""
    from django.conf import settings

    cookie = signed_in_client(person).cookies[settings.SESSION_COOKIE_NAME].value
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    return session


def clear_site_cache() -> None:
    """Forget every cached upstream answer: the next page view is a cold one."""
    from django.core.cache import cache

    cache.clear()


# --- gunicorn -------------------------------------------------------------------------


@dataclass
class Gunicorn:
    process: subprocess.Popen
    url: str
    log_path: Path

    def worker_pids(self) -> list[int]:
        """Children of the gunicorn master: its workers."""
        workers = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
                if int(fields["PPid"]) == self.process.pid:
                    workers.append(int(status.parent.name))
        return sorted(workers)

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        _stop(self.process)


def start_gunicorn(site: Site, *, workers: int, threads: int, name: str = "gunicorn") -> Gunicorn:
    """gunicorn serving ``site`` on a free loopback port; returns once /healthz answers.

    ``name`` names its log file in the site's directory (for several servers of one site).
    """
    port = free_port()
    log_path = site.directory / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "smsadmin.wsgi:application",
                *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"),
                *("--workers", str(workers), "--threads", str(threads)),
            ],
            cwd=REPO_ROOT,
            env=site.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log_path)
    site.cleanups.append(server.stop)
    atexit.register(server.stop)
    deadline = time.monotonic() + GUNICORN_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {GUNICORN_START_SECONDS} s")


# --- A team browsing for a while ----------------------------------------------------


# What the site shows in place of messages when upstream could not serve them.
PROBLEM_MARKER = b'class="problem"'
THINK_SECONDS = (1.0, 3.0)


@dataclass(frozen=True)
class View:
    """One page view of a simulated person: what it was, how long, what it cost upstream."""

    kind: str
    seconds: float
    upstream_calls: int
    rate_limited: int
    status: int
    showed_problem: bool


class UpstreamCounter:
    """Counts, per thread, the HTTP requests to the sandbox and its 429 answers.

    It wraps requests' transport, below the site's client, so retries count too.
    """

    def __init__(self, sandbox_url: str) -> None:
        self.sandbox_url = sandbox_url
        self.local = threading.local()
        from requests.adapters import HTTPAdapter

        self._adapter = HTTPAdapter
        self._original = HTTPAdapter.send

    def install(self) -> None:
        counter = self

        def send(adapter, request, *args, **kwargs):
            response = counter._original(adapter, request, *args, **kwargs)
            if request.url.startswith(counter.sandbox_url):
                counter.local.calls = getattr(counter.local, "calls", 0) + 1
                if response.status_code == 429:
                    counter.local.rate_limited = getattr(counter.local, "rate_limited", 0) + 1
            return response

        self._adapter.send = send

    def uninstall(self) -> None:
        self._adapter.send = self._original

    def start_view(self) -> None:
        self.local.calls = self.local.rate_limited = 0

    def view_counts(self) -> tuple[int, int]:
        return self.local.calls, self.local.rate_limited


# A page to open: its kind (for the figures), its path, and the headers to send.
Pick = tuple[str, str, dict[str, str]]


def team_browsing(
    sandbox,
    people: list,
    seconds: float,
    pick: Any,
    *,
    showed_problem: Any = lambda content: PROBLEM_MARKER in content,
) -> tuple[list[View], int]:
    """``people`` browse at once for ``seconds``, each a thread with 1 to 3 s of think time.

    ``pick(rng)`` says which page a person opens next (a ``Pick``);
    ``showed_problem(content)`` whether a page showed a problem instead of
    its content. Returns every view and the calls the sandbox counted. The
    minute starts clean: no calls counted, a fresh rate-limit window.
    """
    sandbox.control(reset_stats=True, reset_rate_limit=True)
    counter = UpstreamCounter(sandbox.url)
    counter.install()
    views: list[View] = []
    deadline = time.monotonic() + seconds

    def browse(person, seed: int) -> None:
        import random

        rng = random.Random(seed)
        client = signed_in_client(person)
        time.sleep(rng.uniform(*THINK_SECONDS))  # people do not all click at the same instant
        while time.monotonic() < deadline:
            kind, path, headers = pick(rng)
            counter.start_view()
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            took = time.perf_counter() - started
            calls, rate_limited = counter.view_counts()
            problem = showed_problem(response.content)
            views.append(View(kind, took, calls, rate_limited, response.status_code, problem))
            time.sleep(min(rng.uniform(*THINK_SECONDS), max(0.0, deadline - time.monotonic())))

    threads = [
        # Daemons: when the script is stopped, its cleanup need not wait for the deadline.
        threading.Thread(target=browse, args=(person, seed), daemon=True)
        for seed, person in enumerate(people)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        counter.uninstall()
    return views, upstream_calls(sandbox)


def browsing_seconds(description: str, default: float, quick: float) -> float:
    """The ``--quick`` and ``--seconds N`` options of a browsing bench."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=f"browse {quick:g} s")
    parser.add_argument("--seconds", type=float, help=f"how long to browse (default {default:g})")
    args = parser.parse_args()
    return args.seconds or (quick if args.quick else default)
