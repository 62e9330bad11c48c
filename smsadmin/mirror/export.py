"""A search's whole result as CSV, one line at a time, for a streaming response.

Large exports report how far they are through the shared cache, under a
random token the export page made, so that page can show a progress bar
while the browser downloads.
"""

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from smsadmin.mirror.models import MirroredMessage, Status, SyncState
from smsadmin.spreadsheet import safe_cell

# Column names and values stay machine-stable English in every language: the
# file is for programs (compose re-imports it, by these names), and the
# directions and statuses are upstream's own words.
COLUMNS = (
    "sms_id",
    "time_utc",
    "time_local",
    "direction",
    "status",
    "error",
    "phone",
    "contact_name",
    "device",
    "sim",
    "scheduled_utc",
    "deleted_utc",
    "content",
)
_FIELDS = (
    "sms_id",
    "happened_at",
    "direction",
    "status",
    "error",
    "phone",
    "contact_name",
    "device_id",
    "sim_id",
    "scheduled_at",
    "deleted_at",
    "content",
)
SCHEDULED = "scheduled"
CHUNK_ROWS = 2000
PROGRESS_EVERY_ROWS = 1000
PROGRESS_KEEP_SECONDS = 60 * 60
# Below this many rows the download is over before a bar could say anything.
PROGRESS_FROM_ROWS = 2000
_TOKEN = re.compile(r"[0-9a-f]{32}")


class _Line:
    """csv.writer wants a file; this one hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class ExportProgress:
    """How far one person's export is, under a token only their export page knows."""

    def __init__(self, user_id: int, token: str) -> None:
        self.key = f"mirror:export:{user_id}:{token}"

    @staticmethod
    def valid_token(token: str) -> bool:
        return bool(_TOKEN.fullmatch(token))

    def report(self, written: int, total: int, *, done: bool = False) -> None:
        found = {"written": written, "total": total, "done": done}
        cache.set(self.key, found, PROGRESS_KEEP_SECONDS)

    def read(self) -> dict[str, int | bool] | None:
        return cache.get(self.key)


def _in_chunks(rows: QuerySet[MirroredMessage], *, newest_first: bool) -> Iterator[tuple]:
    """Every row of ``rows`` (sorted by time, then id), read a chunk per query.

    Each chunk starts after the last row of the one before (keyset), so no
    cursor stays open while the download goes out: SQLite could not record
    the progress meanwhile, and a slow reader would pin a PostgreSQL snapshot.
    """
    after = None
    while True:
        chunk = rows
        if after is not None:
            at, sms_id = after
            if newest_first:
                later = Q(happened_at__lt=at) | Q(happened_at=at, sms_id__lt=sms_id)
                chunk = rows.filter(later, happened_at__lte=at)
            else:
                later = Q(happened_at__gt=at) | Q(happened_at=at, sms_id__gt=sms_id)
                chunk = rows.filter(later, happened_at__gte=at)
        found = list(chunk.values_list(*_FIELDS)[:CHUNK_ROWS])
        yield from found
        if len(found) < CHUNK_ROWS:
            return
        after = (found[-1][1], found[-1][0])


def _shown_status(status: str, scheduled_at: datetime | None, now: datetime) -> str:
    """ "scheduled" for a message still waiting for its time, as the pages say; else upstream's."""
    if status == Status.PENDING and scheduled_at is not None and scheduled_at > now:
        return SCHEDULED
    return status


def csv_lines(
    rows: QuerySet[MirroredMessage],
    *,
    newest_first: bool,
    state: SyncState | None,
    zone: ZoneInfo,
    total: int,
    progress: ExportProgress | None = None,
) -> Iterator[str]:
    """A heading line, then one line per row, in the search's order.

    The file starts with a byte order mark, so that Excel reads it as UTF-8.
    """
    now = timezone.now()
    devices = state.device_names() if state else {}
    sims = state.sim_labels() if state else {}
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    written = 0
    if progress is not None:
        progress.report(0, total)
    for row in _in_chunks(rows, newest_first=newest_first):
        (sms_id, happened_at, direction, status, error, phone, name, device_id, sim_id,
         scheduled_at, deleted_at, content) = row  # fmt: skip
        yield writer.writerow(
            [
                sms_id,
                _utc(happened_at),
                happened_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                direction,
                safe_cell(_shown_status(status, scheduled_at, now)),
                safe_cell(error),
                safe_cell(phone),
                safe_cell(name),
                safe_cell(devices.get(device_id, "") if device_id else ""),
                safe_cell(sims.get((device_id, sim_id), "") if device_id and sim_id else ""),
                _utc(scheduled_at),
                _utc(deleted_at),
                safe_cell(content),
            ]
        )
        written += 1
        if progress is not None and written % PROGRESS_EVERY_ROWS == 0:
            progress.report(written, total)
    if progress is not None:
        progress.report(written, total, done=True)
