"""Confirm, send, result: one upstream send per confirmed form, whatever the person clicks."""
# The pages print a multiplication sign and people type typographic quotes: both are meant.
# ruff: noqa: RUF001

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.test import Client

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.jobs.models import Job
from smsadmin.keys.models import ApiKey
from smsadmin.sms.compose import sending
from smsadmin.sms.models import SendRequest
from tests.conftest import UPSTREAM, give_key, make_user
from tests.sms.compose import support as fake
from tests.sms.compose.support import page_of, result_page
from tests.sociostacks.payloads import error_json

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


def past_send(user, recipients: int, claimed_at: datetime, **fields) -> SendRequest:
    return SendRequest.objects.create(
        user=user,
        state=fields.pop("state", SendRequest.State.SENT),
        claimed_at=claimed_at,
        fingerprint="x",
        content="earlier",
        numbers=fake.numbers(recipients),
        device_id=1,
        sim_id=1,
        encoding="GSM-7",
        segments=1,
        recipient_count=recipients,
        sent_count=fields.pop("sent_count", recipients),
        **fields,
    )


# --- Confirmation --------------------------------------------------------------------


def test_the_confirmation_sums_up_before_anything_is_sent(signed_in, sends):
    typed = "\n".join(fake.numbers(12))
    reviewed = fake.review(signed_in, recipients=typed, content="a" * 200, sim="1:2")
    page = page_of(signed_in.get(reviewed["Location"]))
    assert "<strong>12</strong>:" in page
    assert "+491700000000" in page and "+491700000009" in page and "and 2 more" in page
    assert "+491700000011" not in page
    assert "2 per recipient (GSM-7)" in page
    assert "12 × 2 = <strong>24</strong> SMS segments" in page
    assert "Ops Pixel 8 · SIM 2 · Vodafone · +4915298765432" in page
    assert "Now" in page
    assert "data-once" in page and "Send 12 messages" in page
    assert not sends.posts


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_confirmation_shows_the_time_in_three_zones(client, sends):
    person = make_user("bea", "sender", time_zone="Europe/Berlin")
    give_key(person)
    client.force_login(person)
    reviewed = fake.review(client, when="later", send_date="2026-03-20", send_time="15:30")
    page = page_of(client.get(reviewed["Location"]))
    assert "<strong>2026-03-20 15:30</strong> in Europe/Berlin (your time)" in page
    assert "2026-03-20 10:30 in America/New_York" in page
    assert "2026-03-20 14:30 UTC" in page
    assert "Schedule 1 message" in page


def test_changing_a_draft_keeps_its_token(signed_in, sends):
    reviewed = fake.review(signed_in)
    token = fake.token_of(reviewed)
    form = page_of(signed_in.get(f"/compose/?edit={token}"))
    assert f'name="token" value="{token}"' in form
    assert "The office is closed on Friday.</textarea>" in form
    changed = fake.review(signed_in, token=token, content="Changed")
    assert fake.token_of(changed) == token
    assert SendRequest.objects.get().content == "Changed"


def test_someone_elses_send_is_not_found(client, signed_in, sends):
    token = fake.token_of(fake.review(signed_in))
    other = make_user("olga", "sender")
    give_key(other, raw_key="sk-other-key-0000")
    client.force_login(other)
    assert client.get(f"/compose/confirm/{token}").status_code == 404
    assert client.post(f"/compose/send/{token}", {"fingerprint": "x"}).status_code == 404
    assert not sends.posts


# --- What upstream receives ------------------------------------------------------------


