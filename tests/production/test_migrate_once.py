"""The container entrypoint's migrate step: once, however many replicas start together."""

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.production.helpers import ROOT, production_env, run_python


def test_on_an_up_to_date_database_there_is_nothing_to_apply(db, capsys):
    call_command("migrate_once", wait=5)
    assert "No migrations to apply" in capsys.readouterr().out


def test_an_unreachable_database_is_waited_for_then_reported(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/smsadmin")
    result = run_python(["manage.py", "migrate_once", "--wait", "1"], env)
    assert result.returncode == 1
    assert "The database did not answer within 1 seconds" in result.stderr
    assert "Traceback" not in result.stderr


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server the suite runs on; its URL."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    name = f"smsadmin_migrate_once_{uuid.uuid4().hex[:10]}"
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


@pytest.mark.postgres
@pytest.mark.django_db
def test_two_replicas_starting_together_migrate_once(tmp_path):
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://... (make test-postgres)"
    )
    with fresh_postgres_database() as url:
        outputs = start_two_replicas(production_env(tmp_path, DATABASE_URL=url))
        applied = [out for out in outputs if "Applying accounts.0001_initial... OK" in out]
        idle = [out for out in outputs if "No migrations to apply" in out]
        assert len(applied) == 1 and len(idle) == 1, outputs
        with psycopg.connect(url) as check:
            duplicates = check.execute(
                "SELECT app, name FROM django_migrations GROUP BY app, name HAVING count(*) > 1"
            ).fetchall()
            applied_count = check.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert duplicates == []
        assert applied_count > 10


def start_two_replicas(env: dict[str, str]) -> list[str]:
    """Run migrate_once twice at the same moment; both must succeed. Their outputs."""
    command = [sys.executable, "manage.py", "migrate_once", "--wait", "30"]
    replicas = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    for replica in replicas:
        out, err = replica.communicate(timeout=180)
        assert replica.returncode == 0, out + err
        outputs.append(out)
    return outputs
