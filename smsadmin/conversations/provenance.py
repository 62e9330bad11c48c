"""Who made a message and who removed it, as the audit log recorded it.

Every send, schedule, delete and cancel through smsadmin writes an outcome
event indexed by message id (``AuditMessageRef``); reading those back answers
"who sent this?" for anyone who may see the message, and still answers once
Sociostacks has forgotten a cancelled message.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext, pgettext_lazy

from smsadmin.audit.actions import Action
from smsadmin.audit.models import AuditEvent, AuditMessageRef, Outcome
from smsadmin.conversations.models import MessageLink
from smsadmin.keys.models import ApiKey
from smsadmin.mirror.models import MirroredMessage
from smsadmin.mirror.sync import account_link

_VERBS = {
    Action.SEND: pgettext_lazy("done to a message", "Sent"),
    Action.SCHEDULE: pgettext_lazy("done to a message", "Scheduled"),
    Action.DELETE: pgettext_lazy("done to a message", "Deleted"),
    Action.CANCEL: pgettext_lazy("done to a message", "Cancelled"),
}
_CREATED = (Action.SEND, Action.SCHEDULE)
_REMOVED = (Action.DELETE, Action.CANCEL)


@dataclass(frozen=True)
class Deed:
    action: str  # the audit action's value: "send", "schedule", "delete", "cancel"
    verb: str
    person: str
    at: datetime
    seq: int


@dataclass(frozen=True)
class Provenance:
    created: Deed | None
    removed: Deed | None
    again_of: MessageLink | None  # this message re-sends or reschedules that one
    followed_by: list[MessageLink]  # later messages that re-sent or replaced this one

    @property
    def deeds(self) -> list[Deed]:
        return [deed for deed in (self.created, self.removed) if deed is not None]


def _person(event: AuditEvent) -> str:
    username = event.actor_username or gettext("someone since removed")
    return f"{event.operator_name} ({username})" if event.operator_name else username


def _deed(event: AuditEvent) -> Deed:
    action = Action(event.action)
    return Deed(action.value, str(_VERBS[action]), _person(event), event.created_at, event.seq)


def provenance(sms_id: int) -> Provenance:
    seqs = AuditMessageRef.objects.filter(sms_id=sms_id).values("event_seq")
    events = AuditEvent.objects.filter(
        seq__in=seqs, outcome=Outcome.OK, action__in=[*_CREATED, *_REMOVED]
    ).order_by("seq")
    # Upstream never reuses an id, but a sandbox reset does: describe the id's
    # latest life only, so history from before the reset cannot leak in.
    created = next((e for e in reversed(events) if e.action in _CREATED), None)
    since = created.seq if created else 0
    removed = next((e for e in reversed(events) if e.action in _REMOVED and e.seq > since), None)
    links = MessageLink.objects.all()
    if created is not None:
        links = links.filter(created_at__gte=created.created_at)
    return Provenance(
        created=_deed(created) if created else None,
        removed=_deed(removed) if removed else None,
        again_of=links.filter(new_sms_id=sms_id).order_by("-created_at").first(),
        followed_by=list(links.filter(old_sms_id=sms_id).order_by("created_at")),
    )


def mirrored_copy(key: ApiKey, sms_id: int) -> MirroredMessage | None:
    """The mirror's last copy of a message of the key's account, deleted or not."""
    link = account_link(key)
    if link is None:
        return None
    return MirroredMessage.objects.filter(account_id=link.account_id, sms_id=sms_id).first()
