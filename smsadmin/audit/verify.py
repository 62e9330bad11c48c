"""Walking the chain to prove nobody altered, inserted or removed an event.

``verify_audit`` and the review page's "Verify now" button both call
``verify_chain``; ``check_chain`` is the read-only walk underneath.

Each event can be checked from its own row (its hash is the keyed hash of its
content, which includes the hash of the event before it), so the command
splits the log into stretches of seq and walks them in worker processes at the
same time; where two stretches meet, the first event of the later one must
name the last event of the earlier one. The report is the one a single walk
from the anchor gives: the fault with the lowest seq, in the same words. The
button makes that single walk, in the web process, with a time limit; so does
a log of one stretch or less.
"""

import hmac
import json
import multiprocessing
import multiprocessing.util
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action
from smsadmin.audit.chain import (
    CANONICAL_ORDER,
    GENESIS_HASH,
    canonical,
    canonical_text,
    details_text,
    utc_text,
)
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditVerification, Outcome
from smsadmin.audit.recorder import record

# The fields in the order the canonical text lists them, so that a row's
# values go to canonical_text as they come; then the row id and its hash.
_COLUMNS = (*CANONICAL_ORDER, "id", "hash")
_CREATED_AT = _COLUMNS.index("created_at")
_DETAILS = _COLUMNS.index("details")
_SEQ = _COLUMNS.index("seq")
_PREV_HASH = _COLUMNS.index("prev_hash")
_ID = _COLUMNS.index("id")
_HASH = _COLUMNS.index("hash")
_FIELDS = len(CANONICAL_ORDER)
# Rows read per query: large enough that the round trips cost nothing next
# to the hashing, small enough that memory stays flat.
CHUNK_SIZE = 20_000
# Events per stretch when walking in worker processes: a few seconds of
# work each, so that a worker slowed by something else on the machine hands
# the rest to the others; a log of one stretch or less is walked here.
STRETCH_SIZE = 50_000
# What the review page's button may spend: a million events take about a
# minute in one process, longer than a browser (or the proxy in front)
# should wait.
WEB_TIME_LIMIT_SECONDS = 20.0


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    through_seq: int
    problem: str = ""
    first_bad_seq: int | None = None
    first_bad_event_id: int | None = None
    # False when the time ran out before the walk reached the head.
    complete: bool = True

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class _Fault:
    problem: str
    seq: int
    event_id: int | None = None


@dataclass(frozen=True)
class _Stretch:
    """What walking the events of one stretch of seq found (small: it comes back from a worker)."""

    # The seq the stretch's first event must have, and the events found good.
    starts_at: int
    checked: int
    # The seq the next event must have, and the hash it must name: those of
    # the last good event plus one, and its hash (None when there was none).
    next_seq: int
    last_hash: str | None
    # The first event read (seq, id), and the hash it names when the walk
    # had nothing to compare it with (every stretch but the first).
    first: tuple[int, int] | None = None
    first_prev_hash: str | None = None
    fault: _Fault | None = None
    complete: bool = True


