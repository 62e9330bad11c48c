"""Reading the audit table by seq: one page for the review page, every row for exports.

Both walk an index on seq (alone or after a filtered column) and never count
the table, so they cost the same at a thousand events and at a million.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from smsadmin.audit.models import AuditEvent

PAGE_SIZE = 50
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Page:
    """Events newest first, and whether there are more on either side."""

    events: list[AuditEvent]
    has_newer: bool
    has_older: bool

    @property
    def newest_seq(self) -> int | None:
        return self.events[0].seq if self.events else None

    @property
    def oldest_seq(self) -> int | None:
        return self.events[-1].seq if self.events else None


def page_of(
    events: QuerySet[AuditEvent],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """The page just older than ``before``, just newer than ``after``, or the newest.

    One row beyond the page tells whether the walk can go on in its direction;
    the other direction is one indexed EXISTS.
    """
    if after is not None:
        rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
        if not rows:
            # Walked past the newest: show the newest page instead of nothing.
            return page_of(events, size=size)
        newest_first = rows[:size][::-1]
        return Page(
            newest_first,
            has_newer=len(rows) > size,
            has_older=events.filter(seq__lt=newest_first[-1].seq).exists(),
        )
    window = events.filter(seq__lt=before) if before is not None else events
    rows = list(window.order_by("-seq")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    has_newer = before is not None and bool(rows) and events.filter(seq__gt=rows[0].seq).exists()
    return Page(rows, has_newer=has_newer, has_older=has_older)


def walk(
    rows: QuerySet[AuditEvent, dict[str, Any]],
    *,
    newest_first: bool = False,
    chunk_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row of a ``.values(...)`` queryset that includes seq, ``chunk_size`` at a time.

    Each chunk is its own short query that starts after the last seq seen, so
    memory stays flat and no cursor is held open while a caller streams.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    order = "-seq" if newest_first else "seq"
    last: int | None = None
    while True:
        chunk = rows.order_by(order)
        if last is not None:
            chunk = chunk.filter(seq__lt=last) if newest_first else chunk.filter(seq__gt=last)
        fetched = list(chunk[:chunk_size])
        yield from fetched
        if len(fetched) < chunk_size:
            return
        last = fetched[-1]["seq"]
