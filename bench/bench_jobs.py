"""1,000 deletes as a job while three people browse on the same key, at the real limit.

The sandbox (a child process, 20 ms latency) enforces 60 calls a minute per
key. One team shares its key: a delete job of the newest N messages (1,000;
100 with --quick) runs in a real `manage.py jobs_worker` process, while three
people, in-process with their own signed-in test Client, browse message list
pages (1 to 3 s of think time) until the job is done. Measured: the 429
answers anyone got (the worker's, from the audit log; the people's, at the
transport), page views that answered an error or showed a problem, the job's
duration against what its budget share allows (N calls at
SMSADMIN_JOBS_BUDGET_SHARE of the minute after the read reserve), and the
people's median page time.

Run from the repository root: .venv/bin/python bench/bench_jobs.py [--quick] [--deletes N]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    PROBLEM_MARKER,
    PYTHON,
    REPO_ROOT,
    SANDBOX_KEY,
    Timing,
    UpstreamCounter,
    View,
    emit,
    prepare_site,
    progress,
    signed_in_client,
    start_sandbox,
    stop_on_sigterm,
    use_site_here,
)

PEOPLE = 3
DELETES = 1000
QUICK_DELETES = 100
RATE_LIMIT = 60
THINK_SECONDS = (1.0, 3.0)
WITHIN = 0.10


def team_of(count: int):
    from django.contrib.auth.models import Group

    from smsadmin.accounts.models import Team, User
    from smsadmin.keys.models import ApiKey

    team = Team.objects.create(name="Operations")
    sender = Group.objects.get(name="sender")
    people = []
    for number in range(1, count + 1):
        person = User.objects.create_user(username=f"person{number}", password="x" * 20)
        person.groups.add(sender)
        team.members.add(person)
        people.append(person)
    key = ApiKey(label="Team key", team=team)
    key.set_secret(SANDBOX_KEY)
    key.save()
    return people, key


def newest_ids(key, count: int) -> list[int]:
    client = key.client()
    ids: list[int] = []
    page = 1
    while len(ids) < count:
        found = client.list_messages(page, 1000).items
        if not found:
            break
        ids += [message.sms_id for message in found]
        page += 1
    return ids[:count]


def browse(person, seed: int, done: threading.Event, counter, views: list[View]) -> None:
    rng = random.Random(seed)
    client = signed_in_client(person)
    time.sleep(rng.uniform(*THINK_SECONDS))
    while not done.is_set():
        counter.start_view()
        started = time.perf_counter()
        response = client.get(f"/messages/?page={rng.randint(1, 5)}&size=25")
        seconds = time.perf_counter() - started
        calls, rate_limited = counter.view_counts()
        views.append(
            View(
                "list",
                seconds,
                calls,
                rate_limited,
                response.status_code,
                PROBLEM_MARKER in response.content,
            )
        )
        done.wait(rng.uniform(*THINK_SECONDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DELETES} deletes")
    parser.add_argument("--deletes", type=int, help=f"how many (default {DELETES})")
    args = parser.parse_args()
    deletes = args.deletes or (QUICK_DELETES if args.quick else DELETES)
    stop_on_sigterm()
    with contextlib.ExitStack() as stack:
        sandbox = start_sandbox(rate_limit=RATE_LIMIT)
        stack.callback(sandbox.stop)
        site = prepare_site(sandbox.url)
        stack.callback(site.close)
        use_site_here(site)

        from smsadmin.audit.models import AuditEvent
        from smsadmin.audit.recorder import Who
        from smsadmin.jobs import pacing
        from smsadmin.jobs.models import Job
        from smsadmin.jobs.running import create_job, delete_items

        people, key = team_of(PEOPLE)
        ids = newest_ids(key, deletes)
        time.sleep(61)  # a fresh upstream minute for the run
        sandbox.control(reset_stats=True, reset_rate_limit=True)
        from django.core.cache import cache

        cache.clear()
        job = create_job(
            owner=people[0],
            api_key=key,
            kind=Job.Kind.DELETE,
            title=f"Delete {len(ids)} messages",
            items=delete_items([(sms_id, False) for sms_id in ids]),
            who=Who(actor=people[0], actor_username=people[0].username),
        )
        per_minute = pacing.per_minute(key.client().fingerprint)
        progress(f"bench_jobs: {len(ids)} deletes at {per_minute}/min, {PEOPLE} people browsing")
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "jobs_worker", "--no-reload", "--no-sync", "-v", "0"],
            cwd=REPO_ROOT,
            env=site.env,
        )
        stack.callback(worker.kill)
        counter = UpstreamCounter(sandbox.url)
        counter.install()
        stack.callback(counter.uninstall)
        views: list[View] = []
        done = threading.Event()
        threads = [
            threading.Thread(target=browse, args=(p, n, done, counter, views), daemon=True)
            for n, p in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        # What the job waited for, sampled every second: where its time went.
        waits: collections.Counter[str] = collections.Counter()
        while True:
            job.refresh_from_db()
            if not job.is_active:
                break
            waits[f"{job.state}: {job.problem}" if job.problem else job.state] += 1
            time.sleep(1)
        done.set()
        for thread in threads:
            thread.join()

        seconds = (job.finished_at - job.started_at).total_seconds()
        # N calls at per_minute a minute: full minutes, then the last part-minute's calls.
        allowed = (len(ids) // per_minute) * 60 + (len(ids) % per_minute)
        worker_429 = AuditEvent.objects.filter(upstream_status=429).count()
        people_429 = sum(view.rate_limited for view in views)
        bad = [view for view in views if view.status != 200 or view.showed_problem]
        timing = Timing.of([view.seconds for view in views])
        emit("jobs_deleted", job.counts()["done"], f"of {len(ids)}", str(len(ids)),
             job.counts()["done"] == len(ids), state=job.state)  # fmt: skip
        emit("jobs_429s", worker_429 + people_429, "", "0", worker_429 + people_429 == 0,
             worker=worker_429, people=people_429)  # fmt: skip
        emit("jobs_pages_with_error", len(bad), "views", "0", not bad, views=len(views))
        emit("jobs_duration_s", round(seconds, 1), "s",
             f"within 10 % of {allowed} s ({per_minute} calls/min)",
             abs(seconds - allowed) <= WITHIN * allowed)  # fmt: skip
        emit("jobs_wait_seconds", sum(waits.values()), "s", "context", None, **dict(waits))
        emit("jobs_people_page_ms", timing.p50_ms, "ms", "context", None, p95=timing.p95_ms,
             runs=timing.runs)  # fmt: skip


if __name__ == "__main__":
    main()
