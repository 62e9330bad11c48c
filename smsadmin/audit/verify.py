"""Walking the chain to prove nobody altered, inserted or removed an event.

``verify_audit`` and the review page's "Verify now" button both call
``verify_chain``; ``check_chain`` is the read-only walk underneath.
"""

import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections
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
# What the review page's button may spend: a million events take about a
# minute, longer than a browser (or the proxy in front) should wait.
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


def check_chain(*, chunk_size: int | None = None, time_limit: float | None = None) -> ChainReport:
    """Check every event from the retention anchor up to the chain head; stop at the first fault.

    Events appended while the walk runs are left for the next check: the head
    is read once, first, and everything up to it was committed with it. With
    ``time_limit`` (seconds) the walk may stop early, reporting how far it got.
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

    expected_seq = head.anchor_seq + 1
    expected_prev = head.anchor_hash or GENESIS_HASH
    checked = 0
    key = settings.SMSADMIN_AUDIT_KEY.encode()
    for values in _rows_through(head.last_seq, chunk_size or CHUNK_SIZE):
        seq, event_id, prev_hash = values[_SEQ], values[_ID], values[_PREV_HASH]
        if deadline is not None and time.monotonic() > deadline:
            return ChainReport(checked, expected_seq - 1, complete=False)
        if seq < expected_seq:
            return ChainReport(
                checked,
                head.last_seq,
                f"Event #{seq} (id {event_id}) is older than where the chain starts "
                f"(#{head.anchor_seq + 1}, after pruning): it was inserted.",
                seq,
                event_id,
            )
        if seq > expected_seq:
            missing = _span(expected_seq, seq - 1)
            return ChainReport(
                checked,
                head.last_seq,
                f"{missing} missing: removed from the table. "
                f"The next event present is #{seq} (id {event_id}).",
                expected_seq,
            )
        # One C call for the keyed hash (hmac.digest), no HMAC object per event.
        if hmac.digest(key, _canonical_bytes(values), "sha256").hex() != values[_HASH]:
            return ChainReport(
                checked,
                head.last_seq,
                f"Event #{seq} (id {event_id}) was altered: its content no longer "
                f"matches its hash.",
                seq,
                event_id,
            )
        if prev_hash != expected_prev:
            return ChainReport(
                checked,
                head.last_seq,
                f"Event #{seq} (id {event_id}) does not follow the event before it: "
                f"an event was inserted, replaced or re-chained here.",
                seq,
                event_id,
            )
        checked += 1
        expected_seq += 1
        expected_prev = values[_HASH]

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


def _rows_through(last_seq: int, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    """Every event up to ``last_seq`` in seq order, as the database gives its columns back.

    Read in chunks by seq straight from the cursor, columns in _COLUMNS'
    order: the ORM's per-field converters and a dict per row were a third of
    a million-event walk. The two conversions the canonical text needs are
    done in _canonical_bytes.
    """
    events = AuditEvent.objects.filter(seq__lte=last_seq)
    after = None
    while True:
        chunk = events if after is None else events.filter(seq__gt=after)
        query = chunk.order_by("seq").values_list(*_COLUMNS)[:chunk_size].query
        sql, params = query.sql_with_params()
        with connections[events.db].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        yield from fetched
        if len(fetched) < chunk_size:
            return
        after = fetched[-1][_SEQ]


def _canonical_bytes(values: tuple[Any, ...]) -> bytes:
    """The text hashed for a row of _rows_through, as record() hashed it when writing."""
    fields = list(values[:_FIELDS])
    created_at = values[_CREATED_AT]
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
) -> AuditVerification:
    """Check the chain, keep the result for the review page, and record that it was checked."""
    report = check_chain(time_limit=time_limit)
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
