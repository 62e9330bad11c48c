import pytest

from smsadmin.audit.models import AuditEvent
from tests.conftest import UPSTREAM, give_key
from tests.sms import upstream_fakes as fake

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def test_get_asks_for_confirmation_naming_the_message(signed_in, upstream):
    fake.directory(upstream)
    fake.one_message(upstream, 12, content="Your code is 4411")
    page = signed_in.get("/messages/12/delete/").content.decode()
    assert "Delete message 12?" in page
    assert "Your code is 4411" in page and "+447700900123" in page
    assert upstream.assert_call_count(f"{UPSTREAM}/sms/12", 1)


def test_post_deletes_and_returns_to_the_list(signed_in, upstream):
    deleted = upstream.delete(f"{UPSTREAM}/sms/12", body="", status=200)
    response = signed_in.post("/messages/12/delete/", {"back": "/messages/?page=2&size=10"})
    assert deleted.call_count == 1
    assert response.status_code == 302
    assert response["Location"] == "/messages/?page=2&size=10"


def test_it_refuses_a_back_link_to_another_site(signed_in, upstream):
    upstream.delete(f"{UPSTREAM}/sms/12", body="", status=200)
    response = signed_in.post("/messages/12/delete/", {"back": "https://evil.example/"})
    assert response["Location"] == "/messages/"


def test_htmx_delete_removes_the_row_in_place(signed_in, upstream):
    upstream.delete(f"{UPSTREAM}/sms/12", body="", status=200)
    response = signed_in.post("/messages/12/delete/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_htmx_delete_that_fails_keeps_the_row_with_the_reason(signed_in, upstream):
    fake.error(upstream, "DELETE", "/sms/12", 503, "Service Unavailable")
    response = signed_in.post("/messages/12/delete/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="sms-12"' in body and "could not be reached" in body


def test_delete_is_never_retried(signed_in, upstream):
    failing = fake.error(upstream, "DELETE", "/sms/12", 503, "Service Unavailable")
    signed_in.post("/messages/12/delete/")
    assert failing.call_count == 1


def test_delete_needs_csrf(sender, upstream):
    from django.test import Client

    give_key(sender)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sender)
    response = strict.post("/messages/12/delete/")
    assert response.status_code == 403
    assert len(upstream.calls) == 0


def test_delete_is_audited_as_attempt_and_outcome(signed_in, upstream):
    fake.error(upstream, "DELETE", "/sms/12", 500, "Server Error")
    signed_in.post("/messages/12/delete/")
    attempt, outcome = AuditEvent.objects.filter(action="delete").order_by("seq")
    assert attempt.outcome == "started" and attempt.target == "sms:12"
    assert outcome.parent_id == attempt.pk
    assert outcome.outcome == "upstream_error" and outcome.upstream_status == 500


def test_cancel_is_audited_as_cancel(signed_in, upstream):
    upstream.delete(f"{UPSTREAM}/sms/12", body="", status=200)
    signed_in.post("/messages/12/delete/", {"verb": "Cancel"})
    assert AuditEvent.objects.filter(action="cancel", outcome="ok").count() == 1


def test_a_viewer_may_not_delete(client, viewer, upstream):
    give_key(viewer)
    client.force_login(viewer)
    response = client.post("/messages/12/delete/")
    assert response.status_code == 403
    assert len(upstream.calls) == 0
    assert AuditEvent.objects.filter(action="permission denied").count() == 1


def test_bulk_delete_confirms_then_reports_each_message(signed_in, upstream):
    upstream.delete(f"{UPSTREAM}/sms/1", body="", status=200)
    fake.error(
        upstream, "DELETE", "/sms/2", 404, "The resource you are looking for does not exist."
    )
    fake.error(upstream, "DELETE", "/sms/3", 503, "Service Unavailable")
    confirm = signed_in.post("/messages/delete/", {"ids": ["1", "2", "3"]})
    assert "Delete or cancel 3 messages?" in confirm.content.decode()
    assert len(upstream.calls) == 0
    result = signed_in.post("/messages/delete/", {"ids": ["1", "2", "3"], "confirmed": "yes"})
    rows = result.content.decode()
    assert "deleted" in rows and "already gone" in rows and "failed" in rows
    assert len(upstream.calls) == 3
