"""What a send leaves behind when upstream behaves like the real 66text server.

Numbers filed for every created message, counts that claim only what is
known, opted-out recipients warned about, a phone or SIM that is gone named,
and the repeated hour of a clock going back shown for what it is.
"""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from smsadmin.audit.models import AuditEvent
from smsadmin.sms.models import SendRequest, SentMessage
from tests.conftest import UPSTREAM, give_key, make_user
from tests.sms.compose import support as fake
from tests.sms.compose.support import page_of, result_page
from tests.sociostacks.payloads import error_json, page_json

pytestmark = pytest.mark.django_db

MISSING_FIELDS = "You must fill all the required fields."


# --- Numbers of created messages ------------------------------------------------------


def test_every_created_message_is_filed_with_its_number(signed_in, sends):
    _response, token = fake.confirm_and_send(
        signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"
    )

    send = SendRequest.objects.get(token=token)
    filed = SentMessage.objects.order_by("sms_id")
    assert [(m.account_id, m.sms_id, m.phone) for m in filed] == [
        (1, 1000, fake.DE_MOBILE),
        (1, 1001, fake.UK_MOBILE),
    ]
    assert {m.send_request_id for m in filed} == {send.pk}


def test_a_big_send_files_every_batch(signed_in, sends):
    numbers = fake.numbers(5000)

    _response, token = fake.confirm_and_send(signed_in, recipients="\n".join(numbers))
    fake.run_send_job(token)  # two batches: a job sends them

    assert SentMessage.objects.count() == 5000
    last = SentMessage.objects.order_by("-sms_id").first()
    assert last.phone == numbers[-1]
    assert {str(m.send_request.token) for m in SentMessage.objects.all()[:10]} == {token}


# --- Counts that claim only what is known ---------------------------------------------


def answer_without_ids(request):
    return 201, {}, json.dumps({"data": {"sms_ids": []}})