def test_an_immediate_send_posts_exactly_these_fields(signed_in, sends):
    fake.confirm_and_send(signed_in, recipients=f"{fake.DE_MOBILE}, {fake.UK_MOBILE}")
    assert sends.posts == [
        {
            "content": "The office is closed on Friday.",
            "device_id": "1",
            "sim_subscription_id": "1",
            "phone_numbers": f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}",
        }
    ]


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_send_posts_the_time_in_the_accounts_zone(client, sends):
    person = make_user("bea", "sender", time_zone="Europe/Berlin")
    give_key(person)
    client.force_login(person)
    fake.confirm_and_send(client, when="later", send_date="2026-03-20", send_time="15:30")
    (fields,) = sends.posts
    # 15:30 in Berlin (UTC+1) is 14:30 UTC, which is 10:30 in New York (UTC-4 after 8 March).
    assert fields == {
        "content": "The office is closed on Friday.",
        "device_id": "1",
        "sim_subscription_id": "1",
        "phone_numbers": fake.UK_MOBILE,
        "is_scheduled": "1",
        "scheduled_datetime": "2026-03-20 10:30:00",
    }


def test_the_sim_of_the_second_device_is_sent_with_its_device(signed_in, sends):
    fake.confirm_and_send(signed_in, device="2", sim="2:1")
    assert sends.posts[0]["device_id"] == "2"
    assert sends.posts[0]["sim_subscription_id"] == "1"


# --- Result ------------------------------------------------------------------------------


def test_the_result_links_each_created_message(signed_in, sends):
    response, _token = fake.confirm_and_send(
        signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}", device="1", sim="1:2"
    )
    page = result_page(signed_in, response)
    assert "2 messages handed to Ops Pixel 8 · SIM 2" in page
    assert '<a href="/messages/1000/">#1000</a>' in page
    assert '<a href="/messages/1001/">#1001</a>' in page
    assert 'href="/compose/?device=1&amp;sim=2">Send another</a>' in page


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_result_says_when(signed_in, sends):
    response, _token = fake.confirm_and_send(
        signed_in, when="later", send_date="2026-03-11", send_time="08:00"
    )
    page = result_page(signed_in, response)
    assert "1 message scheduled for 2026-03-11 08:00 (UTC)." in page


def test_the_device_and_sim_can_become_the_persons_default(signed_in, sends, sender):
    response, token = fake.confirm_and_send(signed_in, device="1", sim="1:2")
    assert "my default" in result_page(signed_in, response)
    made = signed_in.post(f"/compose/result/{token}/make-default")
    sender.refresh_from_db()
    assert (sender.default_device_id, sender.default_sim_id) == (1, 2)
    assert "my default" not in page_of(signed_in.get(made["Location"]))
    assert AuditEvent.objects.filter(action="default device set", actor=sender).exists()


def test_a_send_is_audited_as_attempt_and_outcome(signed_in, sends, sender):
    fake.confirm_and_send(signed_in, recipients=fake.DE_MOBILE, content="Hello")
    attempt, outcome = AuditEvent.objects.filter(action="send").order_by("seq")
    assert attempt.outcome == Outcome.STARTED and outcome.parent_id == attempt.pk
    assert attempt.details["recipients"] == [fake.DE_MOBILE]
    assert attempt.details["content"] == "Hello"
    assert attempt.details["device_id"] == 1 and attempt.details["sim_id"] == 1
    assert attempt.details["scheduled_at"] is None
    assert outcome.outcome == Outcome.OK
    assert outcome.details["created_ids"] == [1000]
    assert outcome.actor == sender


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_send_is_audited_as_schedule_with_the_utc_time(signed_in, sends):
    fake.confirm_and_send(signed_in, when="later", send_date="2026-03-11", send_time="08:00")
    attempt = AuditEvent.objects.get(action="schedule", outcome=Outcome.STARTED)
    assert attempt.details["scheduled_at"] == "2026-03-11T08:00:00+00:00"


def test_a_long_recipient_list_is_audited_as_count_sample_and_hash(signed_in, sends):
    typed = "\n".join(fake.numbers(1500))
    fake.confirm_and_send(signed_in, recipients=typed)
    attempt = AuditEvent.objects.get(action="send", outcome=Outcome.STARTED)
    assert attempt.details["recipient_count"] == 1500
    assert len(attempt.details["recipients"]) == 100
    assert attempt.details["recipients_truncated"] is True
    assert len(attempt.details["recipients_sha256"]) == 64


