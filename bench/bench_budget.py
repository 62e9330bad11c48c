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

import contextlib
import random
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    SANDBOX_KEY,
    Pick,
    Timing,
    View,
    browsing_seconds,
    create_team,
    emit,
    prepare_site,
    progress,
    start_sandbox,
    stop_on_sigterm,
    team_browsing,
    use_site_here,
)

PEOPLE = 10
SECONDS = 60
QUICK_SECONDS = 15
RATE_LIMIT = 60
LIST_SHARE, DETAIL_SHARE = 0.6, 0.3  # the rest: the Scheduled page
LIST_PAGES = range(1, 6)
LIST_SIZES = (25, 50)
NEWEST_MESSAGES = 250
KINDS = ("list", "detail", "scheduled")


def newest_message_ids(sandbox_url: str) -> list[int]:
    response = requests.get(
        f"{sandbox_url}/sms/?page=1&results_per_page={NEWEST_MESSAGES}",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=30,
    )
    response.raise_for_status()
    return [message["sms_id"] for message in response.json()["data"]]


def simulate(sandbox, people: list, seconds: float) -> tuple[list[View], int]:
    message_ids = newest_message_ids(sandbox.url)

    def pick(rng: random.Random) -> Pick:
        roll = rng.random()
        if roll < LIST_SHARE:
            size = rng.choice(LIST_SIZES)
            return "list", f"/messages/?page={rng.choice(LIST_PAGES)}&size={size}", {}
        if roll < LIST_SHARE + DETAIL_SHARE:
            return "detail", f"/messages/{rng.choice(message_ids)}/", {}
        return "scheduled", "/scheduled/", {}

    return team_browsing(sandbox, people, seconds, pick)


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
    seconds = browsing_seconds(__doc__.split("\n\n")[0], SECONDS, QUICK_SECONDS)
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
