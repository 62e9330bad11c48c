"""Filling the mirror: one budget-capped run per account, resumed where the last one stopped.

A run, for the account a key opens:

1. **New messages** (``head_walk``): pages of 1000 from the newest down,
   stopping at the first page that reaches ``head_id`` (what the mirror
   already has). Usually one call; the rows on that page are refreshed too,
   so recent status changes come along for free.
2. **Pending re-checks**: pending messages that are due (older rows than the
   newest page) are read again until final. Either each with
   ``GET /sms/{id}``, or the pages that hold them, whichever takes fewer
   calls: a handful of stragglers costs one call each, a batch sent together
   sits on one or two pages. Where a page is read, the mirror's own order
   (rows newer than the message) says which page to read; a message missing
   from the middle of the page that should hold it was deleted. Pending rows
   due more than RECHECK_DAYS ago are left to the full pass.
3. **Full pass** (``full_walk``): the first sync, and then one every
   ``SMSADMIN_SYNC_FULL_PASS_HOURS``, reads every page to the oldest message,
   stamping each row it sees with the pass number. A pass that reaches the end
   marks every older-than-its-start row it did not see as deleted upstream.
   Reading the whole account is the only way to notice a deletion made
   outside this site, so it is rare, capped like everything else, and resumes
   across runs. A row marked deleted by mistake is revived when next seen.

Every call goes through ``Allowance``: when the sync's share of the minute is
spent, a run stops and stores where it was; the next run (the ``--loop``
command a minute later, or the next "sync now") resumes there.
"""

import bisect
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from smsadmin.keys.models import ApiKey
from smsadmin.mirror.allowance import ASKED_TO_WAIT, Allowance
from smsadmin.mirror.models import LIVE, Direction, KeyAccount, MirroredMessage, Status, SyncState
from smsadmin.mirror.walking import FULL, NEW, PAGE_SIZE, Walk
from smsadmin.problems import problem_for
from smsadmin.sms.models import SentMessage
from smsadmin.sociostacks import reads
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, RateLimited, SociostacksError
from smsadmin.sociostacks.types import Contact, Device, Message

logger = logging.getLogger("smsadmin.mirror")

LEASE_SECONDS = 120
BUSY_RETRY_SECONDS = 10
# Which account a key opens changes only with its secret (checked by
# fingerprint); the name is looked up again daily.
ACCOUNT_RECHECK = timedelta(days=1)
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


@dataclass
class RunReport:
    """What one run did, for the command's output, the audit log and the page."""

    account_id: int | None = None
    account_name: str = ""
    calls: int = 0
    pages: int = 0
    new: int = 0
    refreshed: int = 0
    deleted: int = 0
    rechecked: int = 0
    up_to_date: bool = False
    paused: str = ""
    wait_seconds: int = 0
    busy: bool = False
    skipped: bool = False
    error: str = ""

    def details(self) -> dict[str, object]:
        found = {
            "account_id": self.account_id,
            "calls": self.calls,
            "pages": self.pages,
            "new": self.new,
            "refreshed": self.refreshed,
            "deleted": self.deleted,
            "rechecked": self.rechecked,
            "up_to_date": self.up_to_date,
        }
        for name in ("paused", "error"):
            if value := getattr(self, name):
                found[name] = value
        if self.busy:
            found["busy"] = True
        return found

    @property
    def changed_anything(self) -> bool:
        return bool(self.new or self.deleted or self.error)

    @property
    def sentence(self) -> str:
        if self.error:
            return f"The sync stopped: {self.error}"
        if self.busy:
            return "Another sync of this account is running; its progress is shown here."
        done = (
            f"{self.new:,} new message{'s' if self.new != 1 else ''} mirrored, "
            f"{self.refreshed:,} refreshed, {self.deleted:,} marked deleted "
            f"({self.calls} upstream call{'s' if self.calls != 1 else ''})."
        )
        if self.paused:
            return f"{done} Paused: {self.paused}; it goes on in about {self.wait_seconds} s."
        return done + (" The mirror is up to date." if self.up_to_date else "")


