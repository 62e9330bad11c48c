"""Real `manage.py jobs_worker` processes against the sandbox at its real limit of 60.

Killed with SIGKILL mid-job, a worker leaves no duplicate POST behind; two
workers never take the same item; a cancel stops a running job within one
upstream call.
"""

import pytest

from smsadmin.sandbox.testing import running_sandbox
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY
from tests.jobs.worker_world import worker_world


@pytest.fixture(scope="module")
def at_sixty():
    with running_sandbox(
        api_keys=(RAW_KEY,), rate_limit=60, seed_messages=60, seed=3, tick_seconds=0
    ) as handle:
        yield handle


@pytest.fixture
def sandbox60(at_sixty):
    at_sixty.reset()
    at_sixty.control(reset_stats=True, reset_rate_limit=True, latency_ms=0)
    return at_sixty


@pytest.fixture(scope="module")
def migrated_world(tmp_path_factory, at_sixty):
    """One migrated database for the module: migrating takes longer than a test."""
    with worker_world(tmp_path_factory.mktemp("jobs-world"), at_sixty.url) as found:
        yield found


@pytest.fixture
def world(migrated_world, sandbox60):
    # The sandbox's minute starts afresh: so must what the site knows of it.
    migrated_world.execute("DELETE FROM smsadmin_cache")
    yield migrated_world
    migrated_world.stop_all()


def calls(sandbox, route: str) -> int:
    return sandbox.stats()["by_route"].get(route, 0)


def message_ids(sandbox, count: int) -> list[int]:
    page = SociostacksClient(RAW_KEY, base_url=sandbox.url).list_messages(1, 100)
    return [message.sms_id for message in page.items][:count]


def test_a_worker_killed_mid_post_leaves_no_duplicate_and_the_post_outcome_unknown(
    world, sandbox60
):
    device = SociostacksClient(RAW_KEY, base_url=sandbox60.url).all_devices()[0]
    numbers = [f"+491511234{n:04d}" for n in range(4)]
    job = world.create_job(
        kind="send",
        content="Your appointment is tomorrow",
        numbers=numbers,
        device_id=device.id,
        sim_id=device.sims[0].subscription_id,
    )
    sandbox60.control(reset_stats=True, latency_ms=1500)
    worker = world.start_worker()
    world.wait_for(lambda: calls(sandbox60, "POST /sms") == 1)
    world.kill(worker)  # upstream is still working on that POST
    sandbox60.control(latency_ms=0)
    assert world.item_states(job)[0] == "in_flight"

    world.start_worker()
    world.wait_for(lambda: world.job_state(job) == "done")

    assert world.item_states(job) == ["unknown", "done", "done", "done"]
    assert calls(sandbox60, "POST /sms") == 4  # one per number: the first was never sent again
    sent_to = [fields["phone_numbers"] for fields in sandbox60.stats()["last_post_fields"]]
    assert sorted(sent_to) == numbers
    (outcome,) = world.rows(
        "SELECT outcome FROM jobs_jobitem WHERE job_id = %s AND position = 0", (job,)
    )[0:1]
    assert "not known whether these messages were created" in outcome[0]


def test_a_worker_killed_mid_delete_resumes_and_the_delete_is_already_gone(world, sandbox60):
    ids = message_ids(sandbox60, 3)
    job = world.create_job(kind="delete", ids=ids)
    sandbox60.control(reset_stats=True, latency_ms=1500)
    worker = world.start_worker()
    world.wait_for(lambda: calls(sandbox60, "DELETE /sms/{id}") == 1)
    world.kill(worker)
    sandbox60.control(latency_ms=0)

    world.start_worker()
    world.wait_for(lambda: world.job_state(job) == "done")

    outcomes = world.rows(
        "SELECT outcome, attempts FROM jobs_jobitem WHERE job_id = %s ORDER BY position", (job,)
    )
    assert outcomes == [("already gone", 2), ("deleted", 1), ("deleted", 1)]


def test_a_cancel_stops_a_running_job_within_one_upstream_call(world, sandbox60):
    ids = message_ids(sandbox60, 20)
    job = world.create_job(kind="delete", ids=ids)
    sandbox60.control(reset_stats=True, latency_ms=300)
    world.start_worker()
    world.wait_for(lambda: world.item_states(job).count("done") >= 3)

    before = calls(sandbox60, "DELETE /sms/{id}")
    world.execute("UPDATE jobs_job SET cancel_requested = %s WHERE id = %s", (True, job))
    world.wait_for(lambda: world.job_state(job) == "cancelled")

    deletes = calls(sandbox60, "DELETE /sms/{id}")
    assert deletes - before <= 1
    states = world.item_states(job)
    assert states.count("done") == deletes and states.count("pending") == 20 - deletes


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_take_the_same_item(world, sandbox60):
    assert world.env["DATABASE_URL"].startswith("postgres"), "run with DATABASE_URL=postgres://"
    ids = message_ids(sandbox60, 24)
    jobs = [
        world.create_job(kind="delete", ids=ids[start : start + 8], extra_tasks=4)
        for start in (0, 8, 16)
    ]
    sandbox60.control(reset_stats=True, latency_ms=50)
    world.start_worker()
    world.start_worker()
    world.wait_for(lambda: all(world.job_state(job) == "done" for job in jobs))

    assert calls(sandbox60, "DELETE /sms/{id}") == 24
    items = world.rows(
        "SELECT sms_id, attempts, outcome FROM jobs_jobitem WHERE job_id = ANY(%s)", (jobs,)
    )
    assert sorted(sms_id for sms_id, _, _ in items) == sorted(ids)
    assert {(attempts, outcome) for _, attempts, outcome in items} == {(1, "deleted")}
    started = world.rows(
        "SELECT target FROM audit_auditevent WHERE action = 'delete' AND outcome = 'started' "
        "AND (details ->> 'job')::int = ANY(%s)",
        (jobs,),
    )
    assert len(started) == len({target for (target,) in started}) == 24
