"""Benchmark: the compose screen checking 10,000 pasted recipients, server side.

Times what the live check endpoint does for one keystroke pause (the form,
the recipients check, the rendered fragment) and what a submit does (the
whole form's validation), on the same paste bench_recipients.py uses.

Run from the repository root: .venv/bin/python bench/bench_compose_check.py
Prints one JSON line for each, with the best and median of 5 runs.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from bench_recipients import DEFAULT_REGION, ENTRIES, GOAL_S, build_paste  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402

from smsadmin.sms.compose.forms import ComposeForm  # noqa: E402
from smsadmin.sociostacks.types import Device  # noqa: E402

RUNS = 5
DEVICE = Device.from_json(
    {"id": 1, "name": "Pixel", "sims": [{"subscription_id": 1, "slot_index": 0}]}
)


def form(paste: str) -> ComposeForm:
    data = QueryDict(mutable=True)
    data.update(
        {
            "content": "The office is closed on Friday.",
            "recipients": paste,
            "skip_invalid": "on",
            "device": "1",
            "sim": "1:1",
            "when": "now",
        }
    )
    return ComposeForm(
        data,
        devices=[DEVICE],
        zone=ZoneInfo("Europe/Berlin"),
        region=DEFAULT_REGION,
        now=datetime.now(UTC) - timedelta(seconds=1),
    )


def live_check(paste: str) -> int:
    checked = form(paste)
    check = checked.recipient_check
    render_to_string(
        "sms/compose.html#recipients_live",
        {"form": checked, "check": check, "segments": checked.segment_count(), "oob": True},
    )
    return check.valid_count + check.duplicates + check.invalid_count


def submit(paste: str) -> int:
    checked = form(paste)
    assert checked.is_valid(), checked.errors
    return len(checked.draft().numbers)


def timed(work, paste: str) -> tuple[list[float], int]:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work(paste)
        timings.append(time.perf_counter() - started)
    return timings, result


def main() -> None:
    paste = build_paste(Random(20240501))
    live, entries = timed(live_check, paste)
    assert entries == ENTRIES, entries
    submitted, valid = timed(submit, paste)
    for name, timings in (("compose_live_check_10k", live), ("compose_submit_10k", submitted)):
        report = {
            "name": name,
            "median_s": round(statistics.median(timings), 4),
            "best_s": round(min(timings), 4),
            "goal_s": GOAL_S,
            "valid": valid,
        }
        print(json.dumps(report))


if __name__ == "__main__":
    main()