def available_cpus() -> int:
    """The CPUs this process may run on (fewer than the machine's in a limited container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_chain(
    *,
    chunk_size: int | None = None,
    time_limit: float | None = None,
    workers: int = 1,
    stretch_size: int | None = None,
) -> ChainReport:
    """Check every event from the retention anchor up to the chain head; report the first fault.

    Events appended while the walk runs are left for the next check: the head
    is read once, first, and everything up to it was committed with it. With
    ``time_limit`` (seconds) the walk may stop early, reporting how far it got.
    With ``workers`` above 1 the log is walked in stretches of
    ``stretch_size`` events by that many processes at once (see _walk_stretches).
    """
    deadline = time.monotonic() + time_limit if time_limit is not None else None
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        stray = AuditEvent.objects.order_by("seq").values("seq", "id").first()
        if stray is None:
            return ChainReport(events_checked=0, through_seq=0)
        return ChainReport(
            0,
            0,
            "The chain head is missing although events exist: it was removed.",
            stray["seq"],
            stray["id"],
        )
    anchor_hash = head.anchor_hash or GENESIS_HASH
    size = stretch_size or STRETCH_SIZE
    if workers <= 1:
        size = max(head.last_seq - head.anchor_seq, 1)
    # Stretch k holds the events after ends[k - 1] up to ends[k]; the first
    # one everything up to ends[0], so that it also meets an event put
    # before the anchor.
    ends = [*range(head.anchor_seq + size, head.last_seq, size), head.last_seq]
    stretches = [
        (None if k == 0 else ends[k - 1], end, head.anchor_seq, anchor_hash if k == 0 else None)
        for k, end in enumerate(ends)
    ]
    walk = (chunk_size or CHUNK_SIZE, deadline)
    if workers > 1 and len(stretches) > 1 and _can_fork(connections[AuditEvent.objects.db]):
        return _walk_stretches(head, stretches, walk, min(workers, len(stretches)))
    return _joined(head, (_walk(*stretch, *walk) for stretch in stretches))


def _can_fork(connection: BaseDatabaseWrapper) -> bool:
    """Whether worker processes, on connections of their own, see what this one sees.

    Not inside a transaction (they would not see what it wrote; closing the
    connection would end it), not a SQLite database in memory (theirs would
    be empty), and only where a process can be forked: they start as copies
    of this one, with its settings, so they need no setup of their own.
    """
    if connection.in_atomic_block or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


def _walk_stretches(
    head: AuditChainHead,
    stretches: list[tuple[int | None, int, int, str | None]],
    walk: tuple[int, float | None],
    workers: int,
) -> ChainReport:
    """Walk the stretches in ``workers`` forked processes; join their findings in seq order.

    The connections are closed first so that no child shares this process's
    (each opens its own). Results are read in order as they come: once the
    first fault is known, the stretches after it are not waited for.
    """
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker) as pool:
        found = pool.imap(_walk_stretch, [(*stretch, *walk) for stretch in stretches])
        report = _joined(head, found)
        if report.complete and report.ok:
            pool.close()  # the workers leave as usual, closing their connections
            pool.join()
    return report


def _start_worker() -> None:
    # Run when a worker leaves normally (the pool is closed), not when it is terminated.
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)


def _walk_stretch(arguments: tuple[Any, ...]) -> _Stretch:
    return _walk(*arguments)


def _walk(
    after: int | None,
    last_seq: int,
    anchor_seq: int,
    expected_prev: str | None,
    chunk_size: int,
    deadline: float | None,
) -> _Stretch:
    """Check the events after ``after`` (from the start: None) up to ``last_seq``, in seq order.

    Stops at the first fault. ``expected_prev`` is the hash the first event
    must name; None when the stretch before is walked elsewhere: then the
    first event's link is left to _joined.
    """
    starts_at = expected_seq = (anchor_seq if after is None else after) + 1
    checked = 0
    first: tuple[int, int] | None = None
    first_prev_hash = None
    key = settings.SMSADMIN_AUDIT_KEY.encode()
    for values in _rows_between(after, last_seq, chunk_size):
        seq, event_id, prev_hash = values[_SEQ], values[_ID], values[_PREV_HASH]
        if first is None:
            first = (seq, event_id)
        if deadline is not None and time.monotonic() > deadline:
            return _Stretch(
                starts_at, checked, expected_seq, expected_prev, first, first_prev_hash, None, False
            )
        fault = None
        if seq < expected_seq:
            fault = _Fault(
                f"Event #{seq} (id {event_id}) is older than where the chain starts "
                f"(#{anchor_seq + 1}, after pruning): it was inserted.",
                seq,
                event_id,
            )
        elif seq > expected_seq:
            fault = _missing(expected_seq, seq, event_id)
        # One C call for the keyed hash (hmac.digest), no HMAC object per event.
        elif hmac.digest(key, _canonical_bytes(values), "sha256").hex() != values[_HASH]:
            fault = _Fault(
                f"Event #{seq} (id {event_id}) was altered: its content no longer "
                f"matches its hash.",
                seq,
                event_id,
            )
        elif expected_prev is None:  # only ever the first event: a good one has a hash
            first_prev_hash = prev_hash
        elif prev_hash != expected_prev:
            fault = _not_following(seq, event_id)
        if fault is not None:
            return _Stretch(
                starts_at, checked, expected_seq, expected_prev, first, first_prev_hash, fault
            )
        checked += 1
        expected_seq += 1
        expected_prev = values[_HASH]
    return _Stretch(starts_at, checked, expected_seq, expected_prev, first, first_prev_hash)


def _missing(expected_seq: int, seq: int, event_id: int) -> _Fault:
    """Events from ``expected_seq`` are missing; the next one there is, is #``seq``."""
    return _Fault(
        f"{_span(expected_seq, seq - 1)} missing: removed from the table. "
        f"The next event present is #{seq} (id {event_id}).",
        expected_seq,
    )


