"""The mirror's rows: storing what upstream answered, marking deletions, filling in names.

Everything the sync writes to ``MirroredMessage`` (and the ``mirrored``
count of ``SyncState``, which only ever moves by F() so that a delete
through the site in the middle of a run is not overwritten), and the two
questions the sync asks of the rows: which pending ones are due for a
re-check, and which upstream page should hold each. No upstream calls here.
"""

import bisect
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from smsadmin.keys.models import ApiKey
from smsadmin.mirror.models import LIVE, Direction, KeyAccount, MirroredMessage, Status, SyncState
from smsadmin.mirror.walking import PAGE_SIZE
from smsadmin.sms.models import SentMessage
from smsadmin.sociostacks.types import Contact, Device, Message

logger = logging.getLogger("smsadmin.mirror")

RECHECK_DAYS = 7
MAX_RECHECKS = 2000
RANK_SCAN_ROWS = 200_000
FILL_NAMES_BATCH = 500

# PostgreSQL refuses NUL in text and lone surrogates anywhere; message content
# is attacker-controlled and must not be able to stop the sync.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NOT_DIGIT = re.compile(r"\D")


def _storable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def mark_deleted(key: ApiKey, sms_id: int) -> None:
    """The message is gone upstream (deleted through this site): say so in the mirror now.

    Never raises: the delete itself already happened, and a row missed here
    is marked by the next full pass anyway.
    """
    try:
        with transaction.atomic():
            accounts = KeyAccount.objects.filter(key=key).values("account_id")
            gone = MirroredMessage.objects.filter(
                LIVE, account_id__in=accounts, sms_id=sms_id
            ).update(deleted_at=timezone.now())
            if gone:
                SyncState.objects.filter(account_id__in=accounts).update(
                    mirrored=F("mirrored") - gone
                )
    except DatabaseError:
        logger.exception("could not mark message %s deleted in the mirror", sms_id)


def sent_numbers(account_id: int, sms_ids: Iterable[int]) -> dict[int, str]:
    """The numbers smsadmin sent these messages to, for those it sent."""
    return dict(
        SentMessage.objects.filter(account_id=account_id, sms_id__in=list(sms_ids)).values_list(
            "sms_id", "phone"
        )
    )


@dataclass(frozen=True)
class Stored:
    new: int
    refreshed: int


def store(
    state: SyncState,
    messages: Sequence[Message],
    *,
    contacts: Mapping[int, Contact],
    sent_to: Mapping[int, str],
    key_id: int,
    full_pass: int | None = None,
) -> Stored:
    """Insert or refresh the rows of ``messages``; ``full_pass`` stamps them as seen by it."""
    if not messages:
        return Stored(0, 0)
    account_id = state.account_id
    ids = [m.sms_id for m in messages]
    known = dict(
        MirroredMessage.objects.filter(account_id=account_id, sms_id__in=ids).values_list(
            "sms_id", "deleted_at"
        )
    )
    synced_at = connection.ops.adapt_datetimefield_value(timezone.now())
    named: list[tuple] = []
    numbered: list[tuple] = []
    unnamed: list[tuple] = []
    for message in messages:
        contact = contacts.get(message.contact_id) if message.contact_id else None
        number = sent_to.get(message.sms_id, "")
        row = _row(account_id, message, contact, number, key_id, synced_at, full_pass or 0)
        # A row whose contact the directory lacks keeps the number (and
        # name) it had, unless smsadmin knows the number it was sent to.
        if contact is not None or not message.contact_id:
            named.append(row)
        else:
            (numbered if number else unnamed).append(row)
    update = [*_REFRESHED, "full_pass"] if full_pass is not None else _REFRESHED
    _upsert(named, update=[*update, *_CONTACT_COLUMNS])
    _upsert(numbered, update=[*update, "phone", "phone_digits"])
    _upsert(unnamed, update=update)
    new = len(set(ids) - known.keys())
    revived = sum(1 for deleted_at in known.values() if deleted_at is not None)
    if new or revived:
        SyncState.objects.filter(pk=state.pk).update(mirrored=F("mirrored") + new + revived)
    return Stored(new=new, refreshed=len(known))