def test_a_send_answered_without_ids_claims_no_count(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.add_callback("POST", f"{UPSTREAM}/sms", callback=answer_without_ids)

    response, token = fake.confirm_and_send(
        signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"
    )

    page = result_page(signed_in, response)
    assert "not every message is confirmed" in page
    assert "accepted all 2 numbers, but listed the messages of only 0" in page
    assert "Check the message list before sending to these numbers again" in page
    assert "handed to" not in page and "/compose/?retry=" not in page
    send = SendRequest.objects.get(token=token)
    assert (send.state, send.sent_count, send.unconfirmed_count) == ("sent", 2, 2)
    assert send.unsent_numbers == []
    assert not SentMessage.objects.exists()  # which id went where is not known
    outcome = AuditEvent.objects.filter(action="send").order_by("seq").last()
    assert outcome.details["unconfirmed_count"] == 2 and outcome.details["accepted_count"] == 2


def test_an_unconfirmed_send_is_not_repeated_by_sending_the_form_again(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    posts = upstream.add_callback("POST", f"{UPSTREAM}/sms", callback=answer_without_ids)
    _response, token = fake.confirm_and_send(signed_in)

    again = fake.send(signed_in, token)

    assert "/compose/result/" in again["Location"]
    assert posts.call_count == 1


# --- Opted-out recipients ----------------------------------------------------------------


def test_a_review_warns_about_each_opted_out_number(signed_in, sends, upstream):
    fake.opted_out_contact(upstream, fake.UK_MOBILE)

    reviewed = fake.review(signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")

    page = page_of(signed_in.get(reviewed["Location"]))
    assert f"{fake.UK_MOBILE}: opted out of this account&#x27;s messages" in page
    assert f"{fake.DE_MOBILE}: opted out" not in page


def test_the_live_check_warns_once_the_contact_list_was_read(signed_in, sends, upstream):
    fake.opted_out_contact(upstream, fake.UK_MOBILE)
    fake.review(signed_in, recipients=fake.UK_MOBILE)
    calls = len(upstream.calls)

    fragment = page_of(
        signed_in.post(
            "/compose/check-recipients",
            {"recipients": f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"},
            headers={"HX-Request": "true"},
        )
    )

    assert "<strong>1</strong> opted out" in fragment
    assert f"<code>{fake.UK_MOBILE}</code> opted out" in fragment
    assert len(upstream.calls) == calls  # typing costs no upstream call


# --- A phone or SIM that is gone ------------------------------------------------------------


def test_a_sim_taken_out_is_named_and_everything_typed_is_kept(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(f"{UPSTREAM}/sms", status=401, json=error_json(MISSING_FIELDS, 401))
    reviewed = fake.review(signed_in, content="Keep me", recipients=fake.DE_MOBILE, sim="1:2")
    token = fake.token_of(reviewed)
    shown = fake.shown_fingerprint(signed_in, token)
    # Meanwhile the second SIM left the Pixel.
    pixel = {**fake.PIXEL, "sims": fake.PIXEL["sims"][:1]}
    upstream.replace("GET", f"{UPSTREAM}/devices/", json=page_json([pixel, fake.GALAXY]))

    page = result_page(signed_in, fake.send(signed_in, token, shown))

    assert "The send did not go out." in page
    assert "The SIM “SIM 2 · Vodafone · +4915298765432” is no longer in “Ops Pixel 8”" in page
    assert "It still has “SIM 1 · Telekom · +4915112345678”" in page
    assert "Keep me</textarea>" in page and f"{fake.DE_MOBILE}</textarea>" in page
    assert 'value="1:2"' not in page and 'value="1:1"' in page
    assert "refused the request as incomplete" not in page


def test_a_phone_taken_off_the_account_is_named(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(f"{UPSTREAM}/sms", status=401, json=error_json(MISSING_FIELDS, 401))
    reviewed = fake.review(signed_in, sim="1:1")
    token = fake.token_of(reviewed)
    shown = fake.shown_fingerprint(signed_in, token)
    upstream.replace("GET", f"{UPSTREAM}/devices/", json=page_json([fake.GALAXY]))

    page = result_page(signed_in, fake.send(signed_in, token, shown))

    assert "The phone “Ops Pixel 8” is no longer on the Sociostacks account." in page
    assert "Phones still on the account: “Backup Galaxy”." in page


def test_a_refusal_the_device_list_does_not_explain_says_so(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(f"{UPSTREAM}/sms", status=401, json=error_json(MISSING_FIELDS, 401))

    response, _token = fake.confirm_and_send(signed_in, sim="1:1")

    page = result_page(signed_in, response)
    sim = "Ops Pixel 8 · SIM 1 · Telekom · +4915112345678"
    assert f"Sociostacks refused “{sim}” as no longer available" in page


# --- The repeated hour ------------------------------------------------------------------------


@time_machine.travel(datetime(2031, 10, 20, 12, 0, tzinfo=UTC), tick=False)
def test_a_time_the_clock_shows_twice_is_shown_as_the_second(client, upstream):
    fake.devices(upstream)
    fake.account(upstream, zone="Europe/Berlin")
    person = make_user("bea", "sender", time_zone="Europe/Berlin")
    give_key(person)
    client.force_login(person)

    reviewed = fake.review(client, when="later", send_date="2031-10-26", send_time="02:30")

    page = page_of(client.get(reviewed["Location"]))
    assert "<strong>2031-10-26 02:30 CET</strong>" in page
    assert "this is the second time, 02:30 CET (UTC+0100)" in page
    assert "2031-10-26 01:30 UTC" in page
    assert SendRequest.objects.get().scheduled_at == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)


@time_machine.travel(datetime(2031, 10, 20, 12, 0, tzinfo=UTC), tick=False)
def test_a_moment_sociostacks_cannot_be_told_is_flagged_before_sending(client, upstream):
    fake.devices(upstream)
    fake.account(upstream, zone="Europe/Berlin")
    # 00:30 UTC is the first 02:30 of that night in Berlin.
    person = make_user("uma", "sender", time_zone="UTC")
    give_key(person)
    client.force_login(person)

    reviewed = fake.review(client, when="later", send_date="2031-10-26", send_time="00:30")

    page = page_of(client.get(reviewed["Location"]))
    assert "happens twice in Europe/Berlin" in page
    assert "Pick a time outside that hour." in page
