import pytest

from smsadmin.audit.models import AuditEvent
from tests.conftest import RAW_KEY, UPSTREAM, give_key
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
    assert 'id="sms-12"' in body and "answered with an error (HTTP 503)" in body


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


# --- The team's budget (issue 22) ------------------------------------------------


def test_bulk_delete_stops_at_the_first_429_and_lists_what_it_did_not_try(signed_in, upstream):
    upstream.delete(f"{UPSTREAM}/sms/1", body="", status=200)
    upstream.delete(
        f"{UPSTREAM}/sms/2",
        json={
            "errors": [{"title": "You reached the limit of requests in one minute, please wait."}]
        },
        status=429,
        headers={"X-RateLimit-Limit": "60", "X-RateLimit-Reset": "40"},
    )
    ids = [str(n) for n in range(1, 11)]
    page = signed_in.post("/messages/delete/", {"ids": ids, "confirmed": "yes"}).content.decode()
    assert len(upstream.calls) == 2
    assert "8 of 10 messages were not tried" in page
    assert page.count("not tried</span>") == 8
    assert "Select it again in 40 seconds." in page
    assert AuditEvent.objects.filter(action="delete", target="sms:3").count() == 0


def test_bulk_delete_larger_than_the_budget_left_becomes_a_job_without_a_call_in_the_request(
    signed_in, upstream
):
    from smsadmin.jobs.models import Job
    from smsadmin.sociostacks import budget

    fingerprint = budget.key_fingerprint(RAW_KEY)
    budget.record_response(
        fingerprint, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "5"}, status=200
    )
    ids = [str(n) for n in range(1, 7)]
    confirm = signed_in.post("/messages/delete/", {"ids": ids}).content.decode()
    assert "budget has only 5 left this minute, so they are deleted as a job" in confirm
    # The minute's last calls are kept for people: the job starts after the reset.
    assert "6 deletes ≈ 66 s at this key's budget" in confirm
    assert "Delete 6 messages as a job" in confirm
    response = signed_in.post("/messages/delete/", {"ids": ids, "confirmed": "yes"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert len(upstream.calls) == 0
    assert list(job.items.values_list("sms_id", flat=True)) == [1, 2, 3, 4, 5, 6]
    confirmed = AuditEvent.objects.get(action="job confirmed")
    assert confirmed.details["items"] == 6 and confirmed.details["allowed_now"] == 5


def test_bulk_delete_within_the_budget_left_goes_ahead(signed_in, upstream):
    from smsadmin.sociostacks import budget

    fingerprint = budget.key_fingerprint(RAW_KEY)
    budget.record_response(
        fingerprint, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "2"}, status=200
    )
    for n in (1, 2):
        upstream.delete(f"{UPSTREAM}/sms/{n}", body="", status=200)
    page = signed_in.post("/messages/delete/", {"ids": ["1", "2"], "confirmed": "yes"})
    assert page.content.decode().count("badge-sent") == 2
    assert len(upstream.calls) == 2


def test_in_request_refusal_counts_this_minutes_own_calls_when_upstream_said_nothing(db):
    from smsadmin.sms.deleting import in_request_refusal
    from smsadmin.sociostacks import budget
    from smsadmin.sociostacks.client import SociostacksClient

    client = SociostacksClient(RAW_KEY)
    assert in_request_refusal(client, 60) is None
    for _ in range(50):
        budget.count_call(client.fingerprint)
    refusal = in_request_refusal(client, 11)
    assert (refusal.asked, refusal.allowed) == (11, 10)
    budget.record_rate_limited(client.fingerprint, 30)
    assert in_request_refusal(client, 1).allowed == 0
