"""Deleting many messages as a job: everything a search matches, or a large selection.

What the confirmation page shows is frozen into the job: the page carries a
fingerprint of the exact ids it counted, and the job starts only if the
search still matches exactly those; otherwise the page is shown again with
the new count. Scheduled messages are cancelled (their DELETE does that),
the rest deleted.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from smsadmin.accounts.models import User
from smsadmin.audit.recorder import Who
from smsadmin.jobs import titles
from smsadmin.jobs.models import Job
from smsadmin.jobs.running import Estimate, create_job, delete_items, estimate
from smsadmin.keys.models import ApiKey
from smsadmin.mirror.models import LIVE, MirroredMessage, Status


@dataclass(frozen=True)
class Selection:
    """The messages a job would delete (``cancelling`` False) or cancel (True), in order."""

    messages: tuple[tuple[int, bool], ...]

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def cancels(self) -> int:
        return sum(1 for _, cancelling in self.messages if cancelling)

    @property
    def deletes(self) -> int:
        return self.count - self.cancels

    @property
    def fingerprint(self) -> str:
        text = ",".join(
            f"{sms_id}{'c' if cancelling else ''}" for sms_id, cancelling in self.messages
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def estimate(self, api_key: ApiKey) -> Estimate:
        return estimate(self.count, api_key)


def matching(rows: QuerySet[MirroredMessage]) -> Selection:
    """The live messages among ``rows``; those still waiting for their time are cancels."""
    now = timezone.now()
    found = rows.filter(LIVE).values_list("sms_id", "status", "scheduled_at")
    return Selection(
        tuple(
            (sms_id, status == Status.PENDING and scheduled_at is not None and scheduled_at > now)
            for sms_id, status, scheduled_at in found
        )
    )


def selected(sms_ids: Sequence[int]) -> Selection:
    """Ids picked on the message list: each a DELETE (which also cancels a scheduled one)."""
    return Selection(tuple((sms_id, False) for sms_id in sms_ids))


def title_for(selection: Selection, kind: str = titles.DELETE_SEARCH) -> dict[str, Any]:
    """The job's title words (smsadmin.jobs.titles): what it deletes and cancels."""
    return {"kind": kind, "deletes": selection.deletes, "cancels": selection.cancels}


def start_deleting(
    *,
    owner: User | None,
    api_key: ApiKey,
    selection: Selection,
    title_words: dict[str, Any],
    who: Who,
    details: dict[str, Any],
    kind: Job.Kind = Job.Kind.DELETE,
) -> Job:
    return create_job(
        owner=owner,
        api_key=api_key,
        kind=kind,
        title_words=title_words,
        items=delete_items(selection.messages),
        who=who,
        details={"deletes": selection.deletes, "cancels": selection.cancels, **details},
    )