def account_link(key: ApiKey) -> KeyAccount | None:
    """The account the key's current secret opens, if a sync has asked upstream."""
    link = KeyAccount.objects.filter(key=key).first()
    if link is None or link.fingerprint != key.client().fingerprint:
        return None
    return link


def run(
    key: ApiKey,
    *,
    holder: str,
    seconds: float | None = None,
    skip_accounts: Iterable[int] = (),
) -> RunReport:
    """One run for the key's account, within the sync's budget share and ``seconds``.

    Never raises for an upstream failure: the report says what went wrong.
    ``holder`` names who runs it (shown while it runs); an account another run
    holds is left alone (``busy``), as are ``skip_accounts``.
    """
    client = key.client()
    allowance = Allowance(client.fingerprint)
    report = RunReport()
    try:
        link = _resolve_account(key, client, allowance)
    except SociostacksError as error:
        report.error = problem_for(error).sentence
        report.calls = allowance.calls
        return report
    if link is None:
        report.paused, report.wait_seconds = allowance.refusal() or "", allowance.wait_seconds()
        return report
    report.account_id, report.account_name = link.account_id, link.account_name
    if link.account_id in set(skip_accounts):
        report.skipped = True
        return report
    state, _ = SyncState.objects.get_or_create(
        account_id=link.account_id, defaults={"account_name": link.account_name}
    )
    if not _take_lease(state, holder):
        report.busy, report.wait_seconds = True, BUSY_RETRY_SECONDS
        return report
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        _Run(state, key, client, allowance, report, deadline).go()
    finally:
        report.calls = allowance.calls
        _release(state, report)
    return report


def run_all(keys: Iterable[ApiKey], *, holder: str) -> list[RunReport]:
    """One run per account; when several keys open an account, the first one syncs it."""
    reports: list[RunReport] = []
    done: set[int] = set()
    for key in keys:
        report = run(key, holder=holder, skip_accounts=done)
        if report.account_id is not None:
            done.add(report.account_id)
        if not report.skipped:
            reports.append(report)
    return reports


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


def _resolve_account(
    key: ApiKey, client: SociostacksClient, allowance: Allowance
) -> KeyAccount | None:
    now = timezone.now()
    link = KeyAccount.objects.filter(key=key).first()
    if (
        link is not None
        and link.fingerprint == client.fingerprint
        and link.resolved_at > now - ACCOUNT_RECHECK
    ):
        return link
    if not allowance.may_call():
        return None
    # The same cached entry the client keeps for the account's time zone.
    account = allowance.spend(lambda: reads.account(client), at_least=0).value
    link, _ = KeyAccount.objects.update_or_create(
        key=key,
        defaults={
            "account_id": account.id,
            "account_name": account.name[:200],
            "fingerprint": client.fingerprint,
            "resolved_at": now,
        },
    )
    return link


def _take_lease(state: SyncState, holder: str) -> bool:
    now = timezone.now()
    taken = (
        SyncState.objects.filter(pk=state.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + timedelta(seconds=LEASE_SECONDS), lease_holder=holder[:100])
    )
    return taken == 1


# Every field a run writes but ``mirrored``, which only ever moves by F() so
# that a delete through the site in the middle of a run is not overwritten.
_STATE_FIELDS = [
    "account_name",
    "key",
    "head_id",
    "head_walk",
    "full_walk",
    "full_passes",
    "last_full_pass_at",
    "devices",
    "upstream_total",
    "last_sync_at",
    "last_run_at",
    "last_run_calls",
    "last_outcome",
    "resume_at",
    "last_error",
    "last_error_at",
    "lease_until",
]


def _release(state: SyncState, report: RunReport) -> None:
    now = timezone.now()
    state.last_run_at = now
    state.last_run_calls = report.calls
    state.last_outcome = report.sentence[:200]
    state.resume_at = now + timedelta(seconds=report.wait_seconds) if report.paused else None
    if report.error:
        state.last_error, state.last_error_at = report.error[:500], now
    state.lease_until = None
    state.save(update_fields=[*_STATE_FIELDS, "lease_holder"])


class _Stop(Exception):
    """The run cannot go on now: out of budget or time (``RunReport.paused`` says which)."""


