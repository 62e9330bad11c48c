"""The audit log as CSV, one line at a time, for a streaming response."""

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from smsadmin.audit.models import AuditEvent
from smsadmin.audit.paging import walk
from smsadmin.spreadsheet import safe_cell

# Column heading, and the field it comes from. The hashes let anyone holding
# the audit key check the export against the chain.
COLUMNS = (
    ("seq", "seq"),
    ("id", "id"),
    ("created_at_utc", "created_at"),
    ("actor_id", "actor_id"),
    ("actor_username", "actor_username"),
    ("operator_name", "operator_name"),
    ("ip_address", "ip_address"),
    ("user_agent", "user_agent"),
    ("session_hash", "session_hash"),
    ("request_id", "request_id"),
    ("action", "action"),
    ("target", "target"),
    ("message_ids", "message_ids"),
    ("outcome", "outcome"),
    ("error_class", "error_class"),
    ("upstream_status", "upstream_status"),
    ("details", "details"),
    ("parent_id", "parent_id"),
    ("prev_hash", "prev_hash"),
    ("hash", "hash"),
)


class _Line:
    """csv.writer wants a file; this one hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        # Usernames, targets and details are typed by people, attackers included.
        return safe_cell(value)
    return value


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """A heading line, then every event of ``events``, newest first, as CSV lines."""
    writer = csv.writer(_Line())
    yield writer.writerow([heading for heading, _ in COLUMNS])
    fields = [field for _, field in COLUMNS]
    for row in walk(events.values(*fields), newest_first=True):
        yield writer.writerow([_cell(row[field]) for field in fields])
