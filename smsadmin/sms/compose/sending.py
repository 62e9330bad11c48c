"""Sending what the compose screen prepared: once, within the person's cap, audited.

The flow is prepare → claim → perform:

- ``prepare`` stores the checked draft as a pending ``SendRequest`` under the
  form's one-time token; the confirmation page shows that row.
- ``claim`` moves the row from pending to sending with one conditional UPDATE,
  under a lock on the person's row. Whatever else presents the same token (a
  double click, a reload, a second tab) finds it claimed and never reaches the
  API: the API has no idempotency key, so a repeated POST is a repeated SMS.
- ``perform`` sends in batches of at most 4999 (the client does the batching)
  and writes each batch's result to the row, with the number of every message
  it created (``SentMessage``) in the same transaction, so a second tab can
  watch and no created message loses its number. It runs inside the request
  that claimed the row; the progress page exists for the other tabs and for a
  reload while that request is still working.

Nothing is ever resent on its own: a failed batch leaves its numbers in
``unsent_numbers`` for the person to send again, deliberately, as a new send.
A batch Sociostacks accepted without listing an id per number counts its
numbers as sent but unconfirmed: never offered again, never claimed as a
number of messages.

Audit: a send is an attempt/outcome pair named "send" or "schedule". Its
details list the recipients whole up to ``AUDIT_LIST_LIMIT`` numbers; a longer
list is recorded as its count, the first ``AUDIT_LIST_SAMPLE`` numbers and the
SHA-256 of the whole list (one number per line), which proves what was sent
without writing megabytes into every event. Created ids are always listed
whole, so every message can be traced to the send that made it.
"""

import hashlib
import json
import logging
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from smsadmin import problems
from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who, audited, record
from smsadmin.problems import Problem, problem_for
from smsadmin.sms.compose.segments import count_segments
from smsadmin.sms.models import SendRequest, SentMessage
from smsadmin.sms.wording import grouped
from smsadmin.sociostacks import content as stored_text
from smsadmin.sociostacks import reads
from smsadmin.sociostacks.client import MAX_RECIPIENTS_PER_POST, SociostacksClient
from smsadmin.sociostacks.errors import (
    InvalidRequest,
    PartialSendError,
    SenderUnavailable,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
)
from smsadmin.sociostacks.types import BatchResult

logger = logging.getLogger("smsadmin.sms.compose.sending")

AUDIT_LIST_LIMIT = 1000
AUDIT_LIST_SAMPLE = 100


@dataclass(frozen=True)
class Draft:
    """A checked compose form: everything a send needs, nothing left to validate."""

    content: str
    numbers: Sequence[str]
    device_id: int
    sim_id: int
    device_label: str = ""
    sim_label: str = ""
    scheduled_at: datetime | None = None
    recipients_source: str = ""
    duplicates_removed: int = 0
    invalid_left_out: int = 0
    warnings: Sequence[tuple[str, str]] = field(default_factory=tuple)

    @property
    def fingerprint(self) -> str:
        when = self.scheduled_at.isoformat() if self.scheduled_at else None
        payload = [self.content, list(self.numbers), self.device_id, self.sim_id, when]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    def fields(self) -> dict[str, Any]:
        segments = count_segments(stored_text.rewrite(self.content).stored)
        return {
            "fingerprint": self.fingerprint,
            "content": self.content,
            "numbers": list(self.numbers),
            "recipients_source": self.recipients_source[:255],
            "duplicates_removed": self.duplicates_removed,
            "invalid_left_out": self.invalid_left_out,
            "warnings": [list(pair) for pair in self.warnings],
            "device_id": self.device_id,
            "sim_id": self.sim_id,
            "device_label": self.device_label[:200],
            "sim_label": self.sim_label[:200],
            "scheduled_at": self.scheduled_at,
            "encoding": segments.encoding,
            "segments": segments.segments,
            "recipient_count": len(self.numbers),
        }


