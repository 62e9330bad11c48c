"""The sending domain on its own: drafts under tokens, claims, and honest failures."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who
from smsadmin.sms.compose import sending
from smsadmin.sms.compose.sending import Claim, Draft
from smsadmin.sms.models import SendRequest
from smsadmin.sociostacks.errors import UnreadableResponse, UpstreamUnavailable
from smsadmin.sociostacks.types import Account, BatchResult
from tests.conftest import make_user
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db


def draft(**overrides) -> Draft:
    values = {
        "content": "Hello",
        "numbers": [fake.DE_MOBILE],
        "device_id": 1,
        "sim_id": 1,
        "device_label": "Ops Pixel 8",
        "sim_label": "SIM 1",
    }
    return Draft(**(values | overrides))


def claimed(user, token=None, **overrides) -> SendRequest:
    send = sending.prepare(user, token, draft(**overrides))
    assert sending.claim(send, user, send.fingerprint).claim is Claim.CLAIMED
    return send


# --- Drafts under a token --------------------------------------------------------------


def test_a_token_names_one_draft_that_later_submits_update(sender):
    token = uuid.uuid4()
    first = sending.prepare(sender, token, draft(content="One"))
    second = sending.prepare(sender, token, draft(content="Two"))
    assert first.pk == second.pk and second.content == "Two"
    assert SendRequest.objects.count() == 1


def test_the_same_draft_under_a_used_token_gives_back_the_claimed_send(sender):
    token = uuid.uuid4()
    send = claimed(sender, token)
    again = sending.prepare(sender, token, draft())
    assert again.pk == send.pk and again.state == SendRequest.State.SENDING


def test_a_different_draft_under_a_used_token_is_a_new_send(sender):
    token = uuid.uuid4()
    claimed(sender, token)
    new = sending.prepare(sender, token, draft(content="Different"))
    assert new.token != token and new.state == SendRequest.State.PENDING


def test_someone_elses_token_is_never_reused(sender):
    token = uuid.uuid4()
    theirs = sending.prepare(make_user("other", "sender"), token, draft())
    mine = sending.prepare(sender, token, draft())
    assert mine.token != token and SendRequest.objects.get(pk=theirs.pk).user != sender


def test_unconfirmed_drafts_are_not_kept_for_long(sender):
    old = sending.prepare(sender, None, draft())
    SendRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    sending.prepare(sender, None, draft())
    assert not SendRequest.objects.filter(pk=old.pk).exists()


def test_the_fingerprint_covers_what_is_sent():
    base = draft().fingerprint
    assert draft(content="Other").fingerprint != base
    assert draft(numbers=[fake.UK_MOBILE]).fingerprint != base
    assert draft(sim_id=2).fingerprint != base
    assert draft(scheduled_at=timezone.now()).fingerprint != base
    assert draft(device_label="Renamed").fingerprint == base


# --- Claims -------------------------------------------------------------------------------


def test_a_token_is_claimed_once(sender):
    send = sending.prepare(sender, None, draft())
    assert sending.claim(send, sender, send.fingerprint).claim is Claim.CLAIMED
    assert sending.claim(send, sender, send.fingerprint).claim is Claim.ALREADY_CLAIMED


def test_a_draft_changed_since_it_was_shown_is_not_sent(sender):
    token = uuid.uuid4()
    shown = sending.prepare(sender, token, draft(content="As shown")).fingerprint
    changed = sending.prepare(sender, token, draft(content="Changed in another tab"))
    result = sending.claim(changed, sender, shown)
    assert result.claim is Claim.CHANGED and "changed in another tab" in result.refusal
    assert SendRequest.objects.get(pk=changed.pk).state == SendRequest.State.PENDING


def test_a_claim_over_the_cap_leaves_the_draft_pending(sender):
    sender.daily_send_cap = 1
    send = sending.prepare(sender, None, draft(numbers=[fake.DE_MOBILE, fake.UK_MOBILE]))
    result = sending.claim(send, sender, send.fingerprint)
    assert result.claim is Claim.OVER_CAP
    assert result.cap_refusal.sentence == (
        "You have sent 0 of your 1 message today; this send of 2 would pass it."
    )
    assert SendRequest.objects.get(pk=send.pk).state == SendRequest.State.PENDING


def test_a_send_in_flight_counts_whole_against_the_cap(sender):
    claimed(sender, numbers=fake.numbers(3))
    since = sending.start_of_day(timezone.now(), sender)
    assert SendRequest.objects.messages_sent_since(sender, since) == 3


# --- Performing ------------------------------------------------------------------------------


class ExplodingClient:
    """Sends one batch, then fails in a way no upstream error explains."""

    def account(self, **_options):
        return Account(id=1, name="Ops", email="", language="", timezone="UTC")

    def create_messages(self, *, on_batch, phone_numbers, **_fields):
        on_batch(BatchResult(0, tuple(phone_numbers[:2]), (7, 8)))
        raise KeyError("surprise")


def test_an_unexpected_failure_mid_send_reports_what_went_out(sender):
    send = claimed(sender, numbers=fake.numbers(5))
    sending.perform(send, ExplodingClient(), Who(actor=sender, actor_username=sender.username))
    send.refresh_from_db()
    assert send.state == SendRequest.State.PARTIAL
    assert send.sms_ids == [7, 8]
    assert send.unsent_numbers == fake.numbers(3, start=2)
    assert "failed unexpectedly" in send.error
    outcome = AuditEvent.objects.filter(action="send").order_by("seq").last()
    assert outcome.outcome == Outcome.FAILED


@pytest.mark.parametrize(
    ("error", "unknown"),
    [
        (UpstreamUnavailable("ReadTimeout", timed_out=True), True),
        (UpstreamUnavailable("Gateway Time-out", status=504), True),
        (UpstreamUnavailable("Bad Gateway", status=502), True),
        (UpstreamUnavailable("Service Unavailable", status=503), True),
        (UpstreamUnavailable("ConnectionError"), False),
        (UnreadableResponse("html", status=200), True),
        (UnreadableResponse("html", status=404), False),
    ],
)
def test_a_send_whose_fate_is_unknown_says_so(error, unknown):
    sentence = sending.send_problem(error).sentence
    assert ("not known whether" in sentence) is unknown
    assert ("may or may not have been" in sentence) is unknown
    if unknown:
        assert "Nothing was changed" not in sentence


def test_audit_lists_short_recipient_lists_whole():
    assert sending.listed(fake.numbers(1000)) == {"recipients": fake.numbers(1000)}
    assert "recipients_sha256" in sending.listed(fake.numbers(1001))
