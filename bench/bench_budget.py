"""Upstream calls made by 10 people browsing on one team key for a minute.

Ten threads, each a person with their own signed-in Django test Client, all in
one team sharing one API key, browse for 60 s with 1 to 3 s of think time:
message lists (page 1 to 5 of 25 or 50 rows, 60 % of views), message details
(of the 250 newest messages, 30 %) and the Scheduled page (10 %). The site runs
in-process, so every upstream call is attributed to the page view that made it;
its shared cache is the database, with the default freshness windows. The
sandbox (a child process, 20 ms latency) enforces the real limit of 60 calls a
minute per key, its window starting with the first call of the run. Counted:
upstream calls (by the sandbox), 429 answers the site received, page views,
the share of views served without any upstream call, and views that showed a
problem instead of messages.

Run from the repository root: .venv/bin/python bench/bench_budget.py [--quick] [--seconds N]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    SANDBOX_KEY,
    Timing,
    create_team,
    emit,
    prepare_site,
    progress,
    signed_in_client,
    start_sandbox,
    stop_on_sigterm,
    upstream_calls,
    use_site_here,
)

PEOPLE = 10
SECONDS = 60
QUICK_SECONDS = 15
RATE_LIMIT = 60
THINK_SECONDS = (1.0, 3.0)
LIST_SHARE, DETAIL_SHARE = 0.6, 0.3  # the rest: the Scheduled page
LIST_PAGES = range(1, 6)
LIST_SIZES = (25, 50)
NEWEST_MESSAGES = 250
PROBLEM_MARKER = b'class="problem"'
KINDS = ("list", "detail", "scheduled")


@dataclass(frozen=True)
class View:
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
        self._original = HTTPAdapter.send

    def install(self) -> None:
        counter = self

        def send(adapter: HTTPAdapter, request, *args, **kwargs):
            response = counter._original(adapter, request, *args, **kwargs)
            if request.url.startswith(counter.sandbox_url):
                counter.local.calls = getattr(counter.local, "calls", 0) + 1
                if response.status_code == 429:
                    counter.local.rate_limited = getattr(counter.local, "rate_limited", 0) + 1
            return response

        HTTPAdapter.send = send

    def uninstall(self) -> None:
        HTTPAdapter.send = self._original

    def start_view(self) -> None:
        self.local.calls = self.local.rate_limited = 0

    def view_counts(self) -> tuple[int, int]:
        return self.local.calls, self.local.rate_limited


def newest_message_ids(sandbox_url: str) -> list[int]:
    response = requests.get(
        f"{sandbox_url}/sms/?page=1&results_per_page={NEWEST_MESSAGES}",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=30,
    )
    response.raise_for_status()
    return [message["sms_id"] for message in response.json()["data"]]


def browse(
    person,
    seed: int,
    deadline: float,
    message_ids: list[int],
    counter: UpstreamCounter,
    views: list[View],
) -> None:
    rng = random.Random(seed)
    client = signed_in_client(person)
    time.sleep(rng.uniform(*THINK_SECONDS))  # people do not all click at the same instant
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < LIST_SHARE:
            kind = "list"
            path = f"/messages/?page={rng.choice(LIST_PAGES)}&size={rng.choice(LIST_SIZES)}"
        elif roll < LIST_SHARE + DETAIL_SHARE:
            kind, path = "detail", f"/messages/{rng.choice(message_ids)}/"
        else:
            kind, path = "scheduled", "/scheduled/"
        counter.start_view()
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
        calls, rate_limited = counter.view_counts()
        views.append(
            View(
                kind,
                seconds,
                calls,
                rate_limited,
                response.status_code,
                PROBLEM_MARKER in response.content,
            )
        )
        time.sleep(min(rng.uniform(*THINK_SECONDS), max(0.0, deadline - time.monotonic())))


def simulate(sandbox, people: list, seconds: float) -> tuple[list[View], int]:
    message_ids = newest_message_ids(sandbox.url)
    # The minute starts clean: no calls counted, a fresh rate-limit window.
    sandbox.control(reset_stats=True, reset_rate_limit=True)
    counter = UpstreamCounter(sandbox.url)
    counter.install()
    views: list[View] = []
    deadline = time.monotonic() + seconds
    threads = [
        # Daemons: when the script is stopped, its cleanup need not wait for the deadline.
        threading.Thread(
            target=browse, args=(person, seed, deadline, message_ids, counter, views), daemon=True
        )
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


def by_kind(views: list[View]) -> dict[str, int]:
    return {kind: sum(1 for view in views if view.kind == kind) for kind in KINDS}


def report(views: list[View], calls: int, seconds: float) -> None:
    if not views:
        raise RuntimeError("no page was viewed")
    rate_limited = sum(view.rate_limited for view in views)
    from_cache = sum(1 for view in views if view.upstream_calls == 0)
    problems = [view for view in views if view.showed_problem or view.status != 200]
    attributed = sum(view.upstream_calls for view in views)
    timing = Timing.of([view.seconds for view in views])
    window = f"in {seconds:g} s" if seconds < SECONDS else "in the minute"
    emit(
        "budget_upstream_calls",
        calls,
        f"calls {window}",
        f"≤ {RATE_LIMIT}",
        calls <= RATE_LIMIT,
        attributed_to_views=attributed,
        people=PEOPLE,
        seconds=seconds,
    )
    emit("budget_429s", rate_limited, "", "0", rate_limited == 0)
    emit(
        "budget_page_views",
        len(views),
        "views",
        "context",
        None,
        **by_kind(views),
    )
    emit(
        "budget_views_from_cache",
        round(100 * from_cache / len(views), 1),
        "% of views",
        "context",
        None,
        views_without_upstream_call=from_cache,
    )
    emit(
        "budget_views_with_problem",
        len(problems),
        "views",
        "0",
        not problems,
        **by_kind(problems),
    )
    emit(
        "budget_view_server_ms",
        timing.p50_ms,
        "ms",
        "context",
        None,
        p95=timing.p95_ms,
        runs=timing.runs,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"browse {QUICK_SECONDS} s")
    parser.add_argument("--seconds", type=float, help=f"how long to browse (default {SECONDS})")
    args = parser.parse_args()
    seconds = args.seconds or (QUICK_SECONDS if args.quick else SECONDS)
    stop_on_sigterm()
    with contextlib.ExitStack() as stack:
        sandbox = start_sandbox(rate_limit=RATE_LIMIT)
        stack.callback(sandbox.stop)
        site = prepare_site(sandbox.url)
        stack.callback(site.close)
        use_site_here(site)
        people = create_team([f"person{number}" for number in range(1, PEOPLE + 1)])
        progress(f"bench_budget: {PEOPLE} people browsing for {seconds:g} s")
        views, calls = simulate(sandbox, people, seconds)
        report(views, calls, seconds)


if __name__ == "__main__":
    main()