def mark_gone(state: SyncState, sms_ids: Iterable[int]) -> int:
    """Mark these messages deleted upstream; returns how many were live."""
    gone = MirroredMessage.objects.filter(
        LIVE, account_id=state.account_id, sms_id__in=list(sms_ids)
    ).update(deleted_at=timezone.now())
    if gone:
        SyncState.objects.filter(pk=state.pk).update(mirrored=F("mirrored") - gone)
    return gone


def mark_unseen_deleted(state: SyncState, *, up_to_id: int, full_pass: int) -> int:
    """A full pass reached the end: every live row up to ``up_to_id`` it did not see is gone."""
    gone = (
        MirroredMessage.objects.filter(LIVE, account_id=state.account_id, sms_id__lte=up_to_id)
        .exclude(full_pass=full_pass)
        .update(deleted_at=timezone.now())
    )
    # Recounted now and then, so the running count cannot drift for long.
    live = MirroredMessage.objects.filter(LIVE, account_id=state.account_id).count()
    SyncState.objects.filter(pk=state.pk).update(mirrored=live)
    return gone


def due_pending(account_id: int, *, synced_before: datetime) -> list[int]:
    """Pending messages whose time has come, not stored since ``synced_before``, newest first."""
    now = timezone.now()
    window = now - timedelta(days=RECHECK_DAYS)
    due = Q(scheduled_at__range=(window, now)) | Q(
        scheduled_at__isnull=True, happened_at__gte=window
    )
    return list(
        MirroredMessage.objects.filter(
            LIVE,
            due,
            account_id=account_id,
            status=Status.PENDING,
            synced_at__lt=synced_before,
        )
        .order_by("-sms_id")
        .values_list("sms_id", flat=True)[:MAX_RECHECKS]
    )


