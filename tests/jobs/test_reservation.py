"""The jobs' share is a reservation: while a job runs, people's reads leave it alone."""

import pytest

from smsadmin.jobs import pacing, running
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.errors import BudgetKeptForWrites
from tests.conftest import RAW_KEY
from tests.jobs.conftest import delete_job, upstream_ids

FP = budget.key_fingerprint(RAW_KEY)


class Upstream:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"answer {self.calls}"


def read(upstream: Upstream, name: str):
    return budget.cached_read(FP, name, upstream, fresh_for=30)


def test_without_a_job_reads_may_take_all_but_the_writes_reserve(time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    upstream = Upstream()
    for n in range(55):
        read(upstream, f"detail-{n}")
    assert upstream.calls == 55


def test_while_a_job_runs_reads_leave_its_share_and_serve_their_older_copy(time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    upstream = Upstream()
    read(upstream, "page-1")  # a copy a person saw earlier
    budget.invalidate(FP)
    pacing.reserve(FP)  # (60 - 5) * 0.5: 27 calls a minute kept for the job
    assert budget.jobs_reserved(FP) == 27

    for n in range(27):  # 28 reads in all this minute, with the first one
        assert read(upstream, f"detail-{n}").is_fresh
    stale = read(upstream, "page-1")

    assert upstream.calls == 28
    assert not stale.is_fresh and stale.value == "answer 1"
    assert stale.reason == budget.BUDGET_NEARLY_SPENT and stale.refresh_in == 55
    with pytest.raises(BudgetKeptForWrites):
        read(upstream, "never-read")
    # The job itself may still make its 27 calls of the minute.
    assert pacing.refusal(FP) is None

    time_machine.move_to("2026-11-26 10:01:01", tick=False)
    assert read(upstream, "page-1").is_fresh


def test_upstreams_own_count_keeps_what_the_job_has_yet_to_spend(time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    upstream = Upstream()
    read(upstream, "page-1")
    budget.invalidate(FP)
    pacing.reserve(FP)
    for _ in range(20):
        pacing.count_job_call(FP)  # 7 of the job's 27 left this minute
    # Upstream's minute started earlier than ours: it says only 12 calls are left.
    budget.record_response(
        FP, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "12"}, status=200
    )

    stale = read(upstream, "page-1")

    assert not stale.is_fresh and stale.reason == budget.BUDGET_NEARLY_SPENT
    assert upstream.calls == 1


@pytest.mark.django_db
def test_a_finished_job_gives_the_minute_back_to_reads(owner, key, on_sandbox):
    job = delete_job(owner, key, upstream_ids(on_sandbox, 2))
    fingerprint = key.client().fingerprint

    running.run_slice(job.pk, sleep=lambda seconds: None)

    job.refresh_from_db()
    assert job.state == job.State.DONE
    assert budget.jobs_reserved(fingerprint) == 0


def test_the_minutes_counted_are_upstreams_once_an_answer_says_when_its_minute_ends(
    time_machine, settings
):
    settings.SMSADMIN_JOBS_BUDGET_SHARE = 0.1  # 5 calls a minute
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    # Upstream's minute began at 09:59:25 (the key's first request): it ends in 20 s.
    budget.record_response(
        FP,
        {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "50", "X-RateLimit-Reset": "20"},
        status=200,
    )
    for _ in range(5):
        pacing.count_job_call(FP)

    wait = pacing.refusal(FP)
    assert wait is not None and wait.reason == pacing.SHARE_SPENT and wait.seconds == 20

    time_machine.move_to("2026-11-26 10:00:26", tick=False)  # upstream's next minute
    assert pacing.refusal(FP) is None


def test_a_read_that_took_several_calls_takes_as_many_of_the_minutes_slots(time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)

    def directory_of_three_pages() -> str:
        for _ in range(3):
            budget.count_call(FP)  # what the client does for each HTTP request
        return "all contacts"

    budget.cached_read(FP, "contacts", directory_of_three_pages, fresh_for=30)
    upstream = Upstream()
    for n in range(52):
        budget.cached_read(FP, f"detail-{n}", upstream, fresh_for=30)

    # 3 slots for the directory, 52 for the rest: 55 in all, as many as calls were made.
    assert upstream.calls == 52
    with pytest.raises(BudgetKeptForWrites):
        budget.cached_read(FP, "detail-52", upstream, fresh_for=30)
