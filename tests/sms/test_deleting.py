"""Deleting without a request: the view hands the domain code who acted, and the key."""

import pytest

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who
from smsadmin.sms import deleting
from tests.conftest import UPSTREAM, give_key

pytestmark = pytest.mark.django_db


def test_a_delete_is_audited_as_the_person_the_view_named(sender, upstream):
    key = give_key(sender)
    upstream.delete(f"{UPSTREAM}/sms/15", body="", status=200)
    who = Who(actor=sender, actor_username=sender.username, operator_name="Dana")

    (result,) = deleting.delete_messages(who, key, [15])

    assert result.sentence == "Message 15 was deleted."
    started, done = AuditEvent.objects.filter(action="delete").order_by("seq")
    assert (started.outcome, done.outcome) == (Outcome.STARTED, Outcome.OK)
    assert {done.actor, done.operator_name, done.target} == {sender, "Dana", "sms:15"}