# --- Exactly once ------------------------------------------------------------------------


def test_a_resubmitted_send_makes_one_upstream_post_and_shows_the_first_result(signed_in, sends):
    first, token = fake.confirm_and_send(signed_in)
    again = fake.send(signed_in, token)
    assert len(sends.posts) == 1
    assert again["Location"] == first["Location"]
    assert '<a href="/messages/1000/">#1000</a>' in result_page(signed_in, again)
    (repeat,) = AuditEvent.objects.filter(action="send repeat")
    assert repeat.target == f"send:{token}"


def test_resubmitting_the_compose_form_after_sending_does_not_send_again(signed_in, sends):
    data = fake.form_data()
    reviewed = signed_in.post("/compose/", data)
    fake.send(signed_in, fake.token_of(reviewed))
    again = signed_in.post("/compose/", data)
    assert "/compose/result/" in again["Location"]
    assert "already sent, so it was not sent again" in result_page(signed_in, again)
    assert len(sends.posts) == 1


def test_a_changed_form_under_a_used_token_is_a_new_draft(signed_in, sends):
    data = fake.form_data()
    reviewed = signed_in.post("/compose/", data)
    fake.send(signed_in, fake.token_of(reviewed))
    changed = signed_in.post("/compose/", data | {"content": "Something else"})
    assert "/compose/confirm/" in changed["Location"]
    assert fake.token_of(changed) != fake.token_of(reviewed)
    assert len(sends.posts) == 1


def test_reloading_the_confirmation_after_sending_shows_the_result(signed_in, sends):
    reviewed = fake.review(signed_in)
    fake.send(signed_in, fake.token_of(reviewed))
    reload = signed_in.get(reviewed["Location"])
    assert "/compose/result/" in reload["Location"]


# --- Failures keep what was typed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            {"status": 401, "json": error_json("You do not have access to the API.", 401)},
            "refused the API key",
        ),
        ({"status": 503, "body": "<html>Service Unavailable</html>"}, "may or may not have been"),
        ({"body": requests.exceptions.ReadTimeout()}, "not known whether the messages"),
        ({"body": requests.exceptions.ConnectionError()}, "could not be reached"),
    ],
    ids=["bad key", "503", "time-out", "no connection"],
)
def test_an_upstream_error_keeps_the_typed_content_and_numbers(signed_in, upstream, answer, words):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(f"{UPSTREAM}/sms", **answer)
    typed = f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"
    response, token = fake.confirm_and_send(
        signed_in, content="Tonight’s <meeting> moved", recipients=typed, sim="1:2"
    )
    page = result_page(signed_in, response)
    assert "The send did not go out." in page and words in page
    assert "Tonight’s &lt;meeting&gt; moved</textarea>" in page
    assert f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}</textarea>" in page
    assert '<option value="1:2" selected>' in page
    assert f'name="token" value="{token}"' not in page  # a retry is a new, confirmed send
    assert SendRequest.objects.get(token=token).state == SendRequest.State.FAILED
    outcome = AuditEvent.objects.filter(action="send").order_by("seq").last()
    assert outcome.outcome == Outcome.UPSTREAM_ERROR


