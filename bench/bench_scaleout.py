"""Scale-out: two site processes and a worker share PostgreSQL and Redis; the budget holds.

Two gunicorn processes (1 worker x 4 threads each, on two loopback ports) and
one background worker (``manage.py jobs_worker``: the recurring mirror sync)
serve one site: one PostgreSQL database and one Redis cache (``CACHE_URL``,
under a key prefix of its own, removed afterwards). The sandbox (a child
process, 20 ms latency) enforces the real limit of 60 calls a minute per key,
its window starting when the people start. Ten people of one team, each with
their own session, browse one key for 60 s with 1 to 3 s of think time, every
request going to either process at random: message lists (page 1 to 5 of 25
or 50 rows, 60 %), message details (of the 250 newest, 30 %) and the Scheduled
page (10 %), over HTTP.

Counted: upstream calls in the window (by the sandbox; the worker's sync
included), 429 answers any process received (every upstream call is logged
with its status and the request id it was made for), views that were not a
200 or showed a problem instead of messages, and the share of views served
without any upstream call (a view whose request id made none).

Needs DATABASE_URL pointing at PostgreSQL and Redis at REDIS_URL (default
redis://127.0.0.1:6379/0). Run from the repository root:
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_scaleout.py [--seconds N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_budget import (
    DETAIL_SHARE,
    LIST_PAGES,
    LIST_SHARE,
    LIST_SIZES,
    PROBLEM_MARKER,
    THINK_SECONDS,
    newest_message_ids,
)
from bench.common import (
    PYTHON,
    REPO_ROOT,
    Timing,
    create_team,
    emit,
    http_session,
    is_postgres,
    prepare_site,
    progress,
    start_gunicorn,
    start_sandbox,
    stop_on_sigterm,
    use_site_here,
)

PEOPLE = 10
SECONDS = 60
RATE_LIMIT = 60
PROCESSES = 2
THREADS = 4
WORKER_INTERVAL_SECONDS = 30
# One line per upstream call, written by the Sociostacks client (observability.py).
_CALL = re.compile(r"request_id=(\S+) method=\S+ path=\S+ status=(\S+)")


@dataclass(frozen=True)
class View:
    kind: str
    process: int
    seconds: float
    status: int
    showed_problem: bool
    request_id: str


def browse(
    session: requests.Session,
    urls: list[str],
    seed: int,
    deadline: float,
    message_ids: list[int],
    views: list[View],
) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(*THINK_SECONDS))
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < LIST_SHARE:
            kind = "list"
            path = f"/messages/?page={rng.choice(LIST_PAGES)}&size={rng.choice(LIST_SIZES)}"
        elif roll < LIST_SHARE + DETAIL_SHARE:
            kind, path = "detail", f"/messages/{rng.choice(message_ids)}/"
        else:
            kind, path = "scheduled", "/scheduled/"
        process = rng.randrange(len(urls))
        started = time.perf_counter()
        try:
            response = session.get(urls[process] + path, timeout=30, allow_redirects=False)
            status, content = response.status_code, response.content
            request_id = response.headers.get("X-Request-ID", "")
        except requests.RequestException as exc:
            progress(f"  {path} on process {process}: {exc!r}")
            status, content, request_id = 0, b"", ""
        seconds = time.perf_counter() - started
        views.append(View(kind, process, seconds, status, PROBLEM_MARKER in content, request_id))
        time.sleep(min(rng.uniform(*THINK_SECONDS), max(0.0, deadline - time.monotonic())))


def upstream_log(paths: list[Path]) -> tuple[Counter[str], int, int]:
    """Upstream calls per request id, calls made outside any request, and 429s received."""
    per_request: Counter[str] = Counter()
    outside = rate_limited = 0
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            found = _CALL.search(line)
            if not found:
                continue
            request_id, status = found.groups()
            if request_id == "-":
                outside += 1
            else:
                per_request[request_id] += 1
            rate_limited += status == "429"
    return per_request, outside, rate_limited


def forget_cache(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)


def run(database_url: str, redis_url: str, seconds: float) -> None:
    prefix = f"smsadmin-bench-{uuid.uuid4().hex[:8]}"
    with contextlib.ExitStack() as stack:
        sandbox = start_sandbox(rate_limit=RATE_LIMIT)
        stack.callback(sandbox.stop)
        site = prepare_site(sandbox.url, database_url=database_url, LOG_LEVEL="INFO")
        stack.callback(site.close)
        site.env["CACHE_URL"] = f"{redis_url}?key_prefix={prefix}"
        stack.callback(forget_cache, redis_url, prefix)
        use_site_here(site)
        people = create_team([f"person{n}" for n in range(PEOPLE)])
        sessions = [http_session(person) for person in people]
        servers = [
            start_gunicorn(site, workers=1, threads=THREADS, name=f"site{n}")
            for n in range(PROCESSES)
        ]
        message_ids = newest_message_ids(sandbox.url)
        # The minute starts clean: no calls counted, a fresh rate-limit window.
        sandbox.control(reset_stats=True, reset_rate_limit=True)
        worker_log = site.directory / "worker.log"
        with worker_log.open("w") as log:
            worker = subprocess.Popen(
                [PYTHON, "manage.py", "jobs_worker", "--no-reload"],
                cwd=REPO_ROOT,
                env={**site.env, "SMSADMIN_SYNC_INTERVAL": str(WORKER_INTERVAL_SECONDS)},
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        stack.callback(lambda: (worker.terminate(), worker.wait(timeout=30)))
        progress(f"scale-out: {PEOPLE} people browse {len(servers)} processes for {seconds:g} s")
        views: list[View] = []
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=browse,
                args=(session, [s.url for s in servers], seed, deadline, message_ids, views),
                daemon=True,
            )
            for seed, session in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        calls = sandbox.stats()["requests"]
        worker.terminate()
        worker.wait(timeout=30)
        for server in servers:
            server.stop()
        for server in servers:  # a worker gunicorn had to restart shows here
            for line in server.log_path.read_text(errors="replace").splitlines():
                if "[CRITICAL]" in line or "[ERROR]" in line or "level=ERROR" in line:
                    progress(f"  {server.log_path.name}: {line[:300]}")
        per_request, outside, rate_limited = upstream_log(
            [server.log_path for server in servers] + [worker_log]
        )
        report(views, calls, per_request, outside, rate_limited, seconds)


def report(
    views: list[View],
    calls: int,
    per_request: Counter[str],
    outside: int,
    rate_limited: int,
    seconds: float,
) -> None:
    if not views:
        raise RuntimeError("no page was viewed")
    problems = [view for view in views if view.showed_problem or view.status != 200]
    from_cache = [view for view in views if view.request_id and not per_request[view.request_id]]
    timing = Timing.of([view.seconds for view in views])
    per_process = {
        f"process_{n}": count for n, count in sorted(Counter(v.process for v in views).items())
    }
    emit("scaleout_upstream_calls", calls, f"calls in {seconds:g} s", f"≤ {RATE_LIMIT}",
         calls <= RATE_LIMIT, made_for_views=sum(per_request.values()),
         made_by_worker_or_outside_views=outside, people=PEOPLE, processes=PROCESSES)  # fmt: skip
    emit("scaleout_429s", rate_limited, "", "0", rate_limited == 0)
    emit("scaleout_views_with_problem", len(problems), "views", "0", not problems,
         statuses=dict(Counter(view.status for view in problems)))  # fmt: skip
    emit("scaleout_views_from_cache", round(100 * len(from_cache) / len(views), 1),
         "% of views", "context: the share served without an upstream call", None,
         views=len(views), **per_process)  # fmt: skip
    emit("scaleout_view_http_ms", timing.p50_ms, "ms", "context: end to end over HTTP", None,
         p95=timing.p95_ms, runs=timing.runs)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="browse 20 s")
    parser.add_argument("--seconds", type=float, help=f"how long to browse (default {SECONDS})")
    args = parser.parse_args()
    seconds = args.seconds or (20 if args.quick else SECONDS)
    stop_on_sigterm()
    database_url = os.environ.get("DATABASE_URL")
    if not is_postgres(database_url):
        raise SystemExit("bench_scaleout needs DATABASE_URL pointing at PostgreSQL")
    run(database_url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), seconds)


if __name__ == "__main__":
    main()
