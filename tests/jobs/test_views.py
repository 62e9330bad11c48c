"""The Jobs pages: who sees what, the progress poll, cancel, and "Delete all N" from a search."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.jobs.models import Job, JobItem
from tests.conftest import give_key, make_user
from tests.jobs.conftest import delete_job
from tests.mirror.conftest import link, many, mirrored, state_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(owner, key):
    return delete_job(owner, key, [11, 12, 13])


@pytest.fixture
def as_owner(client, owner):
    client.force_login(owner)
    return client


def test_the_owner_sees_their_job_listed_and_its_page(as_owner, job):
    listed = as_owner.get("/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in listed and "Delete 3 messages" in listed
    page = as_owner.get(f"/jobs/{job.pk}/").content.decode()
    assert "0 of 3 done" in page
    assert AuditEvent.objects.filter(action="jobs viewed").count() == 1
    assert AuditEvent.objects.filter(action="job viewed", target=f"job:{job.pk}").count() == 1


def test_another_person_neither_sees_nor_opens_it(client, job):
    other = make_user("otto", "sender")
    client.force_login(other)
    assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert not job.cancel_requested


def test_an_admin_sees_everyones_jobs_with_their_owner(client, job):
    client.force_login(make_user("alice", "admin"))
    listed = client.get("/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in listed and "olga · Maria K." in listed


def test_an_active_job_polls_its_progress_and_the_poll_is_a_fragment(as_owner, job):
    page = as_owner.get(f"/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/jobs/{job.pk}/" hx-trigger="every 2s"' in page
    JobItem.objects.filter(job=job, position=0).update(state=JobItem.State.DONE)
    poll = as_owner.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    fragment = poll.content.decode()
    assert fragment.startswith('\n<section id="job-progress"') or "<html" not in fragment
    assert "1 of 3 done" in fragment
    assert AuditEvent.objects.filter(action="job viewed").count() == 1  # the page, not the poll


def test_a_finished_job_stops_polling(as_owner, job):
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, finished_at=timezone.now())
    fragment = as_owner.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "Done" in fragment


def test_the_poll_of_a_missing_job_answers_404_never_a_redirect(as_owner):
    poll = as_owner.get("/jobs/99999/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 404


def test_the_owner_cancels_and_the_page_says_so(as_owner, job):
    response = as_owner.post(f"/jobs/{job.pk}/cancel/", follow=True)
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    assert "Cancelled" in response.content.decode()
    assert AuditEvent.objects.filter(action="job cancelled").count() == 1
    again = as_owner.post(f"/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "already cancelled" in again
    assert AuditEvent.objects.filter(action="job cancelled", outcome=Outcome.INVALID).count() == 1


def test_a_viewer_may_look_but_not_cancel(client, owner, job):
    owner.groups.set(Group.objects.filter(name="viewer"))
    client.force_login(owner)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 403


def test_items_to_check_are_listed_on_the_page(as_owner, job):
    JobItem.objects.filter(job=job, position=1).update(
        state=JobItem.State.FAILED, outcome="Sociostacks said no."
    )
    page = as_owner.get(f"/jobs/{job.pk}/").content.decode()
    assert "To check" in page and "Message 12" in page and "Sociostacks said no." in page


# --- "Delete all N" from a search ---------------------------------------------


@pytest.fixture
def searching(as_owner, key):
    link(key, 1)
    state_for(1)
    return as_owner


def test_the_search_offers_delete_all_with_the_exact_count(searching):
    many(37, status="failed")
    many(5, status="sent")
    page = searching.get("/search/?status=failed").content.decode()
    assert 'href="/jobs/delete-matches/?status=failed"' in page
    assert "Delete all 37…" in page


def test_the_confirmation_states_count_calls_and_duration_then_starts_the_job(searching):
    failed = many(37, status="failed")
    scheduled = mirrored(
        status="pending", scheduled_at=timezone.now() + timedelta(days=1), content="Later"
    )
    many(5, status="sent", content="OK")
    confirm = searching.get("/jobs/delete-matches/?q=e").content.decode()
    assert "Delete all 38 matching messages?" in confirm
    assert "37 deleted and 1 scheduled one cancelled" in confirm
    assert "38 deletes ≈ 85 s at this key's budget" in confirm
    assert "38 upstream calls" in confirm
    shown = AuditEvent.objects.get(action="search", details__for="delete all matches")
    assert shown.details["matched"] == 38

    fingerprint = confirm.split('name="fingerprint" value="')[1].split('"')[0]
    response = searching.post("/jobs/delete-matches/", {"q": "e", "fingerprint": fingerprint})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.total == 38 and job.title == "Delete 37 and cancel 1 messages matching a search"
    cancels = set(job.items.filter(cancelling=True).values_list("sms_id", flat=True))
    assert cancels == {scheduled.sms_id}
    assert {item.sms_id for item in failed} <= set(job.items.values_list("sms_id", flat=True))


def test_a_search_that_changed_since_it_was_shown_starts_nothing(searching):
    many(3, status="failed")
    confirm = searching.get("/jobs/delete-matches/?status=failed").content.decode()
    fingerprint = confirm.split('name="fingerprint" value="')[1].split('"')[0]
    many(1, status="failed")  # the sync brought one more
    again = searching.post(
        "/jobs/delete-matches/", {"status": "failed", "fingerprint": fingerprint}
    ).content.decode()
    assert Job.objects.count() == 0
    assert "changed since the page was shown" in again and "Delete all 4" in again


def test_invalid_filters_go_back_to_the_search_on_record(searching):
    response = searching.get("/jobs/delete-matches/?date_from=yesterday")
    assert response.status_code == 302 and response["Location"].startswith("/search/")
    refused = AuditEvent.objects.get(action="job confirmed")
    assert refused.outcome == Outcome.INVALID


def test_a_viewer_is_not_offered_delete_all_and_is_refused_it(client, viewer):
    key = give_key(viewer)
    link(key, 1)
    state_for(1)
    many(2, status="failed")
    client.force_login(viewer)
    assert "Delete all" not in client.get("/search/?status=failed").content.decode()
    assert client.get("/jobs/delete-matches/?status=failed").status_code == 403