def test_a_failed_send_is_never_retried_on_its_own(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    failing = upstream.post(f"{UPSTREAM}/sms", status=503)
    response, token = fake.confirm_and_send(signed_in)
    signed_in.get(response["Location"])
    fake.send(signed_in, token)
    assert failing.call_count == 1


def test_a_bad_key_offers_the_keys_page(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(
        f"{UPSTREAM}/sms", status=401, json=error_json("You do not have access to the API.", 401)
    )
    response, _token = fake.confirm_and_send(signed_in)
    assert 'href="/keys/">Check your API keys</a>' in result_page(signed_in, response)


# --- Daily cap ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_send_past_the_daily_cap_is_refused_with_the_numbers(client, sends):
    person = make_user("cap", "sender", daily_send_cap=3)
    give_key(person)
    client.force_login(person)
    past_send(person, 2, NOW - timedelta(hours=1))
    response = fake.review(client, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")
    page = page_of(response)
    assert "You have sent 2 of your 3 messages today; this send of 2 would pass it." in page
    assert f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}</textarea>" in page
    assert not sends.posts
    refusal = AuditEvent.objects.get(action="send", outcome=Outcome.DENIED)
    assert refusal.details["cap"] == 3


@time_machine.travel(NOW, tick=False)
def test_the_cap_is_checked_again_when_sending(client, sends):
    person = make_user("cap", "sender", daily_send_cap=3)
    give_key(person)
    client.force_login(person)
    reviewed = fake.review(client, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")
    past_send(person, 2, NOW - timedelta(minutes=1))  # another tab sent meanwhile
    response = fake.send(client, fake.token_of(reviewed))
    assert "this send of 2 would pass it" in page_of(response)
    assert not sends.posts
    assert SendRequest.objects.get(token=fake.token_of(reviewed)).state == "pending"


@time_machine.travel(NOW, tick=False)
def test_the_cap_counts_the_persons_own_day(client, sends):
    # 12:00 UTC is 21:00 in Tokyo; a send at 14:30 UTC yesterday was 23:30 Tokyo, yesterday.
    person = make_user("kei", "sender", daily_send_cap=2, time_zone="Asia/Tokyo")
    give_key(person)
    client.force_login(person)
    past_send(person, 3, datetime(2026, 3, 9, 14, 30, tzinfo=UTC))
    past_send(person, 1, datetime(2026, 3, 9, 15, 30, tzinfo=UTC))  # 00:30 today in Tokyo
    assert "/compose/confirm/" in fake.review(client, recipients=fake.DE_MOBILE)["Location"]
    refused = fake.review(client, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")
    assert "You have sent 1 of your 2 messages today" in page_of(refused)


@time_machine.travel(NOW, tick=False)
def test_the_cap_counts_only_what_went_out_of_a_failed_send(client, sends):
    person = make_user("cap", "sender", daily_send_cap=3)
    give_key(person)
    client.force_login(person)
    past_send(person, 3, NOW - timedelta(hours=1), state="failed", sent_count=0)
    reviewed = fake.review(client, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")
    assert "/compose/confirm/" in reviewed["Location"]


def test_without_a_cap_nothing_is_counted(signed_in, sends, sender):
    assert sender.effective_daily_cap is None
    response, _token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(50)))
    assert "50 messages handed" in result_page(signed_in, response)


# --- Time passing ---------------------------------------------------------------------------


def test_a_time_that_passed_while_confirming_is_refused_without_sending(signed_in, sends):
    with time_machine.travel(NOW, tick=False):
        reviewed = fake.review(signed_in, when="later", send_date="2026-03-10", send_time="12:05")
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        response = fake.send(signed_in, fake.token_of(reviewed))
    assert "has passed while the page was open" in page_of(response)
    assert not sends.posts
    assert AuditEvent.objects.filter(action="schedule", outcome=Outcome.INVALID).exists()


# --- Big sends ------------------------------------------------------------------------------


def test_a_failing_second_batch_reports_what_went_out_and_never_resends_it(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    counter = fake.SendCounter()
    answers = iter([counter, lambda request: (503, {}, "")])
    upstream.add_callback("POST", f"{UPSTREAM}/sms", callback=lambda r: next(answers)(r))
    typed = "\n".join(fake.numbers(5003))
    response, token = fake.confirm_and_send(signed_in, recipients=typed)
    job = fake.run_send_job(token)

    page = result_page(signed_in, response)
    assert "Partly sent" in page
    assert f'href="/jobs/{job.pk}/"' in page
    assert "4,999 recipients were sent to; the other 4 were not, or not certainly." in page
    assert "not known whether the messages were created" in page
    # Stored in English by the worker, worded again in the reader's language.
    german = signed_in.get(response["Location"], headers={"Accept-Language": "de"})
    assert "An 4.999 Empfänger wurde gesendet" in german.content.decode()
    send = SendRequest.objects.get(token=token)
    assert send.state == SendRequest.State.PARTIAL and len(send.sms_ids) == 4999
    assert send.error.startswith("4,999 recipients were sent to")
    # A 503 may have been carried out: its numbers are never offered again on their own.
    assert send.unsent_numbers == []
    assert [item.state for item in job.items.order_by("position")] == ["done", "unknown"]
    # Batch 1, batch 2: nothing resent.
    assert [call.request.method for call in upstream.calls].count("POST") == 2


def test_a_batch_refused_outright_leaves_its_numbers_to_send_again(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    counter = fake.SendCounter()
    refused = (400, {}, json.dumps(error_json("The phone number is not valid.", 400)))
    answers = iter([counter, lambda request: refused])
    upstream.add_callback("POST", f"{UPSTREAM}/sms", callback=lambda r: next(answers)(r))
    response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(5003)))
    fake.run_send_job(token)

    page = result_page(signed_in, response)
    send = SendRequest.objects.get(token=token)
    assert send.state == SendRequest.State.PARTIAL
    assert send.unsent_numbers == fake.numbers(4, start=4999)
    assert f'href="/compose/?retry={token}">Send to the 4 unsent numbers</a>' in page


def test_a_partial_send_is_audited_batch_by_batch(signed_in, upstream):
    fake.devices(upstream)
    fake.account(upstream)
    counter = fake.SendCounter()
    answers = iter([counter, lambda request: (503, {}, "")])
    upstream.add_callback("POST", f"{UPSTREAM}/sms", callback=lambda r: next(answers)(r))
    _response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(5001)))
    job = fake.run_send_job(token)
    outcomes = AuditEvent.objects.filter(action="send", target=f"job:{job.pk}").exclude(
        outcome=Outcome.STARTED
    )
    first, second = outcomes.order_by("seq")
    assert first.outcome == Outcome.OK and len(first.details["created_ids"]) == 4999
    assert second.outcome == Outcome.UPSTREAM_ERROR
    attempts = AuditEvent.objects.filter(action="send", outcome=Outcome.STARTED)
    assert [a.details["recipient_count"] for a in attempts.order_by("seq")] == [4999, 2]


def test_a_big_send_goes_out_in_batches_of_4999_as_a_job(signed_in, sends):
    response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(10001)))
    assert not sends.posts  # the request only started the job
    send = SendRequest.objects.get(token=token)
    assert send.state == SendRequest.State.SENDING
    page = result_page(signed_in, response)
    job = Job.objects.get(send_request=send)
    assert f'href="/jobs/{job.pk}/"' in page and "runs as job" in page
    assert "this page need not stay open" in page
    assert "from the tab where it was confirmed" not in page

    fake.run_send_job(token)

    assert [len(post["phone_numbers"].split("\n")) for post in sends.posts] == [4999, 4999, 3]
    send.refresh_from_db()
    assert send.state == SendRequest.State.SENT
    assert (send.batches_done, send.batches_total, send.sent_count) == (3, 3, 10001)
    assert len(send.sms_ids) == 10001
    assert job.items.count() == 3