def prepare(user: User, token: uuid.UUID | None, draft: Draft) -> SendRequest:
    """The pending row that the confirmation page shows for this draft.

    The form's token names it. A token already used for this very draft gives
    back the claimed row (the form was submitted again after sending); a
    token used for something else, or someone else's, starts a new row: that
    is a new message, and it still needs its own confirmation.
    """
    now = timezone.now()
    SendRequest.objects.filter(user=user).unconfirmed_and_old(now).delete()
    fields = draft.fields()
    if token is not None:
        existing = SendRequest.objects.filter(token=token).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return SendRequest.objects.create(token=token, user=user, **fields)
            except IntegrityError:
                # The same form submitted twice at once: the other request made the row.
                existing = SendRequest.objects.get(token=token)
        if existing.user_id == user.pk:
            updated = SendRequest.objects.filter(
                pk=existing.pk, state=SendRequest.State.PENDING
            ).update(created_at=now, **fields)
            existing.refresh_from_db()
            if updated or existing.fingerprint == draft.fingerprint:
                return existing
    return SendRequest.objects.create(user=user, **fields)


@dataclass(frozen=True)
class CapRefusal:
    sent_today: int
    cap: int
    this_send: int

    @property
    def sentence(self) -> str:
        return ngettext(
            "You have sent %(sent)s of your %(cap)s message today; "
            "this send of %(this_send)s would pass it.",
            "You have sent %(sent)s of your %(cap)s messages today; "
            "this send of %(this_send)s would pass it.",
            self.cap,
        ) % {
            "sent": grouped(self.sent_today),
            "cap": grouped(self.cap),
            "this_send": grouped(self.this_send),
        }

    def audit_details(self) -> dict[str, int | str]:
        return {
            "reason": "daily cap",
            "sent_today": self.sent_today,
            "cap": self.cap,
            "this_send": self.this_send,
        }


