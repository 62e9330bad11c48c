"""Deleting messages (which cancels the scheduled ones), one audited attempt each."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from smsadmin.audit.recorder import audited
from smsadmin.mirror import sync as mirror_sync
from smsadmin.problems import problem_for
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, SociostacksError

DELETED = "deleted"
ALREADY_GONE = "already gone"
FAILED = "failed"


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
        done = "cancelled" if self.cancelling else "deleted"
        if self.outcome == DELETED:
            return f"Message {self.sms_id} was {done}."
        if self.outcome == ALREADY_GONE:
            return f"Message {self.sms_id} was already gone."
        return f"Message {self.sms_id} was not {done}: {self.reason}"


def _delete(
    request: HttpRequest, client: SociostacksClient, sms_id: int, cancelling: bool
) -> DeleteResult:
    action = "cancel" if cancelling else "delete"
    try:
        with audited(action, request=request, target=f"sms:{sms_id}"):
            client.delete_message(sms_id)
    except NotFound:
        outcome = ALREADY_GONE
    except SociostacksError as error:
        return DeleteResult(sms_id, FAILED, cancelling, problem_for(error).sentence)
    else:
        outcome = DELETED
    # Gone upstream either way: search and the dashboard must not show it any more.
    mirror_sync.mark_deleted(request.api_key, sms_id)
    return DeleteResult(sms_id, outcome, cancelling)


def delete_one(request: HttpRequest, sms_id: int, *, cancelling: bool = False) -> DeleteResult:
    return _delete(request, request.api_key.client(), sms_id, cancelling)


def delete_messages(
    request: HttpRequest, sms_ids: Iterable[int], *, cancelling: bool = False
) -> list[DeleteResult]:
    """Each id in turn; one failing does not stop the others."""
    client = request.api_key.client()
    return [_delete(request, client, sms_id, cancelling) for sms_id in sms_ids]
