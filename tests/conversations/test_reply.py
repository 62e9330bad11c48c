"""A reply is an ordinary compose send, started from a conversation; sending it
marks the message it answered handled."""

import re

import pytest
from django.urls import reverse

from smsadmin.audit.models import AuditEvent
from smsadmin.conversations.models import HandledMessage, SavedText
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY
from tests.mirror.conftest import mirrored
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db

NUMBER = "+4915123456789"


@pytest.fixture
def phone(on_sandbox) -> dict[str, str]:
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    return {"device": str(device.id), "sim": f"{device.id}:{device.sims[0].subscription_id}"}


def compose_from(client, **query) -> tuple[str, str]:
    page = client.get(reverse("sms:compose"), query).content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', page).group(1)
    return page, token


def test_sending_a_reply_marks_the_received_message_handled(client, desk, phone, on_sandbox):
    question = mirrored(direction="received", status="received", phone=NUMBER)
    client.force_login(desk)
    page, token = compose_from(client, to=NUMBER, reply_to=question.sms_id)
    assert NUMBER in page
    response, _ = fake.confirm_and_send(client, token=token, recipients=NUMBER, **phone)
    client.get(response["Location"])
    handled = HandledMessage.objects.get(sms_id=question.sms_id)
    assert handled.how == "reply" and handled.handled_by == desk
    assert AuditEvent.objects.filter(
        action="marked handled", target=f"sms:{question.sms_id}"
    ).exists()


def test_a_reply_that_was_not_sent_leaves_the_message_unhandled(client, desk, phone, on_sandbox):
    question = mirrored(direction="received", status="received", phone=NUMBER)
    client.force_login(desk)
    _, token = compose_from(client, to=NUMBER, reply_to=question.sms_id)
    fake.review(client, token=token, recipients=NUMBER, **phone)  # confirmation shown, never sent
    assert not HandledMessage.objects.exists()


def test_a_saved_text_fills_in_the_contacts_name(client, desk, on_sandbox):
    mirrored(direction="received", status="received", phone=NUMBER, contact_name="Ada")
    text = SavedText.objects.create(
        name="Hi", text="Hi {name}, see you Thursday.", name_fallback="there"
    )
    client.force_login(desk)
    page, _ = compose_from(client, to=NUMBER, saved_text=text.pk)
    assert "Hi Ada, see you Thursday." in page


def test_a_saved_text_without_a_known_name_uses_the_fallback(client, desk, on_sandbox):
    text = SavedText.objects.create(name="Hi", text="Hi {name}!", name_fallback="there")
    client.force_login(desk)
    page, _ = compose_from(client, saved_text=text.pk)
    assert "Hi there!" in page


def test_a_hostile_prefill_is_ignored(client, desk, on_sandbox):
    client.force_login(desk)
    response = client.get(
        reverse("sms:compose"), {"to": "<b>x</b>", "saved_text": "²", "reply_to": "9" * 40}
    )
    assert response.status_code == 200
    assert "<b>x</b>" not in response.content.decode()