def pages_holding(account_id: int, sms_ids: list[int]) -> tuple[dict[int, list[int]], list[int]]:
    """Which page should hold each message, by how many live rows are newer.

    The ids from the newest down to the deepest of ``sms_ids`` are read in
    one query, at most RANK_SCAN_ROWS of them; a message deeper than that
    (stuck pending for days in a busy account) is returned apart, to be
    read on its own.
    """
    if not sms_ids:
        return {}, []
    newer_first = list(
        MirroredMessage.objects.filter(LIVE, account_id=account_id, sms_id__gte=min(sms_ids))
        .order_by("-sms_id")
        .values_list("sms_id", flat=True)[:RANK_SCAN_ROWS]
    )
    ascending = newer_first[::-1]
    pages: dict[int, list[int]] = {}
    too_deep = []
    for sms_id in sms_ids:
        if len(newer_first) == RANK_SCAN_ROWS and sms_id < newer_first[-1]:
            too_deep.append(sms_id)
            continue
        newer = len(ascending) - bisect.bisect_right(ascending, sms_id)
        pages.setdefault(newer // PAGE_SIZE + 1, []).append(sms_id)
    return pages, too_deep


def fill_missing_names(account_id: int, contacts: Mapping[int, Contact]) -> None:
    """Rows stored while the contact directory lacked their contact get the name now."""
    if not contacts:
        return
    missing = (
        MirroredMessage.objects.filter(
            LIVE, account_id=account_id, phone_digits="", contact_id__isnull=False
        )
        .values_list("contact_id", flat=True)
        .distinct()[:FILL_NAMES_BATCH]
    )
    for contact_id in list(missing):
        contact = contacts.get(contact_id) if contact_id is not None else None
        if contact is None:
            continue
        phone, digits, name = _party_fields(contact, "")
        MirroredMessage.objects.filter(
            account_id=account_id, contact_id=contact_id, phone_digits=""
        ).update(phone=phone, phone_digits=digits, contact_name=name)


def fill_sent_numbers(account_id: int) -> None:
    """Rows stored before their send had filed its numbers get the number now."""
    sent = SentMessage.objects.filter(account_id=account_id)
    numberless = MirroredMessage.objects.filter(
        account_id=account_id, phone_digits="", sms_id__in=sent.values("sms_id")
    ).values_list("sms_id", flat=True)[:FILL_NAMES_BATCH]
    for sms_id, number in sent.filter(sms_id__in=list(numberless)).values_list("sms_id", "phone"):
        phone, digits, _name = _party_fields(None, number)
        MirroredMessage.objects.filter(account_id=account_id, sms_id=sms_id).update(
            phone=phone, phone_digits=digits
        )


def _party_fields(contact: Contact | None, number: str) -> tuple[str, str, str]:
    """Phone, its digits and the name: the contact's, else just the number smsadmin sent to."""
    if contact is None and not number:
        return "", "", ""
    digits = _NOT_DIGIT.sub("", contact.phone_number if contact else number)[:40]
    phone = f"+{digits}" if digits else ""
    return phone, digits, _storable(contact.name)[:200] if contact else ""


_CONTACT_COLUMNS = ["phone", "phone_digits", "contact_name"]
_REFRESHED = [
    "direction",
    "status",
    "error",
    "content",
    "happened_at",
    "scheduled_at",
    "device_id",
    "sim_id",
    "contact_id",
    "synced_by_id",
    "synced_at",
    "deleted_at",
]
_COLUMNS = ["account_id", "sms_id", *_REFRESHED, "full_pass", *_CONTACT_COLUMNS]


def _row(
    account_id: int,
    message: Message,
    contact: Contact | None,
    number: str,
    key_id: int,
    synced_at: object,
    full_pass: int,
) -> tuple:
    """The values of ``_COLUMNS`` for one message, ready for the database.

    ``synced_at`` comes already adapted: it is the same for a whole page.
    """
    adapt = connection.ops.adapt_datetimefield_value
    direction = Direction.RECEIVED if message.type == Direction.RECEIVED else Direction.SENT
    return (
        account_id,
        message.sms_id,
        direction.value,
        _storable(message.status)[:10],
        _storable(message.error or "")[:64],
        _storable(message.content),
        adapt(message.created_at or message.scheduled_at) or synced_at,
        adapt(message.scheduled_at),
        message.device_id,
        message.sim_subscription_id,
        message.contact_id,
        key_id,
        synced_at,
        None,  # seen upstream, so not deleted (any more)
        full_pass,
        *_party_fields(contact, number),
    )


def _upsert(rows: list[tuple], *, update: Sequence[str]) -> None:
    """Insert rows, or refresh ``update`` where the message is already mirrored.

    One ``INSERT … ON CONFLICT DO UPDATE`` run for all rows, the same SQL on
    SQLite and PostgreSQL. bulk_create spent more than half of a first sync
    preparing values field by field; this takes about a quarter of that
    (bench/bench_sync.py, 100,000 messages on SQLite on a quiet machine:
    94 s with bulk_create, 23 s with this).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(map(quote, _COLUMNS))
    marks = ", ".join(["%s"] * len(_COLUMNS))
    changes = ", ".join(f"{quote(column)} = excluded.{quote(column)}" for column in update)
    table = quote(MirroredMessage._meta.db_table)
    key = f"{quote('account_id')}, {quote('sms_id')}"
    # Only our own table and column names are formatted in; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({key}) DO UPDATE SET {changes}"  # noqa: E501, S608  # nosec B608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def merged_devices(known: list[dict], devices: Iterable[Device]) -> list[dict]:
    by_id = {int(device["id"]): device for device in known}
    for device in devices:
        by_id[device.id] = {
            "id": device.id,
            "name": _storable(device.name)[:200] or f"Device {device.id}",
            "sims": [
                {"id": sim.subscription_id, "label": _storable(sim.label)} for sim in device.sims
            ],
        }
    return [by_id[device_id] for device_id in sorted(by_id)]
