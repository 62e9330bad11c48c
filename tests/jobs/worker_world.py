"""Real worker processes (``manage.py jobs_worker``) on a database of their own.

The test process sets the world up through ``manage.py shell``, starts and
kills workers as an operator (or a crash) would, and reads the database
directly to see what they did. SQLite or PostgreSQL, as the suite runs.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection

from tests.conftest import RAW_KEY
from tests.production.helpers import ROOT

WAIT_SECONDS = 60.0

_SETUP = """
import json, os
from smsadmin.accounts.models import User
from smsadmin.audit.recorder import Who
from smsadmin.jobs.models import Job
from smsadmin.jobs.running import create_job, delete_items, enqueue
from smsadmin.jobs.sends import send_items
from smsadmin.keys.models import ApiKey

spec = json.loads(os.environ["WORLD_JOB"])
user = User.objects.filter(username="olga").first()
if user is None:
    user = User.objects.create_user(username="olga", password="correct horse battery")
    key = ApiKey(label="Ops", owner=user, created_by=user)
    key.set_secret(os.environ["WORLD_KEY"])
    key.save()
key = ApiKey.objects.get(owner=user)
if spec["kind"] == "delete":
    items = delete_items([(sms_id, False) for sms_id in spec["ids"]])
else:
    items = []
    for number in spec["numbers"]:
        items += send_items(spec["content"], [number], spec["device_id"], spec["sim_id"])
job = create_job(owner=user, api_key=key, kind=spec["kind"], title=spec["kind"], items=items,
                 who=Who(actor=user, actor_username="olga"))
# Extra tasks for the same job: several workers then race for it.
for _ in range(spec.get("extra_tasks", 0)):
    enqueue(job.pk)
print(json.dumps({"job": job.pk}))
"""


@dataclass
class World:
    env: dict[str, str]
    url: str
    workers: list[subprocess.Popen] = field(default_factory=list)

    # --- processes ---------------------------------------------------------

    def manage(self, *args: str, extra: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def create_job(self, **spec: Any) -> int:
        out = self.manage(
            "shell", "-c", _SETUP, extra={"WORLD_JOB": json.dumps(spec), "WORLD_KEY": RAW_KEY}
        )
        return json.loads(out.strip().splitlines()[-1])["job"]

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--no-sync", "--no-reload",
             "--no-startup-delay", "--interval", "0.2", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        self.workers.clear()

    # --- looking at the database ----------------------------------------------

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.execute(sql, params, fetch=True)

    def execute(self, sql: str, params: tuple = (), *, fetch: bool = False) -> list[tuple]:
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as db:
                cursor = db.execute(sql.replace("%s", "?"), params)
                return cursor.fetchall() if fetch else []
        with psycopg.connect(url) as db:
            cursor = db.execute(sql, params)
            return cursor.fetchall() if fetch else []

    def job_state(self, job_id: int) -> str:
        return self.rows("SELECT state FROM jobs_job WHERE id = %s", (job_id,))[0][0]

    def item_states(self, job_id: int) -> list[str]:
        found = self.rows(
            "SELECT state FROM jobs_jobitem WHERE job_id = %s ORDER BY position", (job_id,)
        )
        return [state for (state,) in found]

    def wait_for(self, what: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what():
                return
            time.sleep(0.05)
        raise AssertionError(f"waited {timeout} s in vain")


def _environment(database_url: str, sandbox_url: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "PYTEST"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "smsadmin.settings",
            "SMSADMIN_READ_DOTENV": "0",
            "SECRET_KEY": "worker-world-secret",
            "SMSADMIN_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0xLW5vdC00LXByb2Q=",
            "SMSADMIN_AUDIT_KEY": "worker-world-audit-key",
            "DATABASE_URL": database_url,
            "SOCIOSTACKS_API_URL": sandbox_url,
            # A dead worker's hold on a job runs out quickly, so the test need not wait a minute.
            "SMSADMIN_JOBS_LEASE_SECONDS": "3",
        }
    )
    return env


@contextmanager
def _database(tmp_path: Path) -> Iterator[str]:
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'world.sqlite3'}"
        return
    params = connection.get_connection_params()
    for unwanted in ("cursor_factory", "context"):
        params.pop(unwanted, None)
    params["dbname"] = "postgres"
    name = f"smsadmin_jobs_world_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**params, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    try:
        yield f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**params, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def worker_world(tmp_path: Path, sandbox_url: str) -> Iterator[World]:
    with _database(tmp_path) as url:
        world = World(_environment(url, sandbox_url), url)
        world.manage("migrate", "--noinput", "-v", "0")
        try:
            yield world
        finally:
            world.stop_all()
