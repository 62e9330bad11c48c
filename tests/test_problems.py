"""What a person reads when Sociostacks fails: what happened, the request id, the address."""

import pytest
import requests

from tests.conftest import UPSTREAM, give_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch):
    monkeypatch.setattr("smsadmin.sociostacks.client._pause_before_retry", lambda: None)


def _list_page(client, user, upstream, **answer):
    give_key(user)
    client.force_login(user)
    upstream.get(f"{UPSTREAM}/sms/", **answer)
    return client.get("/messages/")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_an_error_answer_is_not_called_unreachable(client, viewer, upstream, status):
    response = _list_page(client, viewer, upstream, status=status, body="<html>oops</html>")
    page = response.content.decode()
    assert f"Sociostacks answered with an error (HTTP {status})." in page
    assert "could not be reached" not in page


def test_a_time_out_says_how_long_it_waited(client, viewer, upstream, settings):
    # A page read waits less than other reads: a person is looking at the page.
    settings.SOCIOSTACKS_PAGE_READ_TIMEOUT = 8.0
    response = _list_page(client, viewer, upstream, body=requests.ReadTimeout("slow"))
    page = response.content.decode()
    assert "Sociostacks did not answer within 8 seconds." in page
    assert "could not be reached" not in page


def test_no_connection_is_unreachable(client, viewer, upstream):
    response = _list_page(client, viewer, upstream, body=requests.ConnectionError("refused"))
    assert "Sociostacks could not be reached." in response.content.decode()


def test_each_problem_shows_the_request_id_of_the_logs(client, viewer, upstream, caplog):
    caplog.set_level("INFO", logger="smsadmin.sociostacks")
    response = _list_page(client, viewer, upstream, status=503, body="")
    request_id = response["X-Request-ID"]
    assert f"Request id <code>{request_id}</code> (in the logs)" in response.content.decode()
    upstream_lines = [r for r in caplog.records if r.name == "smsadmin.sociostacks"]
    assert upstream_lines and all(r.request_id == request_id for r in upstream_lines)


def test_an_admin_sees_the_address_that_was_tried(client, admin_user, upstream):
    response = _list_page(client, admin_user, upstream, body=requests.ConnectionError("refused"))
    assert f"Address tried: <code>{UPSTREAM}/sms/</code>" in response.content.decode()


def test_others_do_not_see_the_address(client, viewer, upstream):
    response = _list_page(client, viewer, upstream, body=requests.ConnectionError("refused"))
    page = response.content.decode()
    assert "Address tried" not in page and "sociostacks.test" not in page


def test_a_key_check_names_the_error_answer(client, viewer, upstream):
    client.force_login(viewer)
    upstream.get(f"{UPSTREAM}/user", status=502, body="<html>Bad gateway</html>")
    page = client.post("/keys/add/", {"label": "Ops", "api_key": "sk-new-key-1234"}).content
    assert (
        "Sociostacks answered with an error (HTTP 502), so the key could not be checked. "
        "The key was not saved." in page.decode()
    )


def test_a_failed_send_shows_the_id_of_the_request_that_sent_it(client, sender, upstream):
    from tests.sms.compose import support as fake

    give_key(sender)
    client.force_login(sender)
    fake.devices(upstream)
    fake.account(upstream)
    upstream.post(f"{UPSTREAM}/sms", body=requests.ConnectionError("refused"))
    response, _token = fake.confirm_and_send(client)
    sent_by = response["X-Request-ID"]
    page = client.get(response["Location"])
    assert "Sociostacks could not be reached" in page.content.decode()
    assert f"Request id <code>{sent_by}</code>" in page.content.decode()
    assert page["X-Request-ID"] != sent_by
