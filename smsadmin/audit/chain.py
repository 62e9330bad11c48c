"""The keyed hash that chains audit events together."""

import hashlib
import hmac
import json
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from smsadmin.audit.models import AuditEvent

GENESIS_HASH = "0" * 64


def event_digest(event: "AuditEvent", prev_hash: str) -> str:
    """HMAC-SHA256 over every recorded field and the previous event's hash."""
    content = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "operator_name": event.operator_name,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "session_hash": event.session_hash,
        "request_id": event.request_id,
        "action": event.action,
        "target": event.target,
        "outcome": event.outcome,
        "error_class": event.error_class,
        "upstream_status": event.upstream_status,
        "details": event.details,
        "parent_id": event.parent_id,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    key = settings.SMSADMIN_AUDIT_KEY.encode()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