def test_a_big_send_run_by_a_job_is_not_settled_as_abandoned(signed_in, sends, time_machine):
    _response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(5001)))
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=10))

    assert sending.settle_all_abandoned() == 0
    assert SendRequest.objects.get(token=token).state == SendRequest.State.SENDING


def test_a_single_batch_send_still_goes_out_in_the_request(signed_in, sends):
    _response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(4999)))
    assert len(sends.posts) == 1
    assert SendRequest.objects.get(token=token).state == SendRequest.State.SENT
    assert not Job.objects.exists()


# --- Progress ---------------------------------------------------------------------------------


def test_a_second_tab_watches_a_send_in_flight(signed_in, sends, sender):
    token = fake.token_of(fake.review(signed_in, recipients="\n".join(fake.numbers(12000))))
    # Claimed just now: a send claimed long ago has lost its worker (outcome unknown).
    SendRequest.objects.filter(token=token).update(
        state="sending",
        claimed_at=datetime.now(UTC),
        batches_total=3,
        batches_done=1,
        sent_count=5000,
    )
    page = page_of(signed_in.get(f"/compose/result/{token}"))
    assert "1 of 3 batches done, 5000 of 12000 recipients sent" in page
    assert f'hx-get="/compose/progress/{token}" hx-trigger="every 1s"' in page
    assert "Refresh" in page

    fragment = page_of(signed_in.get(f"/compose/progress/{token}", headers=HTMX))
    assert "1 of 3 batches done" in fragment and "<h1>" not in fragment

    again = fake.send(signed_in, token)
    assert "/compose/result/" in again["Location"]
    assert not sends.posts


