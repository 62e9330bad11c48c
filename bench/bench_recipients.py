"""Benchmark: validate 10,000 pasted recipients the way the compose screen does.

Run from the repository root: .venv/bin/python bench/bench_recipients.py
Prints one JSON line with the best and median of 5 runs.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smsadmin.sms.compose.recipients import parse_recipients

ENTRIES = 10_000
RUNS = 5
GOAL_S = 2.0
DEFAULT_REGION = "DE"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


# The formats people paste, roughly in the mix seen from spreadsheets and phones.
_FORMATS: list[Callable[[random.Random], str]] = [
    lambda rng: f"+4917{_digits(rng, 9)}",
    lambda rng: f"+49 151 {_digits(rng, 8)}",
    lambda rng: f"0176 {_digits(rng, 4)} {_digits(rng, 4)}",
    lambda rng: f"0049 160 {_digits(rng, 7)}",
    lambda rng: f"+44 7400 {_digits(rng, 6)}",
    lambda rng: f"+33 6 12 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
    lambda rng: f"+1 (212) 555-{_digits(rng, 4)}",
    lambda rng: f"+49 30 {_digits(rng, 8)}",  # landline: valid with a warning
]
_INVALID: list[Callable[[random.Random], str]] = [
    lambda rng: _digits(rng, 3),  # too short
    lambda rng: f"+49170{_digits(rng, 14)}",  # too long
    lambda rng: f"0170 {_digits(rng, 4)}x",  # letters
]


def build_paste(rng: random.Random) -> str:
    """10,000 entries: ~3% invalid, ~5% repeats of an earlier number, mixed separators."""
    entries: list[str] = []
    for _ in range(ENTRIES):
        roll = rng.random()
        if roll < 0.03:
            entries.append(rng.choice(_INVALID)(rng))
        elif roll < 0.08 and entries:
            entries.append(rng.choice(entries))
        else:
            entries.append(rng.choice(_FORMATS)(rng))
    separators = rng.choices(["\n", ", ", ";", "\t", "\r\n"], weights=[70, 10, 10, 5, 5], k=ENTRIES)
    return "".join(entry + separator for entry, separator in zip(entries, separators, strict=True))


def main() -> None:
    paste = build_paste(random.Random(20240501))
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = parse_recipients(paste, default_region=DEFAULT_REGION)
        timings.append(time.perf_counter() - started)
    assert result.total_entries == ENTRIES, result.total_entries
    report = {
        "name": "compose_validate_10k",
        "median_s": round(statistics.median(timings), 4),
        "best_s": round(min(timings), 4),
        "goal_s": GOAL_S,
        "valid": result.valid_count,
        "duplicates": result.duplicates,
        "invalid": result.invalid_count,
        "warnings": len(result.warnings),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
