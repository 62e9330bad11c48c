"""Retention: removing the oldest events without breaking the chain's proof.

Pruning removes a prefix of the chain (every event before the first one kept)
and moves the chain's anchor to the last removed event, so verification starts
at the first kept event and still checks every link after it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from smsadmin.audit import triggers
from smsadmin.audit.actions import Action
from smsadmin.audit.chain import GENESIS_HASH
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditMessageRef
from smsadmin.audit.recorder import record


class PruneRefused(Exception):
    """The cut-off is missing or would remove events the retention setting keeps."""


@dataclass(frozen=True)
class PruneResult:
    removed: int
    cutoff: datetime
    first_kept_seq: int | None
    anchor_seq: int


def cutoff_for(before: datetime | None, *, now: datetime | None = None) -> datetime:
    """The moment before which events go: the given one, or the retention setting's.

    Refuses without either, and refuses a cut-off that would remove events the
    retention setting (when set) still keeps.
    """
    now = now or timezone.now()
    days = settings.SMSADMIN_AUDIT_RETENTION_DAYS
    oldest_allowed = now - timedelta(days=days) if days > 0 else None
    if before is None:
        if oldest_allowed is None:
            raise PruneRefused(
                gettext(
                    "Refusing to prune without a cut-off: give --before YYYY-MM-DD, or set "
                    "SMSADMIN_AUDIT_RETENTION_DAYS to the number of days to keep."
                )
            )
        return oldest_allowed
    if before > now:
        raise PruneRefused(gettext("Refusing to prune up to a date in the future."))
    if oldest_allowed is not None and before > oldest_allowed:
        # The date is written as --before takes it (YYYY-MM-DD).
        raise PruneRefused(
            ngettext(
                "Refusing to prune events younger than %(days)s day "
                "(SMSADMIN_AUDIT_RETENTION_DAYS): use a date on or before %(date)s.",
                "Refusing to prune events younger than %(days)s days "
                "(SMSADMIN_AUDIT_RETENTION_DAYS): use a date on or before %(date)s.",
                days,
            )
            % {"days": days, "date": f"{oldest_allowed:%Y-%m-%d}"}
        )
    return before


def prune_before(cutoff: datetime) -> PruneResult:
    """Remove every event before the first one created at or after ``cutoff``; record it.

    One transaction holds the chain head's lock, lifts the triggers, deletes,
    restores the triggers, moves the anchor and records "audit pruned": other
    writers wait, and nobody ever sees the table unprotected.
    """
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH, "anchor_hash": GENESIS_HASH}
        )
        first_kept = (
            AuditEvent.objects.filter(created_at__gte=cutoff)
            .order_by("seq")
            .values("seq", "prev_hash")
            .first()
        )
        if first_kept is None:
            # Everything is older: the chain goes on from its current head.
            anchor_seq, anchor_hash = head.last_seq, head.last_hash
        else:
            anchor_seq, anchor_hash = first_kept["seq"] - 1, first_kept["prev_hash"]
        removed = 0
        if anchor_seq > head.anchor_seq:
            triggers.remove(connection)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {triggers.TABLE} WHERE seq <= %s", [anchor_seq])  # noqa: S608  # nosec B608  # a module constant
                removed = cursor.rowcount
            triggers.install(connection)
            AuditMessageRef.objects.filter(event_seq__lte=anchor_seq).delete()
            AuditChainHead.objects.filter(pk=1).update(
                anchor_seq=anchor_seq, anchor_hash=anchor_hash
            )
        else:
            anchor_seq = head.anchor_seq
        record(
            Action.AUDIT_PRUNED,
            details={
                "removed": removed,
                "cutoff": cutoff.isoformat(),
                "first_kept_seq": first_kept["seq"] if first_kept else None,
                "anchor_seq": anchor_seq,
            },
        )
    return PruneResult(
        removed=removed,
        cutoff=cutoff,
        first_kept_seq=first_kept["seq"] if first_kept else None,
        anchor_seq=anchor_seq,
    )
