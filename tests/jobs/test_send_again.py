"""Send again every failed message a search matches, as one job, each linked to its failure."""

import pytest

from smsadmin.audit.recorder import Who
from smsadmin.conversations.models import MessageLink
from smsadmin.jobs import again, running
from smsadmin.jobs.models import Job
from smsadmin.mirror.models import MirroredMessage
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY
from tests.jobs.conftest import calls
from tests.mirror.conftest import link, mirrored, state_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def searching(client, owner, key):
    link(key, 1)
    state_for(1)
    client.force_login(owner)
    return client


def test_failed_messages_are_grouped_by_text_and_sim_one_number_once(searching):
    first = mirrored(status="failed", content="Reminder", phone="+447700900001")
    mirrored(status="failed", content="Reminder", phone="+447700900001")  # failed twice
    third = mirrored(status="failed", content="Reminder", phone="+447700900002")
    other = mirrored(status="failed", content="Other", phone="+447700900003")
    mirrored(status="failed", content="Hidden", phone="", phone_digits="")
    mirrored(status="sent", content="Reminder", phone="+447700900009")

    resend = again.failed_among(MirroredMessage.objects.filter(account_id=1))

    assert (resend.matched, resend.without_number, resend.count, resend.posts) == (5, 1, 3, 2)
    reminder, second = resend.groups
    assert reminder.numbers == ("+447700900001", "+447700900002")
    assert reminder.from_ids == (first.sms_id, third.sms_id)
    assert second.from_ids == (other.sms_id,)


def test_the_confirmation_names_count_calls_and_duration_then_starts_one_job(searching):
    mirrored(status="failed", content="Reminder", phone="+447700900001")
    mirrored(status="failed", content="Reminder", phone="+447700900002")
    page = searching.get("/search/?status=failed").content.decode()
    assert 'href="/jobs/send-again/?status=failed"' in page

    confirm = searching.get("/jobs/send-again/?status=failed").content.decode()
    assert "Send 2 failed messages again?" in confirm
    assert "2 messages in 1 upstream call ≈ 1 s at this key's budget" in confirm
    fingerprint = confirm.split('name="fingerprint" value="')[1].split('"')[0]
    response = searching.post("/jobs/send-again/", {"status": "failed", "fingerprint": fingerprint})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    (item,) = job.items.all()
    assert item.payload["numbers"] == ["+447700900001", "+447700900002"]


def test_each_new_message_is_linked_to_the_failed_one(owner, key, on_sandbox):
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    sim = device.sims[0].subscription_id
    failed = [
        mirrored(
            status="failed", content="Hi", phone=f"+4915112345{n}", device_id=device.id, sim_id=sim
        )
        for n in (67, 68)
    ]
    resend = again.failed_among(MirroredMessage.objects.filter(account_id=1))
    job = again.start_again(
        owner=owner, api_key=key, resend=resend, who=Who(actor=owner), filters={}
    )
    on_sandbox.control(reset_stats=True)
    running.run_slice(job.pk, sleep=lambda seconds: None)

    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert calls(on_sandbox, "POST /sms") == 1
    (item,) = job.items.all()
    links = dict(MessageLink.objects.values_list("old_sms_id", "new_sms_id"))
    assert links == dict(zip([m.sms_id for m in failed], item.created_ids, strict=True))
