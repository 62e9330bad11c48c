"""The one message row: what each cell says, whichever page shows it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import timezone

from smsadmin.sms import rows
from smsadmin.sms.phone_errors import explain
from tests.conftest import give_key
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import message_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sender):
    sender.time_zone = "Europe/Berlin"
    sender.save()
    give_key(sender)
    client.force_login(sender)
    return client


def row_of(page: str, sms_id: int) -> str:
    return re.search(rf'<tr id="sms-{sms_id}".*?</tr>', page, re.S).group(0)


def test_the_time_is_when_it_was_made_not_when_its_status_last_changed(signed_in, upstream):
    fake.directory(upstream)
    # Sent at 09:00 UTC; the phone's report moved `datetime` to 09:40.
    fake.messages(
        upstream,
        [
            message_json(
                5,
                status="sent",
                scheduled_datetime="2026-03-02 09:00:00",
                datetime="2026-03-02 09:40:00",
            )
        ],
    )

    row = row_of(signed_in.get("/messages/").content.decode(), 5)

    assert ">2026-03-02 10:00 CET</time>" in row
    assert 'title="2026-03-02 09:00:00 UTC"' in row


def test_direction_is_an_arrow_and_status_a_badge(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(
        upstream,
        [
            message_json(5, type="sent", status="failed", error="RESULT_ERROR_NO_SERVICE"),
            message_json(4, type="received", status="received", scheduled_datetime=None),
        ],
    )

    page = signed_in.get("/messages/").content.decode()

    assert "↑ out" in row_of(page, 5) and 'badge-failed">failed<' in row_of(page, 5)
    assert "↓ in" in row_of(page, 4) and 'badge-received">received<' in row_of(page, 4)
    assert "The phone had no mobile service" in row_of(page, 5)


def test_long_content_is_cut_with_the_whole_text_on_hover(signed_in, upstream):
    text = "word " * 100
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, content=text)])

    row = row_of(signed_in.get("/messages/").content.decode(), 5)

    preview = re.search(r'<div class="preview" title="([^"]*)">([^<]*)</div>', row)
    assert preview.group(1) == text
    assert len(preview.group(2)) == rows.PREVIEW_CHARS
    assert preview.group(2).endswith("…")


def test_a_scheduled_send_shows_when_it_is_due_and_offers_cancel(signed_in, upstream):
    due = timezone.now() + timedelta(days=2, minutes=30)
    fake.directory(upstream)
    fake.messages(
        upstream,
        [message_json(5, status="pending", scheduled_datetime=f"{due:%Y-%m-%d %H:%M:%S}")],
    )

    row = row_of(signed_in.get("/messages/").content.decode(), 5)

    assert 'badge-scheduled">scheduled<' in row
    assert "in 2 d" in row
    assert ">Cancel</a>" in row


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("RESULT_ERROR_GENERIC_FAILURE", "generic radio failure: no signal or airplane mode?"),
        ("RESULT_ERROR_NULL_PDU", "could not encode"),
        ("RESULT_ERROR_LIMIT_EXCEEDED", "too many messages"),
        ("SIM not ready", "The SIM was not ready"),
        ("RESULT_SOMETHING_NEW", "The phone could not send it"),
        ("Phone switched off", "Phone switched off"),
    ],
)
def test_phone_errors_read_as_words_and_keep_the_code(raw, words):
    explained = explain(raw)

    assert words in explained.words
    assert explained.code == raw
    assert explained.code_is_news == (raw != words)


def test_no_error_text_explains_nothing():
    assert explain(None) is None
    assert explain("  ") is None


def test_a_slow_upstream_gives_up_sooner_on_a_page_and_says_so(signed_in, upstream, settings):
    settings.SOCIOSTACKS_PAGE_READ_TIMEOUT = 2.5
    seen = []

    def slow(request):
        seen.append(request.req_kwargs["timeout"])
        raise requests.ReadTimeout("read timed out")

    fake.directory(upstream)
    upstream.add_callback("GET", f"{fake.UPSTREAM}/sms/", callback=slow)

    response = signed_in.get("/messages/")

    assert response.status_code == 200
    assert seen and all(timeout[1] == 2.5 for timeout in seen)
    assert 'role="alert"' in response.content.decode()


def test_every_time_on_a_page_names_its_zone(signed_in, upstream):
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    fake.directory(upstream)
    fake.one_message(upstream, 5, datetime=f"{moment:%Y-%m-%d %H:%M:%S}")

    page = signed_in.get("/messages/5/").content.decode()

    assert ">2026-07-01 14:00 CEST</time>" in page
