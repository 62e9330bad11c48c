import pytest
from responses import matchers

from smsadmin.audit.models import AuditEvent
from tests.conftest import UPSTREAM, give_key
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import message_json, page_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    return client


def test_it_shows_number_name_device_and_status(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(5, status="failed", error="No service")])
    page = signed_in.get("/messages/").content.decode()
    assert "+447700900123" in page
    assert "Ada Lovelace" in page
    assert "Ops Pixel 8" in page
    assert "SIM 1 · Telekom · +4915112345678" in page
    assert "failed" in page and "No service" in page


def test_it_puts_page_and_size_in_the_upstream_call(signed_in, upstream):
    fake.directory(upstream)
    upstream.get(
        f"{UPSTREAM}/sms/",
        json=page_json([message_json(1)], page="3", total_pages=4, total_results=400),
        match=[matchers.query_param_matcher({"page": "3", "results_per_page": "100"})],
    )
    page = signed_in.get("/messages/?page=3&size=100").content.decode()
    assert "Page 3 of 4, 400 messages" in page
    assert 'href="?page=4&amp;size=100"' in page


def test_it_falls_back_to_the_persons_page_size_for_a_size_upstream_would_ignore(
    signed_in, upstream, viewer
):
    fake.directory(upstream)
    upstream.get(
        f"{UPSTREAM}/sms/",
        json=page_json([]),
        match=[matchers.query_param_matcher({"page": "1", "results_per_page": "25"})],
    )
    assert signed_in.get("/messages/?size=33").status_code == 200


def test_an_htmx_request_gets_only_the_table(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1)])
    response = signed_in.get("/messages/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="message-table"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_normal_request_gets_the_whole_page(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1)])
    body = signed_in.get("/messages/").content.decode()
    assert "<html" in body and 'id="message-table"' in body


def test_it_makes_no_upstream_call_per_row(signed_in, upstream):
    rows = [message_json(i, contact_id=7) for i in range(1, 101)]
    fake.directory(upstream)
    fake.messages(upstream, rows, results_per_page=100)
    signed_in.get("/messages/?size=100")
    # The page, the account, the contact list, the device list.
    assert len(upstream.calls) == 4


def test_a_second_view_within_the_freshness_window_makes_no_upstream_call(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1)])
    signed_in.get("/messages/")
    before = len(upstream.calls)
    signed_in.get("/messages/")
    assert len(upstream.calls) == before


def test_a_429_serves_the_cached_page_with_a_note(signed_in, upstream, settings):
    settings.SOCIOSTACKS_LIST_FRESH_SECONDS = 0
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1, content="cached hello")])
    signed_in.get("/messages/")
    upstream.replace(
        "GET",
        f"{UPSTREAM}/sms/",
        json={
            "errors": [
                {
                    "title": "You reached the limit of requests in one minute, please wait.",
                    "status": 429,
                }
            ]
        },
        status=429,
        headers={"X-RateLimit-Reset": "42"},
    )
    page = signed_in.get("/messages/").content.decode()
    assert "cached hello" in page
    assert "as of" in page and "Sociostacks asked us to wait" in page and "about 42 s" in page


def test_a_429_with_nothing_cached_explains_when_to_come_back(signed_in, upstream):
    fake.error(
        upstream,
        "GET",
        "/sms/",
        429,
        "You reached the limit of requests in one minute, please wait.",
    )
    page = signed_in.get("/messages/").content.decode()
    assert "budget" in page and "seconds" in page


@pytest.mark.parametrize(
    "content",
    ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", '<a hx-get="/admin/">x</a>'],
)
def test_message_content_is_shown_as_text(signed_in, upstream, content):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1, content=content)])
    page = signed_in.get("/messages/").content.decode()
    assert content not in page
    assert "&lt;" in page


def test_a_refused_key_sends_the_person_to_the_keys_page(signed_in, upstream):
    fake.error(upstream, "GET", "/sms/", 401, "You do not have access to the API.")
    page = signed_in.get("/messages/").content.decode()
    assert "refused the API key" in page
    assert 'href="/keys/"' in page


@pytest.mark.parametrize("status", [500, 502, 503])
def test_upstream_down_offers_a_retry_not_a_500(signed_in, upstream, status, monkeypatch):
    monkeypatch.setattr("smsadmin.sociostacks.client._pause_before_retry", lambda: None)
    fake.error(upstream, "GET", "/sms/", status, "Server Error")
    response = signed_in.get("/messages/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Sociostacks answered with an error (HTTP {status})" in page
    assert "could not be reached" not in page
    assert "Try again" in page
    # The id support looks for in the logs, and the one the answer's header carries.
    assert f"Request id <code>{response['X-Request-ID']}</code>" in page


def test_garbage_from_upstream_is_explained(signed_in, upstream):
    upstream.get(f"{UPSTREAM}/sms/", body="<html>Bad Gateway</html>", status=200)
    page = signed_in.get("/messages/").content.decode()
    assert "could not read" in page


def test_pending_rows_make_the_table_refresh_itself(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1, status="pending")])
    assert 'hx-trigger="every 10s"' in signed_in.get("/messages/").content.decode()


def test_a_table_with_nothing_pending_does_not_poll(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1, status="sent")])
    assert 'hx-trigger="every' not in signed_in.get("/messages/").content.decode()


def test_listing_is_audited_even_when_upstream_fails(signed_in, upstream, viewer):
    fake.error(upstream, "GET", "/sms/", 401, "You do not have access to the API.")
    signed_in.get("/messages/")
    event = AuditEvent.objects.filter(action="list").get()
    assert event.actor == viewer
    assert event.outcome == "upstream_error"
    assert event.error_class == "AuthenticationFailed"


def test_a_person_without_a_key_is_sent_to_the_keys_page(client, viewer):
    client.force_login(viewer)
    response = client.get("/messages/", follow=True)
    assert response.redirect_chain[-1][0] == "/keys/"
    assert "need a Sociostacks API key" in response.content.decode()


def test_a_stranger_is_refused(client, stranger):
    give_key(stranger)
    client.force_login(stranger)
    response = client.get("/messages/")
    assert response.status_code == 403
    assert "viewer" in response.content.decode()


def test_a_key_whose_answers_carry_no_limit_is_said_not_to_be_limited(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [message_json(1)])

    page = signed_in.get("/messages/").content.decode()

    assert "Sociostacks does not rate limit this key" in page
    assert "60 calls a minute" not in page


def test_a_limited_key_shows_what_is_left(signed_in, upstream):
    answers = {
        "/sms/": page_json([message_json(1)]),
        "/user": {"data": {"id": 1}},
        "/contacts/": page_json([fake.CONTACT]),
        "/devices/": page_json([fake.DEVICE]),
    }
    for remaining, (path, body) in enumerate(answers.items(), start=54):
        headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": str(remaining)}
        upstream.get(f"{UPSTREAM}{path}", json=body, headers=headers)

    page = signed_in.get("/messages/").content.decode()

    assert "upstream calls left this minute" in page
    assert "does not rate limit" not in page
