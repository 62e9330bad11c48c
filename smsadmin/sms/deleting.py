"""Deleting messages (which cancels the scheduled ones), one audited attempt each.

A selection costs one upstream call per message, from the team's shared
budget: a request deletes at most what the budget allows right now, and stops
at the first 429 rather than spend further calls on certain refusals.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext_lazy

from smsadmin import problems
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import Who, audited
from smsadmin.keys.models import ApiKey
from smsadmin.mirror import storing as mirror_storing
from smsadmin.problems import problem_for
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, SociostacksError

DELETED = "deleted"
ALREADY_GONE = "already gone"
FAILED = "failed"
# Not asked of upstream: the budget ran out (a 429) before its turn.
NOT_TRIED = "not tried"

_OUTCOME_WORDS = {
    DELETED: pgettext_lazy("outcome of a delete", "deleted"),
    ALREADY_GONE: pgettext_lazy("outcome of a delete", "already gone"),
    FAILED: pgettext_lazy("outcome of a delete", "failed"),
    NOT_TRIED: pgettext_lazy("outcome of a delete", "not tried"),
}


def outcome_word(outcome: str) -> str:
    """An outcome as the viewer's language says it (the value stays English in the audit log)."""
    word = _OUTCOME_WORDS.get(outcome)
    return outcome if word is None else str(word)


@dataclass(frozen=True)
class DeleteResult:
    sms_id: int
    outcome: str
    cancelling: bool = False
    reason: str = ""

    @property
    def succeeded(self) -> bool:
        """Gone either way: a message someone else removed first is no failure."""
        return self.outcome in (DELETED, ALREADY_GONE)

    @property
    def sentence(self) -> str:
        values = {"sms_id": self.sms_id, "reason": self.reason}
        if self.outcome == DELETED:
            if self.cancelling:
                return gettext("Message %(sms_id)s was cancelled.") % values
            return gettext("Message %(sms_id)s was deleted.") % values
        if self.outcome == ALREADY_GONE:
            return gettext("Message %(sms_id)s was already gone.") % values
        if self.cancelling:
            return gettext("Message %(sms_id)s was not cancelled: %(reason)s") % values
        return gettext("Message %(sms_id)s was not deleted: %(reason)s") % values


@dataclass(frozen=True)
class TooManyForNow:
    """A selection larger than this minute's budget allows in one request."""

    asked: int
    allowed: int

    @property
    def sentence(self) -> str:
        return problems.too_many_to_delete_now(self.asked, self.allowed)


def in_request_refusal(client: SociostacksClient, count: int) -> TooManyForNow | None:
    """Why ``count`` deletes cannot run in this request, or None when they fit.

    The one check a bulk action makes before it starts: each message is one
    call of the team's per-minute budget, and a request must not wait for the
    next minute (nor spend calls upstream would refuse). Larger selections
    belong to a paced job.
    """
    allowed = budget.calls_available(client.fingerprint)
    return None if count <= allowed else TooManyForNow(count, allowed)


def _delete(
    who: Who, key: ApiKey, client: SociostacksClient, sms_id: int, cancelling: bool
) -> DeleteResult:
    action = Action.CANCEL if cancelling else Action.DELETE
    try:
        with audited(action, who=who, target=f"sms:{sms_id}"):
            client.delete_message(sms_id)
    except NotFound:
        outcome = ALREADY_GONE
    except SociostacksError as error:
        return DeleteResult(sms_id, FAILED, cancelling, problem_for(error).sentence)
    else:
        outcome = DELETED
    # Gone upstream either way: search and the dashboard must not show it any more.
    mirror_storing.mark_deleted(key, sms_id)
    return DeleteResult(sms_id, outcome, cancelling)


def delete_one(who: Who, key: ApiKey, sms_id: int, *, cancelling: bool = False) -> DeleteResult:
    return _delete(who, key, key.client(), sms_id, cancelling)


def delete_messages(
    who: Who, key: ApiKey, sms_ids: Sequence[int], *, cancelling: bool = False
) -> list[DeleteResult]:
    """Each id in turn; one failing does not stop the others, but a 429 stops them all.

    After a 429 (ours or a colleague's) every further call would be refused
    too and push the block out: the rest are reported as not tried.
    """
    client = key.client()
    results: list[DeleteResult] = []
    for index, sms_id in enumerate(sms_ids):
        if wait := budget.blocked_for(client.fingerprint):
            reason = problems.budget_ran_out(wait)
            results += [
                DeleteResult(left, NOT_TRIED, cancelling, reason) for left in sms_ids[index:]
            ]
            break
        results.append(_delete(who, key, client, sms_id, cancelling))
    return results
