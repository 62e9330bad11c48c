"""POST items: one upstream POST of at most 4999 numbers, never sent twice.

An item's payload is frozen at confirmation: ``content`` as typed,
``numbers`` (E.164, de-duplicated), ``device_id``, ``sim_id``. The answer's
ids are filed with their numbers, as single sends do (SentMessage), so every
message the job created keeps the number it went to.
"""

from typing import Any

from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import Who, audited
from smsadmin.conversations import replies
from smsadmin.conversations.models import MessageLink
from smsadmin.jobs.models import Job, JobItem
from smsadmin.jobs.running import settle
from smsadmin.problems import problem_for
from smsadmin.sms.compose.sending import listed, outcome_unknown, send_problem
from smsadmin.sms.models import SentMessage
from smsadmin.sociostacks.client import MAX_RECIPIENTS_PER_POST, SociostacksClient
from smsadmin.sociostacks.errors import InvalidRequest, RateLimited, SociostacksError


def send_items(
    content: str, numbers: list[str], device_id: int, sim_id: int
) -> list[dict[str, Any]]:
    """POST items for one text to many numbers: one item per batch of 4999."""
    return [
        {
            "method": JobItem.Method.POST,
            "payload": {
                "content": content,
                "numbers": numbers[start : start + MAX_RECIPIENTS_PER_POST],
                "device_id": device_id,
                "sim_id": sim_id,
            },
        }
        for start in range(0, len(numbers), MAX_RECIPIENTS_PER_POST)
    ]


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
    posted = False
    try:
        with audited(Action.SEND, who=who, target=f"job:{job.pk}", details=details) as attempt:
            # The account the messages will belong to, to file their numbers under.
            account_id = client.account(reserve=0).id
            posted = True
            ids = client.create_messages(
                content=payload["content"],
                device_id=payload["device_id"],
                sim_subscription_id=payload["sim_id"],
                phone_numbers=numbers,
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
    if len(ids) == len(numbers):
        # The ids come back in the order of the numbers (sociostacks-api.md).
        for old_id, new_id in zip(payload.get("from_ids", ()), ids, strict=False):
            replies.link(old_id, [new_id], MessageLink.Kind.SENT_AGAIN)
        SentMessage.objects.bulk_create(
            [
                SentMessage(account_id=account_id, sms_id=sms_id, phone=number)
                for sms_id, number in zip(ids, numbers, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["account_id", "sms_id"],
            update_fields=["phone", "created_at"],
        )
    return None
