"""Send again, as one job, every failed message a search matches: same text, same SIM.

Each failed message is sent again to the number smsadmin knows for it (a
message whose number Sociostacks hides is left out, and the confirmation says
how many). Messages with the same text from the same SIM go in one POST (up
to 4999 numbers), so a failed campaign costs a few calls, not one per number;
a number that failed twice with one text is sent to once. Each new message is
linked to the failed one it replaces (MessageLink "sent again").
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from smsadmin.accounts.models import User
from smsadmin.audit.recorder import Who
from smsadmin.jobs import titles
from smsadmin.jobs.models import Job, JobItem
from smsadmin.jobs.running import Estimate, create_job, estimate
from smsadmin.keys.models import ApiKey
from smsadmin.mirror.models import LIVE, Direction, MirroredMessage, Status
from smsadmin.sociostacks.client import MAX_RECIPIENTS_PER_POST


@dataclass(frozen=True)
class Group:
    content: str
    device_id: int
    sim_id: int
    numbers: tuple[str, ...]
    from_ids: tuple[int, ...]

    @property
    def posts(self) -> int:
        return -(-len(self.numbers) // MAX_RECIPIENTS_PER_POST)


@dataclass(frozen=True)
class Resend:
    groups: tuple[Group, ...]
    matched: int
    without_number: int

    @property
    def count(self) -> int:
        return sum(len(group.numbers) for group in self.groups)

    @property
    def posts(self) -> int:
        return sum(group.posts for group in self.groups)

    @property
    def fingerprint(self) -> str:
        text = repr(
            [(g.content, g.device_id, g.sim_id, g.numbers, g.from_ids) for g in self.groups]
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def estimate(self, api_key: ApiKey) -> Estimate:
        return estimate(self.posts, api_key)

    def items(self) -> list[dict]:
        found = []
        for group in self.groups:
            for start in range(0, len(group.numbers), MAX_RECIPIENTS_PER_POST):
                end = start + MAX_RECIPIENTS_PER_POST
                found.append(
                    {
                        "method": JobItem.Method.POST,
                        "payload": {
                            "content": group.content,
                            "numbers": list(group.numbers[start:end]),
                            "device_id": group.device_id,
                            "sim_id": group.sim_id,
                            "from_ids": list(group.from_ids[start:end]),
                        },
                    }
                )
        return found


def failed_among(rows: QuerySet[MirroredMessage]) -> Resend:
    failed = rows.filter(LIVE, status=Status.FAILED, direction=Direction.SENT).order_by(
        "happened_at", "sms_id"
    )
    matched = failed.count()
    usable = failed.exclude(phone="").exclude(device_id=None).exclude(sim_id=None)
    values = usable.values_list("sms_id", "content", "device_id", "sim_id", "phone")
    return Resend(_grouped(values), matched, matched - usable.count())


def _grouped(values: Iterable[tuple[int, str, int | None, int | None, str]]) -> tuple[Group, ...]:
    groups: dict[tuple[str, int, int], dict[str, int]] = {}
    for sms_id, content, device_id, sim_id, phone in values:
        if device_id is None or sim_id is None:
            continue  # left out by failed_among already: no SIM to send it again on
        groups.setdefault((content, device_id, sim_id), {}).setdefault(phone, sms_id)
    return tuple(
        Group(content, device_id, sim_id, tuple(numbers), tuple(numbers.values()))
        for (content, device_id, sim_id), numbers in groups.items()
    )


def start_again(*, owner: User, api_key: ApiKey, resend: Resend, who: Who, filters: dict) -> Job:
    return create_job(
        owner=owner,
        api_key=api_key,
        kind=Job.Kind.SEND,
        title_words={"kind": titles.SEND_AGAIN, "count": resend.count},
        items=resend.items(),
        who=who,
        details={"filters": filters, "recipients": resend.count, "posts": resend.posts},
    )
