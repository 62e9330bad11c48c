"""The keyed hash that chains audit events together."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
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
_WHOLE_TYPES = frozenset({int, type(None)})
_details_json = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


# The chained fields and prev_hash in the order the canonical text lists them
# (sorted): check_chain selects its columns in this order.
CANONICAL_ORDER = tuple(sorted((*CHAINED_FIELDS, "prev_hash")))


def canonical(values: Mapping[str, Any], prev_hash: str) -> str:
    """The text that is hashed: the chained fields and ``prev_hash`` as sorted, compact JSON.

    That is ``json.dumps(…, sort_keys=True, separators=(",", ":"))`` of them,
    written out field by field (``canonical_text``): verifying a million
    events spent half its time in the general encoder.
    """
    created_at = utc_text(values["created_at"])
    details = values["details"]
    text = canonical_text(
        values["action"],
        values["actor_id"],
        values["actor_username"],
        created_at,
        _details_json(details),
        values["error_class"],
        values["ip_address"],
        values["message_ids"],
        values["operator_name"],
        values["outcome"],
        values["parent_id"],
        prev_hash,
        values["request_id"],
        values["seq"],
        values["session_hash"],
        values["target"],
        values["upstream_status"],
        values["user_agent"],
    )
    if text is not None:
        return text
    content = {name: values[name] for name in CHAINED_FIELDS}
    content["created_at"] = created_at
    content["prev_hash"] = prev_hash
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def utc_text(moment: datetime) -> str:
    """``created_at`` as the canonical text has it; a naive value (SQLite's) is UTC."""
    if moment.tzinfo is None:
        return moment.isoformat(timespec="microseconds") + "+00:00"
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def details_text(details: Any) -> str:
    """``details`` as the canonical text has it (sorted, compact JSON)."""
    return _details_json(details)


def canonical_text(  # one argument per field, in CANONICAL_ORDER
    action: Any,
    actor_id: Any,
    actor_username: Any,
    created_at: str,
    details: str,
    error_class: Any,
    ip_address: Any,
    message_ids: Any,
    operator_name: Any,
    outcome: Any,
    parent_id: Any,
    prev_hash: Any,
    request_id: Any,
    seq: Any,
    session_hash: Any,
    target: Any,
    upstream_status: Any,
    user_agent: Any,
) -> str | None:
    """The canonical text from each field's value, ``created_at`` and ``details`` already text.

    The string encoder is the one json.dumps uses (it refuses anything but a
    string). None for a number that is not a plain int, or any other
    surprise: the caller then takes the general encoder, so the text is the
    same whatever comes in.
    """
    if not {type(seq), type(actor_id), type(upstream_status), type(parent_id)} <= _WHOLE_TYPES:
        return None
    text = encode_basestring_ascii
    try:
        return (
            f'{{"action":{text(action)},'
            f'"actor_id":{"null" if actor_id is None else int.__repr__(actor_id)},'
            f'"actor_username":{text(actor_username)},"created_at":"{created_at}",'
            f'"details":{details},'
            f'"error_class":{text(error_class)},'
            f'"ip_address":{"null" if ip_address is None else text(ip_address)},'
            f'"message_ids":{text(message_ids)},'
            f'"operator_name":{text(operator_name)},'
            f'"outcome":{text(outcome)},'
            f'"parent_id":{"null" if parent_id is None else int.__repr__(parent_id)},'
            f'"prev_hash":{text(prev_hash)},"request_id":{text(request_id)},'
            f'"seq":{"null" if seq is None else int.__repr__(seq)},'
            f'"session_hash":{text(session_hash)},"target":{text(target)},'
            f'"upstream_status":'
            f"{'null' if upstream_status is None else int.__repr__(upstream_status)},"
            f'"user_agent":{text(user_agent)}}}'
        )
    except TypeError:  # a value that is not a string where one is expected
        return None


def keyed_hasher() -> "hmac.HMAC":
    """An HMAC with the audit key already taken in: ``.copy()`` it for each event."""
    return hmac.new(settings.SMSADMIN_AUDIT_KEY.encode(), digestmod=hashlib.sha256)


def digest(values: Mapping[str, Any], prev_hash: str, *, hasher: "hmac.HMAC | None" = None) -> str:
    """HMAC-SHA256 over the chained fields of one event and the previous event's hash.

    ``values`` maps each name in CHAINED_FIELDS to the value as the database
    gives it back, so a row read from the table hashes exactly as it did when
    it was written. ``hasher`` (from keyed_hasher) saves preparing the key
    again for every event of a long walk.
    """
    keyed = (hasher or keyed_hasher()).copy()
    keyed.update(canonical(values, prev_hash).encode())
    return keyed.hexdigest()


def event_digest(event: "AuditEvent", prev_hash: str) -> str:
    return digest({name: getattr(event, name) for name in CHAINED_FIELDS}, prev_hash)