def start_of_day(now: datetime, user: User) -> datetime:
    local = now.astimezone(user.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def cap_refusal(user: User, recipients: int, now: datetime) -> CapRefusal | None:
    """Why this send would break the person's daily cap, or None when it fits.

    The cap counts messages (one per recipient) on the day the send was made,
    in the person's own zone; a scheduled send counts on the day it was
    confirmed, not the day it goes out.
    """
    cap = user.effective_daily_cap
    if cap is None:
        return None
    sent_today = SendRequest.objects.messages_sent_since(user, start_of_day(now, user))
    if sent_today + recipients <= cap:
        return None
    return CapRefusal(sent_today=sent_today, cap=cap, this_send=recipients)


class Claim(Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already claimed"
    CHANGED = "changed since shown"
    OVER_CAP = "over cap"
    TIME_PASSED = "time passed"


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    send_request: SendRequest
    cap_refusal: CapRefusal | None = None

    @property
    def refusal(self) -> str:
        """Why a pending send was not taken, in words for the confirmation page."""
        if self.cap_refusal is not None:
            return self.cap_refusal.sentence
        if self.claim is Claim.TIME_PASSED:
            return gettext(
                "The time picked for this send has passed while the page was open. "
                "Change the time, then confirm again."
            )
        if self.claim is Claim.CHANGED:
            return gettext(
                "This message was changed in another tab after this page was shown. "
                "Nothing was sent: check it below, then confirm again."
            )
        return ""


def claim(send_request: SendRequest, user: User, shown_fingerprint: str) -> ClaimResult:
    """Take the row for sending, exactly once across every request and worker.

    ``shown_fingerprint`` is the draft the confirmation page showed: a second
    tab may have changed the draft under the same token since, and what goes
    out must be what the person confirmed.

    The lock on the person's row makes the cap check and the claim one step:
    two different sends of one person cannot both pass a cap that only one
    fits under. The UPDATE's ``state = pending`` condition is what makes a
    token single-use, on SQLite (one writer at a time) and on PostgreSQL (the
    second UPDATE waits for the first and then matches no row) alike.
    """
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        send_request.refresh_from_db()
        if send_request.state != SendRequest.State.PENDING:
            return ClaimResult(Claim.ALREADY_CLAIMED, send_request)
        if send_request.fingerprint != shown_fingerprint:
            return ClaimResult(Claim.CHANGED, send_request)
        if send_request.scheduled_at is not None and send_request.scheduled_at <= now:
            return ClaimResult(Claim.TIME_PASSED, send_request)
        refusal = cap_refusal(user, send_request.recipient_count, now)
        if refusal is not None:
            return ClaimResult(Claim.OVER_CAP, send_request, refusal)
        won = SendRequest.objects.filter(
            pk=send_request.pk, state=SendRequest.State.PENDING
        ).update(
            state=SendRequest.State.SENDING,
            claimed_at=now,
            batches_total=math.ceil(send_request.recipient_count / MAX_RECIPIENTS_PER_POST),
        )
    send_request.refresh_from_db()
    return ClaimResult(Claim.CLAIMED if won else Claim.ALREADY_CLAIMED, send_request)


# A claimed send is carried out by the request that claimed it, which cannot
# live longer than this (gunicorn ends a worker after GUNICORN_TIMEOUT, 60 s
# by default): a row still "sending" after it lost its worker mid-send.
ABANDONED_AFTER = timedelta(minutes=3)


def settle_abandoned(send_request: SendRequest, now: datetime | None = None) -> bool:
    """A send whose worker died mid-send: "outcome unknown", never "sending" for ever.

    Its batch in flight may or may not have been created, and the API cannot be
    asked: like a POST answered with a 5xx, it is shown as a failure whose
    outcome is unknown, with the numbers not known to be sent left for a
    person to send again, deliberately.
    """
    now = now or timezone.now()
    if send_request.state != SendRequest.State.SENDING:
        return False
    if send_request.claimed_at is None or send_request.claimed_at > now - ABANDONED_AFTER:
        return False
    if _run_by_a_job(send_request):
        return False  # its job's items settle it, however long the budget makes it take
    sent = send_request.sent_count
    won = SendRequest.objects.filter(
        pk=send_request.pk, state=SendRequest.State.SENDING, claimed_at__lte=now - ABANDONED_AFTER
    ).update(
        state=SendRequest.State.PARTIAL if sent else SendRequest.State.FAILED,
        finished_at=now,
        unsent_numbers=send_request.numbers[sent:] if sent else [],
        error=problems.WORKER_DIED_MID_SEND,
        error_fix_url=reverse("sms:list"),
        error_fix_label=gettext("Open the message list"),
    )
    send_request.refresh_from_db()
    if won:
        record(
            action_name(send_request),
            who=Who(actor=send_request.user, actor_username=send_request.user.get_username()),
            outcome=Outcome.FAILED,
            target=audit_target(send_request),
            details={"outcome": "unknown: its worker stopped mid-send", "sent_count": sent},
        )
    return bool(won)


def _run_by_a_job(send_request: SendRequest) -> bool:
    from smsadmin.jobs.models import Job

    return Job.objects.filter(send_request=send_request).exists()


def settle_all_abandoned(now: datetime | None = None) -> int:
    now = now or timezone.now()
    stale = SendRequest.objects.filter(
        state=SendRequest.State.SENDING, claimed_at__lte=now - ABANDONED_AFTER, job__isnull=True
    ).select_related("user")
    return sum(settle_abandoned(send_request, now) for send_request in stale)


def action_name(send_request: SendRequest) -> Action:
    return Action.SCHEDULE if send_request.is_scheduled else Action.SEND


def audit_target(send_request: SendRequest) -> str:
    return f"send:{send_request.token}"


def request_id_of(send_request: SendRequest) -> str:
    """The id of the request that carried the send out: its log lines (and audit event) carry it.

    The result page is a later request; its own id would lead support nowhere.
    """
    found = (
        AuditEvent.objects.filter(target=audit_target(send_request), outcome=Outcome.STARTED)
        .exclude(request_id="")
        .order_by("-seq")
        .values_list("request_id", flat=True)
        .first()
    )
    return found or ""


def record_repeat(who: Who, send_request: SendRequest) -> None:
    """A claimed token came back: nothing goes upstream, but the attempt is on record."""
    record(
        Action.SEND_REPEAT,
        who=who,
        target=audit_target(send_request),
        details={"state": send_request.state, "first_claimed_at": send_request.claimed_at},
    )


def record_refusal(who: Who, result: ClaimResult) -> None:
    send_request = result.send_request
    details: dict[str, Any] = {"recipient_count": send_request.recipient_count}
    if result.cap_refusal is not None:
        details |= result.cap_refusal.audit_details()
    elif result.claim is Claim.CHANGED:
        details |= {"reason": "changed in another tab since it was shown"}
    else:
        details |= {"reason": "scheduled time passed", "scheduled_at": send_request.scheduled_at}
    record(
        action_name(send_request),
        who=who,
        outcome=Outcome.DENIED if result.cap_refusal else Outcome.INVALID,
        target=audit_target(send_request),
        details=details,
    )


def listed(numbers: Sequence[str]) -> dict[str, Any]:
    """Recipients for an audit event: whole when short, else count, sample and hash."""
    if len(numbers) <= AUDIT_LIST_LIMIT:
        return {"recipients": list(numbers)}
    return {
        "recipients": list(numbers[:AUDIT_LIST_SAMPLE]),
        "recipients_truncated": True,
        "recipients_sha256": hashlib.sha256("\n".join(numbers).encode()).hexdigest(),
    }


def audit_details(send_request: SendRequest) -> dict[str, Any]:
    stored = send_request.stored_content
    return {
        **listed(send_request.numbers),
        "recipient_count": send_request.recipient_count,
        "content": send_request.content,
        **({"stored_content": stored} if stored != send_request.content else {}),
        "encoding": send_request.encoding,
        "segments": send_request.segments,
        "device_id": send_request.device_id,
        "device": send_request.device_label,
        "sim_id": send_request.sim_id,
        "sim": send_request.sim_label,
        "scheduled_at": send_request.scheduled_at.isoformat()
        if send_request.scheduled_at
        else None,
    }


def perform(send_request: SendRequest, client: SociostacksClient, who: Who) -> None:
    """Send a claimed row and write down, on the row, what happened.

    Upstream failures end here: the row says what went out and what did not,
    and the result page explains it. An unexpected error is logged and marked
    too, so a row never stays "sending" after its request is gone.
    """
    progress = _Progress(send_request)
    try:
        with audited(
            action_name(send_request),
            who=who,
            target=audit_target(send_request),
            details=audit_details(send_request),
        ) as attempt:
            # The account the messages will belong to, to file their numbers under.
            progress.account_id = client.account(reserve=0).id
            ids = client.create_messages(
                content=send_request.content,
                device_id=send_request.device_id,
                sim_subscription_id=send_request.sim_id,
                phone_numbers=send_request.numbers,
                scheduled_at=send_request.scheduled_at,
                on_batch=progress,
            )
            attempt.add(
                created_ids=ids,
                created_count=len(ids),
                accepted_count=progress.sent,
                unconfirmed_count=progress.unconfirmed,
            )
    except PartialSendError as error:
        cause = _sender_gone(client, send_request, error.cause) or send_problem(error.cause)
        _finish(
            send_request,
            SendRequest.State.PARTIAL,
            progress,
            unsent_numbers=error.unsent_numbers,
            problem=_partial_problem(error, cause),
        )
    except (SociostacksError, InvalidRequest) as error:
        if progress.account_id is None:
            # Reading the account failed: no POST was made, so nothing went out.
            problem = problem_for(error)
        else:
            problem = _sender_gone(client, send_request, error) or send_problem(error)
        _finish(send_request, SendRequest.State.FAILED, progress, problem=problem)
    except Exception:
        logger.exception("send %s failed unexpectedly", send_request.token)
        # Batches go out in order, so what the progress saw is exactly what went out.
        _finish(
            send_request,
            SendRequest.State.PARTIAL if progress.sent else SendRequest.State.FAILED,
            progress,
            unsent_numbers=send_request.numbers[progress.sent :] if progress.sent else (),
            problem=_unexpected_problem(),
        )
    else:
        unconfirmed: Problem | None = None
        if progress.unconfirmed:
            unconfirmed = problems.unconfirmed_send(
                accepted=progress.sent, confirmed=len(ids), list_url=reverse("sms:list")
            )
        _finish(send_request, SendRequest.State.SENT, progress, problem=unconfirmed)


class _Progress:
    """Writes each finished batch to the row, where a second tab's progress page reads it.

    The numbers of the batch's messages go into SentMessage in the same
    transaction: once the row says a batch is done, its numbers are known.
    """

    def __init__(self, send_request: SendRequest) -> None:
        self.send_request = send_request
        self.account_id: int | None = None
        self.ids: list[int] = []
        self.sent = 0
        self.unconfirmed = 0

    def __call__(self, batch: BatchResult) -> None:
        self.ids.extend(batch.sms_ids)
        self.sent += len(batch.numbers)
        if not batch.confirmed:
            self.unconfirmed += len(batch.numbers)
        with transaction.atomic():
            SendRequest.objects.filter(pk=self.send_request.pk).update(
                batches_done=batch.index + 1,
                sent_count=self.sent,
                unconfirmed_count=self.unconfirmed,
                sms_ids=self.ids,
            )
            if batch.confirmed and self.account_id is not None:
                _file_numbers(self.send_request, self.account_id, batch)


def _file_numbers(send_request: SendRequest, account_id: int, batch: BatchResult) -> None:
    """Each created message with its number: the ids come back in the numbers' order."""
    SentMessage.objects.bulk_create(
        [
            SentMessage(
                account_id=account_id, sms_id=sms_id, phone=number, send_request=send_request
            )
            for sms_id, number in zip(batch.sms_ids, batch.numbers, strict=True)
        ],
        # Upstream never hands out an id twice; should it ever (a fake reset
        # under the site), the latest answer is the one that is true now.
        update_conflicts=True,
        unique_fields=["account_id", "sms_id"],
        update_fields=["phone", "send_request", "created_at"],
    )


def _sender_gone(
    client: SociostacksClient, send_request: SendRequest, error: SociostacksError | InvalidRequest
) -> Problem | None:
    """For a refused phone or SIM: the device list read again, and which of the two is gone."""
    if not isinstance(error, SenderUnavailable):
        return None
    try:
        answer = reads.devices(client, refresh=True)
    except SociostacksError:
        devices, fresh = None, False
    else:
        devices, fresh = answer.value, answer.is_fresh
    return problems.sender_gone(
        device_id=send_request.device_id,
        sim_id=send_request.sim_id,
        device_label=send_request.device_label,
        sim_label=send_request.sim_label,
        devices=devices,
        listed_now=fresh,
    )


def _unexpected_problem() -> Problem:
    return Problem(
        gettext(
            "smsadmin failed unexpectedly while sending, so some messages may have gone out. "
            "Check the message list before sending again."
        ),
        fix_url=reverse("sms:list"),
        fix_label=gettext("Open the message list"),
    )


def outcome_unknown(error: SociostacksError) -> bool:
    """Whether upstream may have created the messages although the call failed.

    Any 5xx counts: a proxy answers 502 or 503 just as readily after upstream
    carried out the POST as before it. Only no connection at all is certain.
    """
    if isinstance(error, UpstreamUnavailable):
        return error.timed_out or (error.status or 0) >= 500
    return isinstance(error, UnreadableResponse) and 200 <= (error.status or 0) < 300


def send_problem(error: SociostacksError | InvalidRequest) -> Problem:
    """The sentence for a send that failed; honest about sends that may have happened.

    A POST that timed out may well have been carried out, and the API has no
    way to ask: saying "nothing was changed" there would invite a double send.
    """
    unknown = isinstance(error, SociostacksError) and outcome_unknown(error)
    return problems.send_failed(error, outcome_unknown=unknown)


def _partial_problem(error: PartialSendError, cause: Problem) -> Problem:
    sentence = ngettext(
        "%(sent)s recipient was sent to, then Sociostacks failed and "
        "the other %(unsent)s were not sent. %(cause)s",
        "%(sent)s recipients were sent to, then Sociostacks failed and "
        "the other %(unsent)s were not sent. %(cause)s",
        len(error.sent_numbers),
    ) % {
        "sent": grouped(len(error.sent_numbers)),
        "unsent": grouped(len(error.unsent_numbers)),
        "cause": cause.sentence,
    }
    return Problem(sentence, fix_url=cause.fix_url, fix_label=cause.fix_label)


def _finish(
    send_request: SendRequest,
    state: SendRequest.State,
    progress: "_Progress",
    *,
    problem: Problem | None = None,
    unsent_numbers: Sequence[str] = (),
) -> None:
    send_request.state = state
    send_request.finished_at = timezone.now()
    send_request.sms_ids = list(progress.ids)
    send_request.sent_count = progress.sent
    send_request.unconfirmed_count = progress.unconfirmed
    send_request.unsent_numbers = list(unsent_numbers)
    if state == SendRequest.State.SENT:
        send_request.batches_done = send_request.batches_total
    if problem is not None:
        send_request.error = problem.sentence
        send_request.error_fix_url = problem.fix_url[:200]
        send_request.error_fix_label = problem.fix_label[:100]
    send_request.save(
        update_fields=[
            "state",
            "finished_at",
            "sms_ids",
            "sent_count",
            "unconfirmed_count",
            "unsent_numbers",
            "batches_done",
            "error",
            "error_fix_url",
            "error_fix_label",
        ]
    )
