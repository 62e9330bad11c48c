"""Checks 4 and 5 of issue #20: replicas, and the services beside web."""

import time

from tests.container.engine import (
    COMPOSE,
    Stack,
    env_flags,
    hardening_flags,
    inspect,
    podman,
    site_environment,
)


def test_two_replicas_started_at_once_apply_the_migrations_once(checks: Stack):
    database = checks.create_database()
    first = checks.web("replica-1", database)
    second = checks.web("replica-2", database)
    for replica in (first, second):
        assert replica.wait_until_serving().status_code == 200
    logs = [first.logs(), second.logs()]
    applying = [log.count("Applying ") for log in logs]
    assert sorted(applying)[0] == 0 and sorted(applying)[1] > 20, applying
    assert any("No migrations to apply." in log for log in logs), logs
    rows = checks.sql(
        database, "SELECT count(*), count(DISTINCT (app, name)) FROM django_migrations"
    )
    total, distinct = rows.split("|")
    assert total == distinct, rows
    # Both created the admin at most once between them.
    assert sum("Created the admin 'admin'." in log for log in logs) == 1, logs


def service_command(name: str) -> list[str]:
    return COMPOSE["services"][name]["command"]


def run_service(checks: Stack, name: str, database: str) -> str:
    """A compose service from the same image, with the flags and command compose gives it."""
    container = f"{name}-service"
    spec = COMPOSE["services"][name]
    flags = [*hardening_flags(name), *env_flags(site_environment(database))]
    if "entrypoint" in spec:
        import json

        flags += ["--entrypoint", json.dumps(spec["entrypoint"])]
    checks.run_command(container, flags, service_command(name))
    return container


def wait_for(predicate, what: str, container: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        state = inspect(container)["State"]
        assert state["Running"], f"{container} stopped: {podman('logs', container).stderr}"
        time.sleep(2)
    logs = podman("logs", container, check=False)
    raise AssertionError(f"{what} did not happen within {timeout}s:\n{logs.stdout}{logs.stderr}")


def test_the_worker_service_runs_the_recurring_sync(checks: Stack):
    assert service_command("worker")[-2:] == ["jobs_worker", "--no-reload"]
    database = checks.create_database()
    web = checks.web("worker-web", database)
    web.wait_until_serving()  # migrated, admin and its sandbox key stored
    container = run_service(checks, "worker", database)

    def mirrored() -> int:
        return int(checks.sql(database, "SELECT count(*) FROM mirror_mirroredmessage"))

    wait_for(lambda: mirrored() > 0, "a mirrored message", container)
    # The mirror answers the signed-in search, as the site uses it.
    assert inspect(container)["State"]["Running"]
