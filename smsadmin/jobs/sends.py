"""POST items: one upstream POST of at most 4999 numbers, never sent twice.

An item's payload is frozen at confirmation: ``content`` as typed,
``numbers`` (E.164, de-duplicated), ``device_id``, ``sim_id``. The answer's
ids are filed with their numbers, as single sends do (SentMessage), so every
message the job created keeps the number it went to.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import Who, audited
from smsadmin.conversations import replies
from smsadmin.conversations.models import MessageLink
from smsadmin.jobs import titles
from smsadmin.jobs.models import Job, JobItem
from smsadmin.jobs.running import create_job, settle
from smsadmin.keys.models import ApiKey
from smsadmin.problems import problem_for
from smsadmin.sms.compose.sending import audit_details, listed, outcome_unknown, send_problem
from smsadmin.sms.models import SendRequest, SentMessage
from smsadmin.sms.wording import grouped
from smsadmin.sociostacks.client import MAX_RECIPIENTS_PER_POST, SociostacksClient
from smsadmin.sociostacks.errors import InvalidRequest, RateLimited, SociostacksError


def send_items(
    content: str,
    numbers: list[str],
    device_id: int,
    sim_id: int,
    *,
    scheduled_at: datetime | None = None,
    send_request: int | None = None,
) -> list[dict[str, Any]]:
    """POST items for one text to many numbers: one item per batch of 4999."""
    extra: dict[str, Any] = {}
    if scheduled_at is not None:
        extra["scheduled_at"] = scheduled_at.isoformat()
    if send_request is not None:
        extra["send_request"] = send_request
    return [
        {
            "method": JobItem.Method.POST,
            "payload": {
                "content": content,
                "numbers": numbers[start : start + MAX_RECIPIENTS_PER_POST],
                "device_id": device_id,
                "sim_id": sim_id,
                **extra,
            },
        }
        for start in range(0, len(numbers), MAX_RECIPIENTS_PER_POST)
    ]


def start_compose_send(send_request: SendRequest, *, owner: User, api_key: ApiKey, who: Who) -> Job:
    """A claimed compose send of more than one batch, as a job: one item per batch POST.

    The claim already made the row single-use; the job makes each batch
    exactly once across workers, and "outcome unknown" when one dies mid-POST.
    The row follows the job (``follow``), so compose's result page and the
    daily cap see what went out.
    """
    count = send_request.recipient_count
    job = create_job(
        owner=owner,
        api_key=api_key,
        kind=Job.Kind.SEND,
        title_words={"kind": titles.COMPOSE_SEND, "count": count},
        items=send_items(
            send_request.content,
            list(send_request.numbers),
            send_request.device_id,
            send_request.sim_id,
            scheduled_at=send_request.scheduled_at,
            send_request=send_request.pk,
        ),
        who=who,
        details={
            "send": str(send_request.token),
            "batches": send_request.batches_total,
            **audit_details(send_request),
        },
    )
    Job.objects.filter(pk=job.pk).update(send_request=send_request)
    return job


def post(item: JobItem, client: SociostacksClient, job: Job, who: Who) -> int | None:
    payload = item.payload
    numbers = list(payload["numbers"])
    details = {
        "job": job.pk,
        "item": item.position,
        **listed(numbers),
        "recipient_count": len(numbers),
        "content": payload["content"],
        "device_id": payload["device_id"],
        "sim_id": payload["sim_id"],
    }
    scheduled = payload.get("scheduled_at")
    scheduled_at = datetime.fromisoformat(scheduled) if scheduled else None
    if scheduled_at is not None:
        details["scheduled_at"] = scheduled
    action = Action.SCHEDULE if scheduled_at is not None else Action.SEND
    posted = False
    try:
        with audited(action, who=who, target=f"job:{job.pk}", details=details) as attempt:
            # The account the messages will belong to, to file their numbers under.
            account_id = client.account(reserve=0).id
            posted = True
            ids = client.create_messages(
                content=payload["content"],
                device_id=payload["device_id"],
                sim_subscription_id=payload["sim_id"],
                phone_numbers=numbers,
                scheduled_at=scheduled_at,
            )
            attempt.add(created_ids=ids, created_count=len(ids))
    except RateLimited as error:
        # A 429 is a refusal: nothing was created, so the item goes back in line.
        JobItem.objects.filter(pk=item.pk).update(state=JobItem.State.PENDING)
        return error.retry_after
    except SociostacksError as error:
        # Only a POST that was made can have an unknown outcome; reading the
        # account failing first means nothing went out.
        unknown = posted and outcome_unknown(error)
        state = JobItem.State.UNKNOWN if unknown else JobItem.State.FAILED
        settle(item, state, (send_problem(error) if posted else problem_for(error)).sentence)
        return None
    except InvalidRequest as error:
        settle(item, JobItem.State.FAILED, send_problem(error).sentence)
        return None
    settle(item, JobItem.State.DONE, f"{len(ids):,} messages created", created_ids=ids)
    send_request_id = payload.get("send_request")
    _follow(send_request_id, numbers, ids)
    if len(ids) == len(numbers):
        # The ids come back in the order of the numbers (sociostacks-api.md).
        for old_id, new_id in zip(payload.get("from_ids", ()), ids, strict=False):
            replies.link(old_id, [new_id], MessageLink.Kind.SENT_AGAIN)
        SentMessage.objects.bulk_create(
            [
                SentMessage(
                    account_id=account_id,
                    sms_id=sms_id,
                    phone=number,
                    send_request_id=send_request_id,
                )
                for sms_id, number in zip(ids, numbers, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["account_id", "sms_id"],
            update_fields=["phone", "send_request", "created_at"],
        )
    return None


def _follow(send_request_id: int | None, numbers: list[str], ids: list[int]) -> None:
    """A batch of a compose send done: its row counts it, as compose's own batches do.

    One worker holds the job at a time (its lease), so the row is never
    written by two batches at once.
    """
    if send_request_id is None:
        return
    with transaction.atomic():
        row = SendRequest.objects.select_for_update().filter(pk=send_request_id).first()
        if row is None:
            return
        row.batches_done += 1
        row.sent_count += len(numbers)
        if len(ids) != len(numbers):
            row.unconfirmed_count += len(numbers)
        row.sms_ids = [*row.sms_ids, *ids]
        row.save(update_fields=["batches_done", "sent_count", "unconfirmed_count", "sms_ids"])


def settle_send_request(job: Job) -> None:
    """The job is over: its compose send says sent, partly sent or failed, and why.

    Numbers of batches that certainly failed are left to send again,
    deliberately; a batch whose outcome is unknown is never offered again.
    """
    if job.send_request_id is None:
        return
    items = list(job.items.order_by("position"))
    done = [item for item in items if item.state == JobItem.State.DONE]
    failed = [item for item in items if item.state in (JobItem.State.FAILED, JobItem.State.PENDING)]
    if len(done) == len(items):
        state = SendRequest.State.SENT
    else:
        state = SendRequest.State.PARTIAL if done else SendRequest.State.FAILED
    problem = ""
    if state != SendRequest.State.SENT:
        with override("en"):  # stored; pages word it again in their language (outcome_words)
            problem = outcome_words(job, items)
    unsent = [number for item in failed for number in item.payload.get("numbers", ())]
    SendRequest.objects.filter(pk=job.send_request_id, state=SendRequest.State.SENDING).update(
        state=state,
        finished_at=timezone.now(),
        unsent_numbers=unsent if state != SendRequest.State.SENT else [],
        error=problem[:2000],
    )


def outcome_words(job: Job, items: list[JobItem] | None = None) -> str:
    """Why a compose send's job did not send to everyone, in the active language."""
    items = items if items is not None else list(job.items.order_by("position"))
    done = [item for item in items if item.state == JobItem.State.DONE]
    failed = [item for item in items if item.state in (JobItem.State.FAILED, JobItem.State.PENDING)]
    unknown = [item for item in items if item.state == JobItem.State.UNKNOWN]
    reasons = [item.shown_outcome for item in [*unknown, *failed] if item.outcome]
    if job.state == Job.State.CANCELLED:
        reasons.insert(0, _("The job was cancelled before every batch went out."))
    sent = sum(len(item.payload.get("numbers", ())) for item in done)
    rest = sum(len(item.payload.get("numbers", ())) for item in items) - sent
    reasons.insert(
        0,
        _("%(sent)s recipients were sent to; the other %(rest)s were not, or not certainly.")
        % {"sent": grouped(sent), "rest": grouped(rest)},
    )
    return " ".join(dict.fromkeys(reasons)) or job.shown_problem
