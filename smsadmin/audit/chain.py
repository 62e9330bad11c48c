"""The keyed hash that chains audit events together."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from smsadmin.audit.models import AuditEvent

GENESIS_HASH = "0" * 64

# Every recorded field, by attribute name. Changing a value in any of them (or
# the order of events) changes the digest.
CHAINED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "operator_name",
    "ip_address",
    "user_agent",
    "session_hash",
    "request_id",
    "action",
    "target",
    "message_ids",
    "outcome",
    "error_class",
    "upstream_status",
    "details",
    "parent_id",
)


def digest(values: Mapping[str, Any], prev_hash: str) -> str:
    """HMAC-SHA256 over the chained fields of one event and the previous event's hash.

    ``values`` maps each name in CHAINED_FIELDS to the value as the database
    gives it back, so a row read from the table hashes exactly as it did when
    it was written.
    """
    content = {name: values[name] for name in CHAINED_FIELDS}
    # One spelling of the instant, whatever zone object the driver attaches.
    content["created_at"] = values["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["prev_hash"] = prev_hash
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    key = settings.SMSADMIN_AUDIT_KEY.encode()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def event_digest(event: "AuditEvent", prev_hash: str) -> str:
    return digest({name: getattr(event, name) for name in CHAINED_FIELDS}, prev_hash)
