"""Audit review at a million events: the review page, filtered pages and the Django admin.

A throwaway site gets N events (default 1,000,000) written straight into the
table in batches: each row's keyed hash is computed exactly as record() does,
so the result is a valid chain, and verify_audit then checks all of it as the
command does, in one worker process per CPU (its time is reported too;
--workers 1 times the single walk the review page's Verify now makes).
Events span the last 365 days, 60 people, the known actions (reads most
often), with attempt/outcome pairs for sends and deletes.

Then, through Django's test Client (middleware, the "audit viewed" event each
view writes, rendering; no HTTP), each page is requested RUNS times after a
warm-up and p50/p95 reported:

- the review page (newest 50), a page deep in the log (?before=<middle>),
- a filtered page: action + exact person + a 30-day range,
- a message id (an index lookup) and free text, common and rare (a rare one
  reads the whole table: see BENCHMARKS.md),
- the Django admin changelist of the same table, unfiltered and filtered by
  action + outcome, and for comparison the changelist with Django's default
  paginator (COUNT(*) over the table).

It runs on SQLite, and also on PostgreSQL when DATABASE_URL points at a
PostgreSQL server (a new database there, dropped afterwards). The developer's
db.sqlite3 is never touched. With --explain, the query plans of the filtered
queries go to stderr. With --verify-only, the pages are left out and the
chain is verified RUNS times instead of once (the median is reported).

Run from the repository root: .venv/bin/python bench/bench_audit.py [--events N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    PYTHON,
    Timing,
    emit,
    is_postgres,
    percentile,
    prepare_site,
    progress,
    stop_on_sigterm,
    use_site_here,
)
from smsadmin.audit.chain import CHAINED_FIELDS

EVENTS = 1_000_000
RUNS = 30
WARM_UP = 3
BATCH = 10_000
PEOPLE = 60
SEED = 7
# Nothing in this benchmark calls Sociostacks.
NO_UPSTREAM = "http://127.0.0.1:9/api"
PAGE_GOAL_MS = 150
FIRST_PAGE_GOAL_MS = 20
SCAN_GOAL_MS = 2000
VERIFY_GOAL_S = 15

# Every column of an event row: the chained fields plus the row id and both hashes.
_COLUMNS = ("id", *CHAINED_FIELDS, "prev_hash", "hash")

# (action, weight): reads dominate a real log.
_ACTIONS = (
    ("list", 30),
    ("view", 30),
    ("login", 6),
    ("logout", 4),
    ("failed login", 1),
    ("send", 8),
    ("delete", 6),
    ("cancel", 1),
    ("keys viewed", 3),
    ("key verified", 1),
    ("audit viewed", 2),
    ("permission denied", 1),
)
# Actions that call Sociostacks are recorded as an attempt and its outcome.
_PAIRED = {"send", "delete", "cancel", "key verified"}
STARTED = "started"


# --- Filling ---------------------------------------------------------------------------


def _people(rng: random.Random) -> list[tuple[int, str, str]]:
    from smsadmin.accounts.models import User

    people = []
    for number in range(PEOPLE):
        user = User.objects.create_user(username=f"operator{number:02d}", password=None)
        shared_as = rng.choice(["", "", "", "Grace", "Linus", "Ada"])
        people.append((user.pk, user.username, shared_as))
    return people


def _events(
    count: int, people: list[tuple[int, str, str]]
) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """``count`` plausible events in seq order, as record() builds them, with their message ids."""
    from smsadmin.audit.recorder import message_ids_of, message_index

    rng = random.Random(SEED)
    actions = [action for action, _ in _ACTIONS]
    weights = [weight for _, weight in _ACTIONS]
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / count
    seq = 0
    while seq < count:
        action = rng.choices(actions, weights)[0]
        actor_id, username, operator = rng.choice(people)
        sms_id = rng.randint(1, 600_000)
        target, details = "", {}
        if action == "view" or action in ("delete", "cancel"):
            target = f"sms:{sms_id}"
        elif action == "list":
            details = {"page": rng.randint(1, 40), "size": 25, "shown": 25}
        elif action == "send":
            details = {
                "recipients": [f"+49151{rng.randint(10**6, 10**7 - 1)}"],
                "content": rng.choice(["Your code is 4711", "Delivery at 10:00", "Grüße!"]),
                "segments": 1,
                "device_id": 3,
                "sim_id": 5,
            }
        elif action == "key verified":
            target = f"key:{rng.randint(1, 5)}"
        common = {
            "actor_id": actor_id,
            "actor_username": username,
            "operator_name": operator,
            "ip_address": f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
            "session_hash": f"{rng.getrandbits(256):064x}",
            "request_id": f"{rng.getrandbits(128):032x}",
            "action": action,
            "error_class": "",
            "upstream_status": None,
        }
        halves = [STARTED, _outcome(rng)] if action in _PAIRED else [_outcome(rng)]
        parent_id = None
        for outcome in halves[: count - seq]:
            seq += 1
            row_details = dict(details)
            if action == "send" and outcome == "ok":
                row_details["created_ids"] = [sms_id]
                target = f"sms:{sms_id}"
            failed = outcome == "upstream_error"
            sms_ids = message_ids_of(target, row_details)
            event = {
                **common,
                "id": seq,
                "seq": seq,
                "created_at": start + step * seq,
                "target": target,
                "message_ids": message_index(sms_ids),
                "outcome": outcome,
                "details": {**row_details, "error": "not answering"} if failed else row_details,
                "error_class": "UpstreamUnavailable" if failed else "",
                "upstream_status": 502 if failed else None,
                "parent_id": parent_id,
            }
            parent_id = seq
            yield event, sms_ids


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.93:
        return "ok"
    if roll < 0.96:
        return "denied"
    if roll < 0.98:
        return "invalid"
    return "upstream_error"


def fill(count: int) -> float:
    """Write ``count`` chained events; returns the seconds it took."""
    from django.db import connection, transaction

    from smsadmin.audit.chain import GENESIS_HASH, digest
    from smsadmin.audit.models import AuditChainHead

    started = time.perf_counter()
    people = _people(random.Random(SEED))
    prev_hash = GENESIS_HASH
    batch: list[tuple[Any, ...]] = []
    refs: list[tuple[int, int]] = []
    with transaction.atomic():
        for event, sms_ids in _events(count, people):
            event["prev_hash"] = prev_hash
            event["hash"] = prev_hash = digest(event, prev_hash)
            batch.append(_row(connection, event))
            refs += [(sms_id, event["seq"]) for sms_id in sms_ids]
            if len(batch) == BATCH:
                _insert(connection, batch, refs)
                progress(f"  {event['seq']:,} events written")
                batch, refs = [], []
        if batch:
            _insert(connection, batch, refs)
        AuditChainHead.objects.update_or_create(
            pk=1,
            defaults={
                "last_seq": count,
                "last_hash": prev_hash,
                "anchor_seq": 0,
                "anchor_hash": GENESIS_HASH,
            },
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [count]
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _row(connection, event: dict[str, Any]) -> tuple[Any, ...]:
    values = dict(event)
    values["created_at"] = connection.ops.adapt_datetimefield_value(event["created_at"])
    values["details"] = json.dumps(event["details"])
    return tuple(values[column] for column in _COLUMNS)


def _insert(connection, rows: list[tuple[Any, ...]], refs: list[tuple[int, int]]) -> None:
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.cursor.copy(
                "COPY audit_auditmessageref (sms_id, event_seq) FROM STDIN"
            ) as copy:
                for ref in refs:
                    copy.write_row(ref)
            return
        marks = ", ".join(["%s"] * len(_COLUMNS))
        cursor.executemany(f"INSERT INTO audit_auditevent ({columns}) VALUES ({marks})", rows)  # noqa: S608
        cursor.executemany(
            "INSERT INTO audit_auditmessageref (sms_id, event_seq) VALUES (%s, %s)", refs
        )


# --- Measuring -------------------------------------------------------------------------


def _timed_series(fetch: Callable[[], Any], runs: int) -> Timing:
    for _ in range(WARM_UP):
        fetch()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fetch()
        seconds.append(time.perf_counter() - started)
    return Timing.of(seconds)


def _getter(client, url: str, params: dict[str, str], marker: bytes) -> Callable[[], None]:
    """A page request that fails loudly unless the page shows what it should (``marker``)."""

    def fetch() -> None:
        response = client.get(url, params)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params} answered {response.status_code}")
        if marker not in response.content:
            raise RuntimeError(f"{url} {params} did not show {marker!r}")

    return fetch


def _verified_client(person):
    """A test Client signed in as ``person`` with a second factor, as the Django admin needs."""
    import django_otp
    from django.test import Client

    from smsadmin.accounts.otp_devices import AppDevice

    device = AppDevice.objects.create(user=person, name="Bench", confirmed=True)
    client = Client()
    client.force_login(person)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _explain(queryset, label: str) -> None:
    progress(f"--- plan: {label}\n{queryset.explain()}")


def measure(
    database: str, count: int, runs: int, explain: bool, verify_only: bool, workers: int | None
) -> None:
    from django.contrib.admin.sites import site as admin_site
    from django.core.paginator import Paginator

    from smsadmin.accounts.models import User
    from smsadmin.audit.forms import AuditFilterForm
    from smsadmin.audit.models import AuditEvent
    from smsadmin.audit.verify import available_cpus, check_chain

    scale = f"{count // 1_000_000}m" if count % 1_000_000 == 0 else str(count)
    progress(f"{database}: writing {count:,} events")
    fill_seconds = fill(count)
    emit(f"audit_fill_{scale}_{database}", round(fill_seconds, 1), "s", "context", None)

    workers = workers or available_cpus()
    rounds, cpu = [], []
    for run in range(runs if verify_only else 1):
        progress(f"{database}: verifying the chain ({run + 1})")
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        report = check_chain(workers=workers)
        rounds.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
        if not report.ok or report.events_checked != count:
            raise RuntimeError(f"the benchmark's own chain does not verify: {report}")
    verify_seconds = percentile(rounds, 0.5)
    emit(
        f"audit_verify_{scale}_{database}",
        round(verify_seconds, 1),
        "s",
        f"≤ {VERIFY_GOAL_S} s (verify_audit over the whole log)",
        verify_seconds <= VERIFY_GOAL_S if count >= 1_000_000 else None,
        events_per_s=round(count / verify_seconds),
        runs_s=[round(seconds, 1) for seconds in rounds],
        workers=workers,
        # This process and its workers (not the database server): what the
        # walk costs whatever else the machine is doing at the time.
        cpu_s=[round(seconds, 1) for seconds in cpu],
    )
    if verify_only:
        return

    auditor = User.objects.create_superuser(username="bench-auditor", password=None)
    client = _verified_client(auditor)
    middle = count // 2
    newest = AuditEvent.objects.order_by("-seq").values_list("created_at", flat=True).first()
    range_end = (newest - timedelta(days=120)).date()
    range_start = range_end - timedelta(days=29)
    filtered = {
        "action": "delete",
        "actor": "operator07",
        "actor_exact": "on",
        "since": range_start.isoformat(),
        "until": range_end.isoformat(),
    }
    # A message viewed in the middle of the log: found in one or two events,
    # page views, which the review page shows only when asked to.
    viewed = AuditEvent.objects.filter(action="view", seq__gt=middle).order_by("seq")
    message_id = viewed.values_list("target", flat=True).first().removeprefix("sms:")
    by_message = {"message": message_id, "views": "on"}

    if explain:
        zone = auditor.zone
        for label, params in (
            ("filtered", filtered),
            ("message", by_message),
            ("newest", {}),
        ):
            form = AuditFilterForm(params)
            form.is_valid()
            _explain(form.events(zone).order_by("-seq")[:51], label)

    rows = b'href="/audit/events/'
    table = b'class="audit-table"'
    admin_rows = b'class="field-seq"'
    series = [
        ("audit_review", "/audit/", {}, rows, FIRST_PAGE_GOAL_MS),
        ("audit_review_deep", "/audit/", {"before": str(middle)}, rows, PAGE_GOAL_MS),
        ("audit_review_filtered", "/audit/", filtered, rows, PAGE_GOAL_MS),
        ("audit_review_message_id", "/audit/", by_message, rows, PAGE_GOAL_MS),
        ("audit_review_text", "/audit/", {"text": "Grüße"}, rows, PAGE_GOAL_MS),
        # Found only in the events recording this very search, newest first:
        # every request reads the whole table for the 51 rows it never finds.
        ("audit_review_text_rare", "/audit/", {"text": "no-such-text"}, table, SCAN_GOAL_MS),
        ("admin_changelist", "/admin/audit/auditevent/", {}, admin_rows, None),
        (
            "admin_changelist_filtered",
            "/admin/audit/auditevent/",
            {"action": "delete", "outcome__exact": "ok"},
            admin_rows,
            None,
        ),
    ]
    for name, url, params, marker, goal_ms in series:
        progress(f"{database}: {name}")
        timing = _timed_series(_getter(client, url, params, marker), runs)
        _emit_timing(f"{name}_{scale}_{database}", timing, goal_ms)

    progress(f"{database}: admin_changelist with COUNT(*)")
    model_admin = admin_site._registry[AuditEvent]
    ours = model_admin.paginator
    model_admin.paginator = Paginator
    try:
        timing = _timed_series(_getter(client, "/admin/audit/auditevent/", {}, admin_rows), runs)
    finally:
        model_admin.paginator = ours
    _emit_timing(f"admin_changelist_count_{scale}_{database}", timing, None)


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _emit_timing(name: str, timing: Timing, goal_ms: int | None) -> None:
    emit(
        name,
        timing.p50_ms,
        "ms",
        f"p50 ≤ {goal_ms} ms" if goal_ms else "context: Django admin, same table",
        timing.p50_ms <= goal_ms if goal_ms else None,
        p50_ms=timing.p50_ms,
        p95_ms=timing.p95_ms,
        runs=timing.runs,
    )


# --- Driving ---------------------------------------------------------------------------


def run_one(
    database: str, count: int, runs: int, explain: bool, verify_only: bool, workers: int | None
) -> None:
    """Build a site on ``database`` in this process and measure it."""
    server = os.environ.get("DATABASE_URL") if database == "postgresql" else None
    site = prepare_site(NO_UPSTREAM, database_url=server)
    try:
        use_site_here(site)
        measure(database, count, runs, explain, verify_only, workers)
    finally:
        from django.db import connections

        connections.close_all()
        site.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=EVENTS, help=f"default {EVENTS:,}")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"requests per page (default {RUNS})"
    )
    parser.add_argument("--explain", action="store_true", help="print query plans to stderr")
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="leave the pages out; verify the chain RUNS times",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="processes that verify the chain (default: as verify_audit, one per CPU)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    stop_on_sigterm()
    if args.database:
        run_one(args.database, args.events, args.runs, args.explain, args.verify_only, args.workers)
        return
    databases = ["sqlite"]
    if is_postgres(os.environ.get("DATABASE_URL")):
        databases.append("postgresql")
    # Django is configured once per process: each database gets its own.
    for database in databases:
        command = [PYTHON, __file__, "--database", database, "--events", str(args.events)]
        command += ["--runs", str(args.runs)] + (["--explain"] if args.explain else [])
        command += ["--verify-only"] if args.verify_only else []
        command += ["--workers", str(args.workers)] if args.workers else []
        child = subprocess.Popen(command)
        try:
            if child.wait() != 0:
                raise SystemExit(f"the {database} run failed")
        finally:
            # Stopped early: let the child remove its database too.
            if child.poll() is None:
                child.terminate()
                child.wait()


if __name__ == "__main__":
    main()