def _not_following(seq: int, event_id: int) -> _Fault:
    return _Fault(
        f"Event #{seq} (id {event_id}) does not follow the event before it: "
        f"an event was inserted, replaced or re-chained here.",
        seq,
        event_id,
    )


def _joined(head: AuditChainHead, stretches: Iterable[_Stretch]) -> ChainReport:
    """The report of one walk from the anchor, from the stretches' findings in seq order.

    A stretch was walked expecting the events before it to be all there and
    good; the first one found otherwise decides, as a single walk would have
    stopped there too. Then the head is checked against the newest event.
    """
    expected_seq = head.anchor_seq + 1
    expected_prev = head.anchor_hash or GENESIS_HASH
    checked = 0

    def broken(fault: _Fault) -> ChainReport:
        return ChainReport(checked, head.last_seq, fault.problem, fault.seq, fault.event_id)

    for stretch in stretches:
        if expected_seq < stretch.starts_at:
            # The stretches before ended early: their newest events are
            # missing, up to the first event there is after them.
            if stretch.first is None:
                continue
            if not stretch.complete and not stretch.checked:  # the time ran out right there
                return ChainReport(checked, expected_seq - 1, complete=False)
            return broken(_missing(expected_seq, *stretch.first))
        if stretch.first_prev_hash is not None and stretch.first_prev_hash != expected_prev:
            return broken(_not_following(*stretch.first))  # type: ignore[misc]
        checked += stretch.checked
        if stretch.fault is not None:
            return broken(stretch.fault)
        if not stretch.complete:
            return ChainReport(checked, stretch.next_seq - 1, complete=False)
        expected_seq = stretch.next_seq
        if stretch.last_hash is not None:
            expected_prev = stretch.last_hash
    return _head_checked(head, checked, expected_seq, expected_prev)


def _head_checked(
    head: AuditChainHead, checked: int, expected_seq: int, expected_prev: str
) -> ChainReport:
    """After the walk: the newest event is the one the head names, and nothing lies beyond."""
    if expected_seq <= head.last_seq:
        return ChainReport(
            checked,
            head.last_seq,
            f"{_span(expected_seq, head.last_seq)} missing: the newest events were removed.",
            expected_seq,
        )
    if expected_prev != (head.last_hash or GENESIS_HASH):
        return ChainReport(
            checked,
            head.last_seq,
            "The chain head does not match the newest event: the head was altered.",
            head.last_seq,
        )
    # Read after the walk: an honest writer commits its event and the head
    # together, so an event beyond the head as read now was put there by hand.
    beyond = (
        AuditEvent.objects.filter(seq__gt=head.last_seq).order_by("seq").values("seq", "id").first()
    )
    if beyond is not None and beyond["seq"] > AuditChainHead.objects.get(pk=1).last_seq:
        return ChainReport(
            checked,
            head.last_seq,
            f"Event #{beyond['seq']} (id {beyond['id']}) lies beyond the chain head: "
            f"it was inserted.",
            beyond["seq"],
            beyond["id"],
        )
    return ChainReport(checked, head.last_seq)


