"""Numbers Sociostacks will not show: the ones smsadmin sent to, and plain words for the rest."""

from datetime import UTC, datetime

import pytest

from smsadmin.mirror.models import MirroredMessage
from smsadmin.sms.models import SentMessage
from tests.conftest import give_key
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import message_json

pytestmark = pytest.mark.django_db

# A contact the send created: upstream lists it nowhere and answers 404 for it.
HIDDEN_CONTACT = 15064
NUMBER = "+33612345678"


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def sent_by_us(sms_id: int, number: str = NUMBER, account_id: int = fake.ACCOUNT_ID) -> None:
    SentMessage.objects.create(account_id=account_id, sms_id=sms_id, phone=number)


def test_the_list_shows_the_number_a_message_was_sent_to(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, contact_id=HIDDEN_CONTACT)])
    sent_by_us(5)

    page = signed_in.get("/messages/").content.decode()

    assert NUMBER in page
    assert "does not show" not in page


def test_a_number_smsadmin_knows_does_not_send_it_looking_for_the_contact(
    signed_in, upstream, time_machine
):
    time_machine.move_to(datetime.now(UTC), tick=False)
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, contact_id=HIDDEN_CONTACT)])
    sent_by_us(5)
    signed_in.get("/messages/")
    # Past the quick re-read a missing contact would get, within the directory's freshness.
    time_machine.shift(60)

    signed_in.get("/messages/")

    assert fake.calls_to(upstream, "/contacts/") == 1


def test_the_detail_shows_the_number_it_was_sent_to(signed_in, upstream):
    fake.directory(upstream)
    fake.one_message(upstream, 5, contact_id=HIDDEN_CONTACT)
    sent_by_us(5)

    page = signed_in.get("/messages/5/").content.decode()

    assert NUMBER in page


def test_scheduled_shows_the_number_it_goes_to(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(
        upstream,
        [
            message_json(
                5,
                contact_id=HIDDEN_CONTACT,
                status="pending",
                scheduled_datetime="2099-01-01 10:00:00",
            )
        ],
    )
    sent_by_us(5)

    assert NUMBER in signed_in.get("/scheduled/").content.decode()


def test_a_number_sent_through_another_account_is_not_shown(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, contact_id=HIDDEN_CONTACT)])
    sent_by_us(5, account_id=fake.ACCOUNT_ID + 1)

    assert NUMBER not in signed_in.get("/messages/").content.decode()


def test_a_number_the_mirror_learned_stays_when_the_contact_is_gone(signed_in, upstream):
    fake.directory(upstream)
    fake.one_message(upstream, 5, contact_id=HIDDEN_CONTACT)
    MirroredMessage.objects.create(
        account_id=fake.ACCOUNT_ID,
        sms_id=5,
        direction="sent",
        status="sent",
        happened_at="2026-01-01T00:00:00Z",
        synced_at="2026-01-01T00:00:00Z",
        contact_id=HIDDEN_CONTACT,
        phone="+447911123456",
        phone_digits="447911123456",
    )

    assert "+447911123456" in signed_in.get("/messages/5/").content.decode()


@pytest.mark.parametrize("path", ["/messages/", "/messages/5/"])
def test_a_hidden_number_nobody_here_knows_is_said_plainly(signed_in, upstream, path):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, contact_id=HIDDEN_CONTACT)])
    fake.one_message(upstream, 5, contact_id=HIDDEN_CONTACT)

    page = signed_in.get(path).content.decode()

    assert f"Sociostacks does not show this number (contact #{HIDDEN_CONTACT})" in page
    assert "not found" not in page


def test_quotes_stored_as_entities_show_as_quotes_and_stay_escaped(signed_in, upstream):
    fake.directory(upstream)
    stored = "it&#39;s a &#34;test&#34; <b>&amp;</b>"
    fake.messages(upstream, [message_json(5, content=stored)])

    page = signed_in.get("/messages/").content.decode()

    # Rows are escaped by html.escape (&#x27; and &quot;, as Django does).
    assert "it&#x27;s a &quot;test&quot; &lt;b&gt;&amp;amp;&lt;/b&gt;" in page
    assert "<b>" not in page
