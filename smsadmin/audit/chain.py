"""The keyed hash that chains audit events together."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC
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


def canonical(values: Mapping[str, Any], prev_hash: str) -> str:
    """The text that is hashed: the chained fields and ``prev_hash`` as sorted, compact JSON.

    That is ``json.dumps(…, sort_keys=True, separators=(",", ":"))`` of them,
    written out field by field: verifying a million events spent half its time
    in the general encoder. The string encoder is the one json.dumps uses (it
    refuses anything but a string); a number that is not a plain int, or any
    other surprise, takes the general encoder, so the text is the same
    whatever comes in.
    """
    created_at = values["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    seq, actor_id = values["seq"], values["actor_id"]
    upstream_status, parent_id = values["upstream_status"], values["parent_id"]
    ip_address = values["ip_address"]
    if {type(seq), type(actor_id), type(upstream_status), type(parent_id)} <= _WHOLE_TYPES:
        text = encode_basestring_ascii
        try:
            return (
                f'{{"action":{text(values["action"])},'
                f'"actor_id":{"null" if actor_id is None else int.__repr__(actor_id)},'
                f'"actor_username":{text(values["actor_username"])},"created_at":"{created_at}",'
                f'"details":{_details_json(values["details"])},'
                f'"error_class":{text(values["error_class"])},'
                f'"ip_address":{"null" if ip_address is None else text(ip_address)},'
                f'"message_ids":{text(values["message_ids"])},'
                f'"operator_name":{text(values["operator_name"])},'
                f'"outcome":{text(values["outcome"])},'
                f'"parent_id":{"null" if parent_id is None else int.__repr__(parent_id)},'
                f'"prev_hash":{text(prev_hash)},"request_id":{text(values["request_id"])},'
                f'"seq":{"null" if seq is None else int.__repr__(seq)},'
                f'"session_hash":{text(values["session_hash"])},"target":{text(values["target"])},'
                f'"upstream_status":'
                f"{'null' if upstream_status is None else int.__repr__(upstream_status)},"
                f'"user_agent":{text(values["user_agent"])}}}'
            )
        except TypeError:  # a value that is not a string where one is expected
            pass
    content = {name: values[name] for name in CHAINED_FIELDS}
    content["created_at"] = created_at
    content["prev_hash"] = prev_hash
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


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
