"""A compose send whose web worker died mid-send: "outcome unknown" after its lease."""

from datetime import timedelta

import pytest
from django.utils import timezone

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.sms.compose import sending
from smsadmin.sms.models import SendRequest
from tests.conftest import give_key
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db


def sending_since(user, minutes: float, **fields) -> SendRequest:
    numbers = fake.numbers(fields.pop("recipients", 3))
    return SendRequest.objects.create(
        user=user,
        state=SendRequest.State.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=minutes),
        fingerprint="x",
        content="Reminder",
        numbers=numbers,
        device_id=1,
        sim_id=1,
        encoding="GSM-7",
        segments=1,
        recipient_count=len(numbers),
        batches_total=1,
        **fields,
    )


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def test_a_send_still_running_within_its_lease_is_shown_as_sending(signed_in, sender):
    send = sending_since(sender, 1)
    page = signed_in.get(f"/compose/result/{send.token}").content.decode()
    send.refresh_from_db()
    assert send.state == SendRequest.State.SENDING
    assert "hx-trigger" in page


def test_a_send_that_lost_its_worker_says_outcome_unknown_and_sends_nothing(
    signed_in, sender, upstream
):
    fake.devices(upstream)
    fake.account(upstream)
    send = sending_since(sender, 4)
    page = signed_in.get(f"/compose/result/{send.token}").content.decode()
    send.refresh_from_db()
    assert send.state == SendRequest.State.FAILED
    assert "it is not known whether these messages were created" in page
    assert not [call for call in upstream.calls if call.request.method == "POST"]
    settled = AuditEvent.objects.get(action="send", target=f"send:{send.token}")
    assert settled.outcome == Outcome.FAILED
    assert settled.details["outcome"] == "unknown: its worker stopped mid-send"


def test_batches_done_before_the_worker_died_stay_sent_and_the_rest_is_offered(sender):
    send = sending_since(sender, 4, recipients=3, sent_count=2, batches_done=1)
    assert sending.settle_all_abandoned() == 1
    send.refresh_from_db()
    assert send.state == SendRequest.State.PARTIAL
    assert send.unsent_numbers == send.numbers[2:]
    assert sending.settle_all_abandoned() == 0  # once
    assert AuditEvent.objects.filter(action="send").count() == 1


def test_the_progress_poll_of_an_abandoned_send_ends_on_the_result(signed_in, sender):
    send = sending_since(sender, 4)
    poll = signed_in.get(f"/compose/progress/{send.token}", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert poll["HX-Redirect"] == f"/compose/result/{send.token}"
