"""Storing what upstream answered: new and refreshed rows, revived ones, unstorable text."""

import pytest

from smsadmin.mirror import storing
from smsadmin.mirror.models import MirroredMessage, SyncState
from smsadmin.sociostacks.types import Contact, Message
from tests.conftest import give_key
from tests.sociostacks.payloads import message_json

pytestmark = pytest.mark.django_db

ADA = Contact.from_json(
    {"id": 7, "phone_number": "+447700900123", "name": "Ada", "has_opted_out": False}
)


def stored(state, *messages, **options):
    key = give_key(options.pop("owner"))
    return storing.store(
        state,
        [Message.from_json(m) for m in messages],
        contacts=options.pop("contacts", {7: ADA}),
        sent_to=options.pop("sent_to", {}),
        key_id=key.pk,
        **options,
    )


def test_new_rows_then_the_same_rows_refreshed(sender):
    state = SyncState.objects.create(account_id=1)
    first = stored(state, message_json(1), message_json(2), owner=sender)
    again = stored(state, message_json(2, status="failed"), owner=sender)
    assert (first.new, first.refreshed, again.new, again.refreshed) == (2, 0, 0, 1)
    row = MirroredMessage.objects.get(sms_id=2)
    assert (row.status, row.phone, row.contact_name) == ("failed", "+447700900123", "Ada")
    state.refresh_from_db()
    assert state.mirrored == 2


def test_a_row_marked_gone_comes_back_when_seen_again(sender):
    state = SyncState.objects.create(account_id=1)
    stored(state, message_json(5), owner=sender)
    assert storing.mark_gone(state, [5]) == 1
    stored(state, message_json(5), owner=sender)
    assert MirroredMessage.objects.get(sms_id=5).deleted_at is None
    state.refresh_from_db()
    assert state.mirrored == 1


def test_text_no_database_can_hold_is_replaced_not_lost(sender):
    state = SyncState.objects.create(account_id=1)
    stored(state, message_json(9, content="a\x00b\ud800c"), owner=sender)
    assert MirroredMessage.objects.get(sms_id=9).content == "a\ufffdb\ufffdc"


def test_a_number_smsadmin_sent_to_names_a_row_whose_contact_is_unknown(sender):
    state = SyncState.objects.create(account_id=1)
    stored(
        state,
        message_json(3, contact_id=99),
        contacts={},
        sent_to={3: "+491701234567"},
        owner=sender,
    )
    assert MirroredMessage.objects.get(sms_id=3).phone == "+491701234567"
