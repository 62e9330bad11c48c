"""The inbox: received messages of the last few days that nobody has handled yet.

Answered from the mirror, so opening it or polling its count costs no upstream
call. It looks back ``SMSADMIN_INBOX_DAYS`` days: a mirror holding years of
received messages would otherwise greet a new team with thousands of
"unhandled" ones that nobody will ever answer.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from smsadmin.accounts.models import User
from smsadmin.conversations.models import HandledMessage
from smsadmin.mirror.models import LIVE, Direction, MirroredMessage


def since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.SMSADMIN_INBOX_DAYS)


def received(account_id: int) -> QuerySet[MirroredMessage]:
    return MirroredMessage.objects.filter(
        LIVE, account_id=account_id, direction=Direction.RECEIVED, happened_at__gte=since()
    )


def _handled(account_id: int) -> QuerySet[HandledMessage]:
    return HandledMessage.objects.filter(account_id=account_id, sms_id=OuterRef("sms_id"))


def unhandled(account_id: int) -> QuerySet[MirroredMessage]:
    return (
        received(account_id)
        .exclude(Exists(_handled(account_id)))
        .order_by("-happened_at", "-sms_id")
    )


def unhandled_count(account_id: int) -> int:
    return unhandled(account_id).count()


def mark_handled(
    account_id: int, sms_ids: Iterable[int], user: User, operator_name: str, how: str = "marked"
) -> list[int]:
    """Mark these received messages handled; the ids newly marked, in order.

    Only received messages of this account's mirror can be marked, so an id
    typed into the form cannot plant a row for a message the person can't see.
    One already handled keeps who handled it first.
    """
    wanted = sorted(set(sms_ids))
    eligible = set(
        MirroredMessage.objects.filter(
            account_id=account_id, sms_id__in=wanted, direction=Direction.RECEIVED
        ).values_list("sms_id", flat=True)
    )
    already = set(
        HandledMessage.objects.filter(account_id=account_id, sms_id__in=eligible).values_list(
            "sms_id", flat=True
        )
    )
    fresh = [sms_id for sms_id in wanted if sms_id in eligible and sms_id not in already]
    now = timezone.now()
    HandledMessage.objects.bulk_create(
        [
            HandledMessage(
                account_id=account_id,
                sms_id=sms_id,
                handled_by=user,
                operator_name=operator_name,
                handled_at=now,
                how=how,
            )
            for sms_id in fresh
        ],
        ignore_conflicts=True,
    )
    return fresh


def handled_by_id(account_id: int, sms_ids: Iterable[int]) -> dict[int, HandledMessage]:
    rows = HandledMessage.objects.filter(account_id=account_id, sms_id__in=list(sms_ids))
    return {row.sms_id: row for row in rows.select_related("handled_by")}
