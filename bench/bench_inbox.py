"""Upstream calls made by 10 people working the inbox on one team key for a minute.

Ten threads, each a signed-in person of one team sharing one API key, for 60 s
with 1 to 3 s of think time: the inbox (40 % of views), a conversation with
one of the numbers that wrote in (30 %), and the navigation's unread badge,
which every open page polls (30 %). The mirror is filled once by a sync before
the minute starts, as the sync job keeps it. The sandbox (a child process,
20 ms latency) enforces the real limit of 60 calls a minute per key. Counted:
upstream calls against the reads' share of the minute (the limit less
SOCIOSTACKS_READ_RESERVE), 429 answers, views that showed a problem, and the
share of views served without any upstream call.

Run from the repository root: .venv/bin/python bench/bench_inbox.py [--quick] [--seconds N]
"""

from __future__ import annotations

import contextlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    PROBLEM_MARKER,
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
INBOX_SHARE, CONVERSATION_SHARE = 0.4, 0.3  # the rest: the badge
KINDS = ("inbox", "conversation", "badge")


def numbers_that_wrote_in() -> list[str]:
    from smsadmin.mirror.models import MirroredMessage

    numbers = (
        MirroredMessage.objects.filter(direction="received")
        .exclude(phone="")
        .values_list("phone", flat=True)
        .distinct()
    )
    found = sorted(numbers)
    if not found:
        raise RuntimeError("the sync mirrored no received message with a number")
    return found


def simulate(sandbox, people: list, seconds: float) -> tuple[list[View], int]:
    numbers = numbers_that_wrote_in()

    def pick(rng: random.Random) -> Pick:
        roll = rng.random()
        if roll < INBOX_SHARE:
            return "inbox", "/inbox/", {}
        if roll < INBOX_SHARE + CONVERSATION_SHARE:
            return "conversation", f"/conversations/{rng.choice(numbers)}/", {}
        return "badge", "/inbox/badge/", {"HX-Request": "true"}

    def showed_problem(content: bytes) -> bool:
        return PROBLEM_MARKER in content or b"Only the mirror" in content

    return team_browsing(sandbox, people, seconds, pick, showed_problem=showed_problem)


def report(views: list[View], calls: int, seconds: float) -> None:
    from django.conf import settings

    if not views:
        raise RuntimeError("no page was viewed")
    read_share = RATE_LIMIT - settings.SOCIOSTACKS_READ_RESERVE
    rate_limited = sum(view.rate_limited for view in views)
    from_cache = sum(1 for view in views if view.upstream_calls == 0)
    problems = [view for view in views if view.showed_problem or view.status != 200]
    counts = {kind: sum(1 for view in views if view.kind == kind) for kind in KINDS}
    window = f"in {seconds:g} s" if seconds < SECONDS else "in the minute"
    emit(
        "inbox_upstream_calls",
        calls,
        f"calls {window}",
        f"≤ {read_share} (the reads' share)",
        calls <= read_share,
        people=PEOPLE,
        **counts,
    )
    emit("inbox_429s", rate_limited, "", "0", rate_limited == 0)
    emit("inbox_views_with_problem", len(problems), "views", "0", not problems)
    emit(
        "inbox_views_from_cache",
        round(100 * from_cache / len(views), 1),
        "% of views",
        "context",
        None,
        views=len(views),
    )
    for kind in KINDS:
        timing = Timing.of([view.seconds for view in views if view.kind == kind])
        emit(f"inbox_{kind}_server_ms", timing.p50_ms, "ms", "context", None, p95=timing.p95_ms)


def main() -> None:
    seconds = browsing_seconds(__doc__.split("\n\n")[0], SECONDS, QUICK_SECONDS)
    stop_on_sigterm()
    with contextlib.ExitStack() as stack:
        sandbox = start_sandbox(rate_limit=RATE_LIMIT)
        stack.callback(sandbox.stop)
        site = prepare_site(sandbox.url)
        stack.callback(site.close)
        use_site_here(site)
        people = create_team([f"person{n}" for n in range(1, PEOPLE + 1)], role="sender")
        from django.core.management import call_command

        call_command("sync_messages", verbosity=0)
        progress(f"bench_inbox: {PEOPLE} people on the inbox for {seconds:g} s")
        views, calls = simulate(sandbox, people, seconds)
        report(views, calls, seconds)


if __name__ == "__main__":
    main()