class _Run:
    def __init__(
        self,
        state: SyncState,
        key: ApiKey,
        client: SociostacksClient,
        allowance: Allowance,
        report: RunReport,
        deadline: float | None,
    ) -> None:
        self.state = state
        self.key = key
        self.client = client
        self.allowance = allowance
        self.report = report
        self.deadline = deadline
        self.started = timezone.now()
        self.contacts: dict[int, Contact] = {}

    def go(self) -> None:
        state = self.state
        state.key = self.key
        state.last_error = ""  # set again by _release if this run fails too
        try:
            self._refresh_devices()
            if not state.is_complete:
                self._go_on_with_full_pass()  # the first sync reads everything first
            self._walk(self._head_walk(), "head_walk")
            state.last_sync_at = timezone.now()
            self.report.up_to_date = True
            self._recheck_pending()
            self._go_on_with_full_pass()
            self._fill_missing_names()
            self._fill_sent_numbers()
        except _Stop:
            pass
        except RateLimited as error:
            self.report.paused = ASKED_TO_WAIT
            self.report.wait_seconds = error.retry_after
        except SociostacksError as error:
            logger.warning("sync of account %s failed: %s", state.account_id, error.user_message)
            self.report.error = problem_for(error).sentence

    # --- calls within the allowance --------------------------------------------

    def _check(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.report.paused = "this step's time is up"
            self.report.wait_seconds = 1
            raise _Stop
        if reason := self.allowance.refusal():
            self.report.paused = reason
            self.report.wait_seconds = self.allowance.wait_seconds()
            raise _Stop

    def _page(self, number: int):
        self._check()
        answer = self.allowance.spend(lambda: self.client.list_messages(number, PAGE_SIZE))
        self.report.pages += 1
        self.state.upstream_total = answer.total
        return answer

    def _refresh_devices(self) -> None:
        if not self.allowance.may_call():
            return
        try:
            answer = self.allowance.spend(lambda: reads.devices(self.client), at_least=0)
        except SociostacksError:
            return  # names can wait; messages matter more
        self.state.devices = _merged_devices(self.state.devices, answer.value)

    def _directory(self, messages: Sequence[Message]) -> dict[int, Contact]:
        needed = {m.contact_id for m in messages if m.contact_id}
        if needed <= self.contacts.keys() or not self.allowance.may_call():
            return self.contacts
        try:
            answer = self.allowance.spend(lambda: reads.contacts(self.client, needed), at_least=0)
        except SociostacksError:
            return self.contacts  # rows get their names later (_fill_missing_names)
        self.contacts = dict(answer.value)
        return self.contacts

    # --- walks -----------------------------------------------------------------

    def _head_walk(self) -> Walk:
        head_id = self.state.head_id or 0
        if not self.state.head_walk:
            return Walk(NEW, stop_at_id=head_id)
        walk = Walk.from_json(self.state.head_walk)
        # A full pass that ended since may have moved the head on: stop there.
        walk.stop_at_id = max(walk.stop_at_id, head_id)
        return walk

    def _go_on_with_full_pass(self) -> None:
        """Resume the paused full pass, or start one when it is due (or never ran)."""
        state = self.state
        if state.full_walk:
            self._walk(Walk.from_json(state.full_walk), "full_walk")
            return
        every = timedelta(hours=settings.SMSADMIN_SYNC_FULL_PASS_HOURS)
        last = state.last_full_pass_at
        if not state.is_complete or last is None or timezone.now() - last >= every:
            self._walk(Walk(FULL, number=state.full_passes + 1), "full_walk")

    def _walk(self, walk: Walk, slot: str) -> None:
        state = self.state
        while True:
            try:
                answer = self._page(walk.page)
            finally:
                setattr(state, slot, walk.to_json())
            step = walk.take(answer)
            self._store(step.messages, full_pass=walk.number if walk.kind == FULL else None)
            if step.done:
                setattr(state, slot, None)
                self._finish(walk, reached_end=step.reached_end)
                state.save(update_fields=_STATE_FIELDS)
                return
            setattr(state, slot, walk.to_json())
            state.lease_until = timezone.now() + timedelta(seconds=LEASE_SECONDS)
            state.save(update_fields=_STATE_FIELDS)

    def _finish(self, walk: Walk, *, reached_end: bool) -> None:
        state = self.state
        top = walk.top_id or 0
        state.head_id = max(state.head_id or 0, top)
        if walk.kind != FULL or not reached_end:
            return
        gone = (
            MirroredMessage.objects.filter(LIVE, account_id=state.account_id, sms_id__lte=top)
            .exclude(full_pass=walk.number)
            .update(deleted_at=timezone.now())
        )
        self.report.deleted += gone
        state.full_passes = walk.number
        state.last_full_pass_at = timezone.now()
        # Recounted now and then, so the running count cannot drift for long.
        live = MirroredMessage.objects.filter(LIVE, account_id=state.account_id).count()
        SyncState.objects.filter(pk=state.pk).update(mirrored=live)

    # --- storing ---------------------------------------------------------------

    def _store(self, messages: Sequence[Message], *, full_pass: int | None = None) -> None:
        if not messages:
            return
        now = timezone.now()
        account_id = self.state.account_id
        ids = [m.sms_id for m in messages]
        sent_to = dict(
            SentMessage.objects.filter(account_id=account_id, sms_id__in=ids).values_list(
                "sms_id", "phone"
            )
        )
        # Messages smsadmin sent have their number already: their contacts
        # (unreadable when the send made them) need not be looked for.
        contacts = self._directory([m for m in messages if m.sms_id not in sent_to])
        known = dict(
            MirroredMessage.objects.filter(account_id=account_id, sms_id__in=ids).values_list(
                "sms_id", "deleted_at"
            )
        )
        synced_at = connection.ops.adapt_datetimefield_value(now)
        named, numbered, unnamed = [], [], []
        for message in messages:
            contact = contacts.get(message.contact_id) if message.contact_id else None
            number = sent_to.get(message.sms_id, "")
            row = _row(account_id, message, contact, number, self.key.pk, synced_at, full_pass or 0)
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
        self.report.new += new
        self.report.refreshed += len(known)
        if new or revived:
            SyncState.objects.filter(pk=self.state.pk).update(
                mirrored=F("mirrored") + new + revived
            )

    def _mark_gone(self, sms_ids: Iterable[int]) -> None:
        gone = MirroredMessage.objects.filter(
            LIVE, account_id=self.state.account_id, sms_id__in=list(sms_ids)
        ).update(deleted_at=timezone.now())
        if gone:
            self.report.deleted += gone
            SyncState.objects.filter(pk=self.state.pk).update(mirrored=F("mirrored") - gone)

    # --- pending messages ------------------------------------------------------

    def _due_pending(self) -> list[int]:
        now = timezone.now()
        window = now - timedelta(days=RECHECK_DAYS)
        due = Q(scheduled_at__range=(window, now)) | Q(
            scheduled_at__isnull=True, happened_at__gte=window
        )
        return list(
            MirroredMessage.objects.filter(
                LIVE,
                due,
                account_id=self.state.account_id,
                status=Status.PENDING,
                synced_at__lt=self.started,
            )
            .order_by("-sms_id")
            .values_list("sms_id", flat=True)[:MAX_RECHECKS]
        )

    def _pages_holding(self, sms_ids: list[int]) -> tuple[dict[int, list[int]], list[int]]:
        """Which page should hold each message, by how many live rows are newer.

        The ids from the newest down to the deepest of ``sms_ids`` are read in
        one query, at most RANK_SCAN_ROWS of them; a message deeper than that
        (stuck pending for days in a busy account) is returned apart, to be
        read on its own.
        """
        if not sms_ids:
            return {}, []
        newer_first = list(
            MirroredMessage.objects.filter(
                LIVE, account_id=self.state.account_id, sms_id__gte=min(sms_ids)
            )
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

    def _recheck_pending(self) -> None:
        due = self._due_pending()
        pages, too_deep = self._pages_holding(due)
        # A page read costs what one message read costs: pages win when they
        # hold more than one due message each.
        by_page = len(pages) < len(due) - len(too_deep)
        left_over = self._recheck_by_pages(pages) + too_deep if by_page else due
        for sms_id in left_over:
            self._check()
            try:
                message = self.allowance.spend(lambda s=sms_id: self.client.get_message(s))
            except NotFound:
                self._mark_gone([sms_id])
            else:
                self._store([message])
            self.report.rechecked += 1

    def _recheck_by_pages(self, pages: dict[int, list[int]]) -> list[int]:
        """Read the pages; returns the messages that were not where they should be."""
        left_over: list[int] = []
        for number, wanted in sorted(pages.items()):
            answer = self._page(number)
            self._store(answer.items)
            seen = {m.sms_id for m in answer.items}
            newest = max(seen, default=0)
            oldest = min(seen, default=0)
            found = [sms_id for sms_id in wanted if sms_id in seen]
            # Missing from within the page's own range: it is not upstream any more.
            gone = [s for s in wanted if s not in seen and oldest < s < newest]
            self._mark_gone(gone)
            left_over += [s for s in wanted if s not in seen and s not in gone]
            self.report.rechecked += len(found) + len(gone)
        return left_over

    def _fill_missing_names(self) -> None:
        """Rows stored while the contact directory lacked their contact get the name now."""
        if not self.contacts:
            return
        missing = (
            MirroredMessage.objects.filter(
                LIVE, account_id=self.state.account_id, phone_digits="", contact_id__isnull=False
            )
            .values_list("contact_id", flat=True)
            .distinct()[:FILL_NAMES_BATCH]
        )
        for contact_id in list(missing):
            contact = self.contacts.get(contact_id)
            if contact is None:
                continue
            phone, digits, name = _party_fields(contact, "")
            MirroredMessage.objects.filter(
                account_id=self.state.account_id, contact_id=contact_id, phone_digits=""
            ).update(phone=phone, phone_digits=digits, contact_name=name)

    def _fill_sent_numbers(self) -> None:
        """Rows stored before their send had filed its numbers get the number now."""
        account_id = self.state.account_id
        sent = SentMessage.objects.filter(account_id=account_id)
        numberless = MirroredMessage.objects.filter(
            account_id=account_id, phone_digits="", sms_id__in=sent.values("sms_id")
        ).values_list("sms_id", flat=True)[:FILL_NAMES_BATCH]
        for sms_id, number in sent.filter(sms_id__in=list(numberless)).values_list(
            "sms_id", "phone"
        ):
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


def _merged_devices(known: list[dict], devices: Iterable[Device]) -> list[dict]:
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


@dataclass(frozen=True)
class Progress:
    """How far the mirror of an account is, for the page to show while a sync runs."""

    running: bool
    holder: str
    mirrored: int
    upstream_total: int | None
    phase: str
    pages_done: int = 0
    pages_total: int | None = None
    last_sync_at: datetime | None = None
    last_outcome: str = ""
    last_error: str = ""
    resume_at: datetime | None = None

    @property
    def percent(self) -> int | None:
        if self.pages_total:
            return min(100, round(100 * self.pages_done / self.pages_total))
        return None


def progress(state: SyncState | None) -> Progress:
    if state is None:
        return Progress(False, "", 0, None, "never synced")
    running = state.lease_until is not None and state.lease_until > timezone.now()
    pages_done, pages_total = 0, None
    if state.full_walk:
        phase = "first sync" if state.head_id is None else "full pass (looking for deletions)"
        walk = Walk.from_json(state.full_walk)
        pages_done = walk.page - 1
        pages_total = pages_done + (walk.pages_left or 0)
    elif state.head_walk:
        phase = "catching up with new messages"
    elif state.head_id is None:
        phase = "never synced"
    else:
        phase = "up to date"
    return Progress(
        running=running,
        holder=state.lease_holder if running else "",
        mirrored=state.mirrored,
        upstream_total=state.upstream_total,
        phase=phase,
        pages_done=pages_done,
        pages_total=pages_total,
        last_sync_at=state.last_sync_at,
        last_outcome=state.last_outcome,
        last_error=state.last_error,
        resume_at=state.resume_at,
    )