def test_the_progress_poll_hands_over_to_the_result_when_done(signed_in, sends):
    _response, token = fake.confirm_and_send(signed_in)
    response = signed_in.get(f"/compose/progress/{token}", headers=HTMX)
    assert response["HX-Redirect"] == f"/compose/result/{token}"


def test_the_progress_page_without_javascript_is_the_result_page(signed_in, sends):
    _response, token = fake.confirm_and_send(signed_in)
    response = signed_in.get(f"/compose/progress/{token}")
    assert response["Location"] == f"/compose/result/{token}"


def test_a_confirmation_changed_in_another_tab_is_not_sent_as_shown(client, sends, sender):
    give_key(sender)
    tab_one, tab_two = client, Client()
    tab_one.force_login(sender)
    tab_two.force_login(sender)
    data = fake.form_data(content="First version")
    token = fake.token_of(tab_one.post("/compose/", data))
    shown_in_tab_one = fake.shown_fingerprint(tab_one, token)
    tab_two.post("/compose/", data | {"content": "Second version"})

    response = fake.send(tab_one, token, shown_in_tab_one)

    page = page_of(response)
    assert "changed in another tab" in page
    assert "Second version" in page
    assert not sends.posts
    fake.send(tab_one, token, fake.shown_fingerprint(tab_one, token))
    assert [post["content"] for post in sends.posts] == ["Second version"]


def test_a_team_member_sends_with_the_teams_key_but_not_from_a_teammates_draft(client, sends):
    team = Team.objects.create(name="ops-team")
    key = ApiKey(label="Team key", team=team)
    key.set_secret("sk-team-key-1111")
    key.save()
    first, second = make_user("tara", "sender"), make_user("theo", "sender")
    for member in (first, second):
        team.members.add(member)
    client.force_login(first)
    token = fake.token_of(fake.review(client))
    client.force_login(second)
    assert client.get(f"/compose/confirm/{token}").status_code == 404
    response, _token = fake.confirm_and_send(client)
    assert "1 message handed to" in result_page(client, response)
    assert len(sends.posts) == 1


def test_a_batch_in_flight_when_the_worker_died_is_outcome_unknown_never_resent(signed_in, sends):
    from django.utils import timezone

    from smsadmin.jobs.models import JobItem

    response, token = fake.confirm_and_send(signed_in, recipients="\n".join(fake.numbers(5001)))
    job = Job.objects.get(send_request__token=token)
    # A worker killed mid-POST of the first batch: its item in flight, its lease run out.
    JobItem.objects.filter(job=job, position=0).update(
        state=JobItem.State.IN_FLIGHT, attempts=1, claimed_at=timezone.now()
    )
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        lease_token="dead",
        lease_until=timezone.now() - timedelta(seconds=1),
    )

    fake.run_send_job(token)

    assert [len(post["phone_numbers"].split("\n")) for post in sends.posts] == [2]
    send = SendRequest.objects.get(token=token)
    assert send.state == SendRequest.State.PARTIAL and send.unsent_numbers == []
    page = result_page(signed_in, response)
    assert "2 recipients were sent to; the other 4,999 were not, or not certainly." in page
    assert "smsadmin will not resend them on its own" in page
