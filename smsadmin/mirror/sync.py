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
spent, a run stops and stores where it was; the next run (the jobs worker's
command a minute later, or the next "sync now") resumes there.

This module is the loop and its lease: which call comes next, and when a run
stops. How a walk moves through the pages is ``walking.py``, what is written
to the mirror's rows ``storing.py``, the budget share ``allowance.py``, and
what the page shows of a run ``progress.py``.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from smsadmin.keys.models import ApiKey
from smsadmin.mirror import storing
from smsadmin.mirror.allowance import ASKED_TO_WAIT, REASONS, TIME_UP, Allowance
from smsadmin.mirror.models import KeyAccount, SyncState
from smsadmin.mirror.walking import FULL, NEW, PAGE_SIZE, Walk
from smsadmin.problems import problem_for
from smsadmin.sociostacks import reads
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, RateLimited, SociostacksError
from smsadmin.sociostacks.types import Contact, Message

logger = logging.getLogger("smsadmin.mirror")

LEASE_SECONDS = 120
BUSY_RETRY_SECONDS = 10
# Which account a key opens changes only with its secret (checked by
# fingerprint); the name is looked up again daily.
ACCOUNT_RECHECK = timedelta(days=1)


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
        found: dict[str, object] = {
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
        """What the run did, in the viewer's language (the command's: the site's)."""
        if self.error:
            return gettext("The sync stopped: %(error)s") % {"error": self.error}
        if self.busy:
            return gettext("Another sync of this account is running; its progress is shown here.")
        counts = ngettext(
            "%(new)s new message mirrored, %(refreshed)s refreshed, %(deleted)s marked deleted",
            "%(new)s new messages mirrored, %(refreshed)s refreshed, %(deleted)s marked deleted",
            self.new,
        ) % {
            "new": number_format(self.new, force_grouping=True),
            "refreshed": number_format(self.refreshed, force_grouping=True),
            "deleted": number_format(self.deleted, force_grouping=True),
        }
        done = ngettext(
            "%(counts)s (%(calls)s upstream call).",
            "%(counts)s (%(calls)s upstream calls).",
            self.calls,
        ) % {"counts": counts, "calls": self.calls}
        if self.paused:
            return gettext("%(done)s Paused: %(reason)s; it goes on in about %(seconds)s s.") % {
                "done": done,
                "reason": REASONS.get(self.paused, self.paused),
                "seconds": self.wait_seconds,
            }
        if self.up_to_date:
            return gettext("%(done)s The mirror is up to date.") % {"done": done}
        return done


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
            storing.fill_missing_names(state.account_id, self.contacts)
            storing.fill_sent_numbers(state.account_id)
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
            self.report.paused = TIME_UP
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
        self.state.devices = storing.merged_devices(self.state.devices, answer.value)

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
        self.report.deleted += storing.mark_unseen_deleted(
            state, up_to_id=top, full_pass=walk.number
        )
        state.full_passes = walk.number
        state.last_full_pass_at = timezone.now()

    # --- storing ---------------------------------------------------------------

    def _store(self, messages: Sequence[Message], *, full_pass: int | None = None) -> None:
        if not messages:
            return
        sent_to = storing.sent_numbers(self.state.account_id, [m.sms_id for m in messages])
        # Messages smsadmin sent have their number already: their contacts
        # (unreadable when the send made them) need not be looked for.
        contacts = self._directory([m for m in messages if m.sms_id not in sent_to])
        stored = storing.store(
            self.state,
            messages,
            contacts=contacts,
            sent_to=sent_to,
            key_id=self.key.pk,
            full_pass=full_pass,
        )
        self.report.new += stored.new
        self.report.refreshed += stored.refreshed

    def _mark_gone(self, sms_ids: Iterable[int]) -> None:
        self.report.deleted += storing.mark_gone(self.state, sms_ids)

    # --- pending messages ------------------------------------------------------

    def _recheck_pending(self) -> None:
        due = storing.due_pending(self.state.account_id, synced_before=self.started)
        pages, too_deep = storing.pages_holding(self.state.account_id, due)
        # A page read costs what one message read costs: pages win when they
        # hold more than one due message each.
        by_page = len(pages) < len(due) - len(too_deep)
        left_over = self._recheck_by_pages(pages) + too_deep if by_page else due
        for sms_id in left_over:
            self._check()
            try:
                message = self.allowance.spend(partial(self.client.get_message, sms_id))
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