def _rows_between(after: int | None, last_seq: int, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    """The events after ``after`` (all: None) up to ``last_seq`` in seq order, columns as read.

    Read in chunks by seq straight from the cursor, columns in _COLUMNS'
    order: the ORM's per-field converters and a dict per row were a third of
    a million-event walk. The two conversions the canonical text needs are
    done in _canonical_bytes.
    """
    # The details as text, so that "{}" (most events) is not decoded to be
    # encoded again: PostgreSQL's driver would decode every jsonb value.
    events = AuditEvent.objects.filter(seq__lte=last_seq).annotate(
        details_text=Cast("details", TextField())
    )
    renamed = {"details": "details_text"}
    if connections[events.db].vendor == "sqlite":
        # The moment as SQLite keeps it, text: without the converter Django
        # registers for the column's type, which parsed it only for
        # _canonical_bytes to write it out again.
        events = events.annotate(created_text=Cast("created_at", TextField()))
        renamed["created_at"] = "created_text"
    columns = tuple(renamed.get(name, name) for name in _COLUMNS)
    while True:
        chunk = events if after is None else events.filter(seq__gt=after)
        query = chunk.order_by("seq").values_list(*columns)[:chunk_size].query
        sql, params = query.sql_with_params()
        with connections[events.db].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        yield from fetched
        if len(fetched) < chunk_size:
            return
        after = fetched[-1][_SEQ]


def _canonical_bytes(values: tuple[Any, ...]) -> bytes:
    """The text hashed for a row of _rows_between, as record() hashed it when writing."""
    fields = list(values[:_FIELDS])
    created_at = values[_CREATED_AT]
    if type(created_at) is str and len(created_at) == 26 and created_at[10] == " ":
        # SQLite's text of a naive UTC moment, str() of the datetime: the
        # canonical form is the same digits. Only the text written can give
        # the text hashed, so an edited moment still fails its hash.
        fields[_CREATED_AT] = f"{created_at[:10]}T{created_at[11:]}+00:00"
    else:
        # utc_text reads a naive datetime (SQLite's) as UTC, as _moment would.
        fields[_CREATED_AT] = utc_text(
            _moment(created_at) if isinstance(created_at, str) else created_at
        )
    stored = values[_DETAILS]
    # Most events have no details: "{}" needs no decoding and encoding again.
    fields[_DETAILS] = "{}" if stored == "{}" else details_text(_json(stored))
    text = canonical_text(*fields)
    if text is None:  # an unusual value: the general encoder, from the values record() had
        row = dict(zip(_COLUMNS, values, strict=True))
        row["created_at"] = _moment(values[_CREATED_AT])
        row["details"] = _json(stored)
        text = canonical(row, row["prev_hash"])
    return text.encode()


def _moment(value: datetime | str) -> datetime:
    """A datetime as Django's converter gives it: SQLite keeps naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    """As JSONField.from_db_value: text decoded, text that is not JSON kept as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _span(first: int, last: int) -> str:
    return f"Event #{first} is" if first == last else f"Events #{first} to #{last} are"


def verify_chain(
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    time_limit: float | None = None,
    workers: int = 1,
) -> AuditVerification:
    """Check the chain, keep the result for the review page, and record that it was checked."""
    report = check_chain(time_limit=time_limit, workers=workers)
    verification = AuditVerification.objects.create(
        checked_at=timezone.now(),
        ok=report.ok,
        complete=report.complete,
        events_checked=report.events_checked,
        through_seq=report.through_seq,
        first_bad_seq=report.first_bad_seq,
        first_bad_event_id=report.first_bad_event_id,
        problem=report.problem[:255],
    )
    record(
        Action.AUDIT_VERIFIED,
        request=request,
        actor=actor,
        outcome=Outcome.OK if report.ok else Outcome.FAILED,
        target=f"audit:{report.first_bad_seq}" if report.first_bad_seq else "",
        details={
            "events_checked": report.events_checked,
            "through_seq": report.through_seq,
            "complete": report.complete,
            "problem": report.problem,
            "first_bad_event_id": report.first_bad_event_id,
        },
    )
    return verification
