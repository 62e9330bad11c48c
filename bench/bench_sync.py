"""First sync of the mirror: how long 100,000 messages take at Sociostacks' 60 calls a minute.

Waiting ~4 minutes per 100,000 messages in a benchmark is too slow to repeat,
so this measures two things and derives the third:

1. paced: a real first sync of a scaled account (30,000 messages; 10,000 with
   --quick) against the sandbox at 60 calls/min and 20 ms per call, run the
   way ``sync_messages --loop`` runs it (a run, a wait for the budget, a run),
   with the default budget share of 0.5. Its calls and wall time are measured.
2. estimate: the calls a first sync of 100,000 needs (one page of 1000 per
   call, the account/devices/contacts reads, one step back per resumed
   pause, the closing read of new messages), divided by the calls the share
   allows per minute.
3. unlimited: a real first sync of 100,000 with the rate limit off (sandbox
   unlimited, no latency, share raised so nothing waits): the cost that is
   not network, parsing and database writes, on SQLite and (with
   DATABASE_URL=postgres://…) PostgreSQL. Then a second, incremental run with
   nothing new.

Run from the repository root: .venv/bin/python bench/bench_sync.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    PYTHON,
    SANDBOX_KEY,
    SANDBOX_LATENCY_MS,
    create_team,
    emit,
    is_postgres,
    prepare_site,
    progress,
    stop_on_sigterm,
    use_site_here,
)

RATE_LIMIT = 60
SHARE = 0.5
PACED_MESSAGES = 30_000
QUICK_PACED_MESSAGES = 10_000
FULL_MESSAGES = 100_000
PAGE = 1000
# GET /user, GET /devices, GET /contacts (the sandbox's 40 contacts fit one page).
FIXED_CALLS = 3
UNLIMITED_SHARE = "1000"  # the sync's own cap out of the way, as upstream's is


def _sandbox(messages: int, *, rate_limit: int, latency_ms: int):
    from smsadmin.sandbox.testing import spawn_sandbox_process

    return spawn_sandbox_process(
        api_keys=(SANDBOX_KEY,),
        rate_limit=rate_limit,
        latency_ms=latency_ms,
        seed_messages=messages,
        tick_seconds=0,  # nothing changes on its own while we measure
        inbound_one_in=0,
        startup_timeout=120,
    )


def _first_sync(key, *, sleep: bool) -> tuple[float, list, float]:
    """Runs until current, waiting for the budget between runs as --loop does."""
    from smsadmin.mirror import sync

    reports = []
    waited = 0.0
    started = time.perf_counter()
    while True:
        report = sync.run(key, holder="bench")
        reports.append(report)
        if report.error:
            raise RuntimeError(report.error)
        if report.up_to_date:
            return time.perf_counter() - started, reports, waited
        if not sleep:
            raise RuntimeError(f"paused without a rate limit: {report.paused}")
        progress(f"  run {len(reports)}: {report.calls} calls, waiting {report.wait_seconds} s")
        waited += report.wait_seconds
        time.sleep(report.wait_seconds)


def calls_for_first_sync(messages: int, per_minute: int) -> tuple[int, int]:
    """(calls, minutes) a first sync of ``messages`` needs at ``per_minute`` calls."""
    pages = math.ceil(messages / PAGE)
    calls = FIXED_CALLS + pages + 1  # and the closing read of anything new
    minutes = math.ceil(calls / per_minute)
    # A paused walk re-reads a page when it resumes (nothing moved meanwhile).
    while (with_resumes := calls + minutes - 1) > minutes * per_minute:
        minutes += 1
    return with_resumes, minutes


def paced(messages: int) -> None:
    sandbox = _sandbox(messages, rate_limit=RATE_LIMIT, latency_ms=SANDBOX_LATENCY_MS)
    site = prepare_site(sandbox.url, SMSADMIN_SYNC_BUDGET_SHARE=str(SHARE))
    try:
        use_site_here(site)
        from smsadmin.keys.models import ApiKey
        from smsadmin.mirror.models import MirroredMessage

        create_team(["mira"])
        key = ApiKey.objects.get()
        progress(f"paced: first sync of {messages:,} at {RATE_LIMIT}/min, share {SHARE}")
        seconds, reports, waited = _first_sync(key, sleep=True)
        calls = sandbox.stats()["requests"]
        assert MirroredMessage.objects.count() == messages
        emit(
            f"mirror_first_sync_{messages // 1000}k_at_{RATE_LIMIT}_per_min",
            round(seconds, 1),
            "s",
            "context: a real paced run, scaled down",
            None,
            upstream_calls=calls,
            runs=len(reports),
            most_calls_in_a_run=max(report.calls for report in reports),
            share_per_minute=int(RATE_LIMIT * SHARE),
            seconds_waiting_for_budget=round(waited, 1),
        )
        per_minute = int(RATE_LIMIT * SHARE)
        model_calls, _ = calls_for_first_sync(messages, per_minute)
        needed, minutes = calls_for_first_sync(FULL_MESSAGES, per_minute)
        # A run spends its share at once and then waits out the minute, so the
        # last minute's run ends within seconds: (minutes - 1) full minutes.
        work_per_call = (seconds - waited) / calls
        estimate = (minutes - 1) * 60 + (needed - (minutes - 1) * per_minute) * work_per_call
        emit(
            f"mirror_first_sync_100k_at_{RATE_LIMIT}_per_min_estimate",
            round(estimate / 60, 1),
            "min",
            "context: calls needed / calls the share allows per minute",
            None,
            calls_needed=needed,
            minutes_of_budget=minutes,
            calls_per_minute=per_minute,
            paced_run_calls_predicted=model_calls,
            paced_run_calls_measured=calls,
        )
    finally:
        site.close()
        sandbox.stop()


def unlimited(target: str) -> None:
    sandbox = _sandbox(FULL_MESSAGES, rate_limit=0, latency_ms=0)
    database_url = os.environ.get("DATABASE_URL") if target == "postgres" else None
    site = prepare_site(
        sandbox.url, database_url=database_url, SMSADMIN_SYNC_BUDGET_SHARE=UNLIMITED_SHARE
    )
    try:
        use_site_here(site)
        from smsadmin.keys.models import ApiKey
        from smsadmin.mirror import sync
        from smsadmin.mirror.models import MirroredMessage

        create_team(["mira"])
        key = ApiKey.objects.get()
        progress(f"unlimited ({target}): first sync of {FULL_MESSAGES:,}")
        seconds, _, _ = _first_sync(key, sleep=False)
        calls = sandbox.stats()["requests"]
        assert MirroredMessage.objects.count() == FULL_MESSAGES
        emit(
            f"mirror_first_sync_100k_unlimited_{target}",
            round(seconds, 1),
            "s",
            "context: no rate limit, no latency: the cost that is not network",
            None,
            upstream_calls=calls,
            messages_per_second=round(FULL_MESSAGES / seconds),
        )
        started = time.perf_counter()
        report = sync.run(key, holder="bench")
        emit(
            f"mirror_incremental_sync_100k_nothing_new_{target}",
            round((time.perf_counter() - started) * 1000),
            "ms",
            "context: the newest page, and re-reads of still-pending messages",
            None,
            upstream_calls=sandbox.stats()["requests"] - calls,
            up_to_date=report.up_to_date,
        )
    finally:
        site.close()
        sandbox.stop()


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a paced run of 10,000")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.part == "paced":
        paced(QUICK_PACED_MESSAGES if arguments.quick else PACED_MESSAGES)
        return
    if arguments.part:
        unlimited(arguments.part)
        return
    targets = ["sqlite"] + (["postgres"] if is_postgres(os.environ.get("DATABASE_URL")) else [])
    # Django is configured once per process: each part gets its own.
    for part in ["paced", *targets]:
        command = [PYTHON, __file__, "--part", part]
        if arguments.quick:
            command.append("--quick")
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
