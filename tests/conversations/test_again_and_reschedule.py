"""Send again and reschedule: a new message made through compose, linked to the
old one; a reschedule cancels the old one only once the new one exists."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from smsadmin.audit.models import AuditEvent
from smsadmin.conversations.models import MessageLink
from smsadmin.sms.models import SendRequest
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY, give_key, make_user
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client, on_sandbox):
    user = make_user("maria", "sender", time_zone="Europe/Berlin")
    give_key(user)
    client.force_login(user)
    return user


@pytest.fixture
def upstream_client(on_sandbox) -> SociostacksClient:
    return SociostacksClient(RAW_KEY, base_url=on_sandbox.url)


def first(upstream_client, wanted) -> object:
    for message in upstream_client.list_messages(page=1, results_per_page=250).items:
        if wanted(message):
            return message
    raise AssertionError("the sandbox seed has no such message")


def compose_form(client, **query) -> tuple[str, dict[str, str]]:
    page = client.get(reverse("sms:compose"), query).content.decode()

    def value(name: str) -> str:
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        return found.group(1) if found else ""

    content = re.search(r'<textarea[^>]*name="content"[^>]*>([^<]*)</textarea>', page)
    recipients = re.search(r'<textarea[^>]*name="recipients"[^>]*>([^<]*)</textarea>', page)
    return page, {
        "token": value("token"),
        "content": content.group(1).strip() if content else "",
        "recipients": recipients.group(1).strip() if recipients else "",
    }


def test_send_again_fills_compose_and_links_both_messages(
    client, person, on_sandbox, upstream_client
):
    failed = first(upstream_client, lambda m: m.is_outgoing and m.status == "failed")
    page, filled = compose_form(client, again=failed.sms_id)
    assert f"Sending message {failed.sms_id} again" in page
    assert filled["recipients"].startswith("+")
    device = failed.device_id
    response, token = fake.confirm_and_send(
        client,
        token=filled["token"],
        content=failed.content,
        recipients=filled["recipients"],
        device=str(device),
        sim=f"{device}:{failed.sim_subscription_id}",
    )
    client.get(response["Location"])
    (new_id,) = SendRequest.objects.get(token=token).sms_ids
    assert MessageLink.objects.filter(old_sms_id=failed.sms_id, new_sms_id=new_id).exists()
    old_page = client.get(reverse("sms:detail", args=[failed.sms_id])).content.decode()
    assert "Sent again as message" in old_page and f"/messages/{new_id}/" in old_page
    new_page = client.get(reverse("sms:detail", args=[new_id])).content.decode()
    assert "Sends again message" in new_page and "Sent by" in new_page


def schedule_one(client, upstream_client, when: datetime) -> int:
    device = upstream_client.all_devices()[0]
    _, token = fake.confirm_and_send(
        client,
        when="later",
        send_date=when.strftime("%Y-%m-%d"),
        send_time=when.strftime("%H:%M"),
        device=str(device.id),
        sim=f"{device.id}:{device.sims[0].subscription_id}",
    )
    (sms_id,) = SendRequest.objects.get(token=token).sms_ids
    return sms_id


def reschedule(client, old_id: int, when: datetime):
    page, filled = compose_form(client, reschedule=old_id)
    assert f"Rescheduling message {old_id}" in page
    old = next(s for s in SendRequest.objects.all() if old_id in s.sms_ids)
    return fake.confirm_and_send(
        client,
        token=filled["token"],
        content=filled["content"],
        recipients=filled["recipients"],
        device=str(old.device_id),
        sim=f"{old.device_id}:{old.sim_id}",
        when="later",
        send_date=when.strftime("%Y-%m-%d"),
        send_time=when.strftime("%H:%M"),
    )


def test_reschedule_creates_the_new_message_then_cancels_the_old(
    client, person, on_sandbox, upstream_client
):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    old_id = schedule_one(client, upstream_client, tomorrow.replace(hour=9, minute=0))
    response, token = reschedule(client, old_id, tomorrow.replace(hour=15, minute=30))
    page = client.get(response["Location"]).content.decode()
    assert "Both messages exist" not in page
    (new_id,) = SendRequest.objects.get(token=token).sms_ids
    ids = {m.sms_id for m in upstream_client.list_messages(page=1, results_per_page=250).items}
    assert new_id in ids and old_id not in ids
    event = AuditEvent.objects.get(action="rescheduled")
    assert event.outcome == "ok" and event.details["old"] == old_id
    gone = client.get(reverse("sms:detail", args=[old_id]))
    assert gone.status_code == 404
    text = gone.content.decode()
    assert "Cancelled by" in text and "maria" in text and "Rescheduled as" in text


def test_a_failing_delete_during_reschedule_says_both_exist_and_offers_a_retry(
    client, person, on_sandbox, upstream_client
):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    old_id = schedule_one(client, upstream_client, tomorrow.replace(hour=9, minute=0))
    response, _ = reschedule(client, old_id, tomorrow.replace(hour=16, minute=0))
    on_sandbox.control(fail_next={"count": 3, "mode": "503"})
    page = client.get(response["Location"]).content.decode()
    assert "Both messages exist now" in page
    assert f'action="/messages/{old_id}/delete/"' in page
    assert AuditEvent.objects.get(action="rescheduled").outcome == "upstream_error"
    ids = {m.sms_id for m in upstream_client.list_messages(page=1, results_per_page=250).items}
    assert old_id in ids
    retry = client.post(reverse("sms:delete", args=[old_id]), {"verb": "Cancel"})
    assert retry.status_code == 302
    ids = {m.sms_id for m in upstream_client.list_messages(page=1, results_per_page=250).items}
    assert old_id not in ids


def test_a_reloaded_result_page_does_not_cancel_twice(client, person, on_sandbox, upstream_client):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    old_id = schedule_one(client, upstream_client, tomorrow.replace(hour=9, minute=0))
    response, _ = reschedule(client, old_id, tomorrow.replace(hour=17, minute=0))
    client.get(response["Location"])
    on_sandbox.control(reset_stats=True)
    client.get(response["Location"])
    assert on_sandbox.stats()["by_route"].get("DELETE /sms/{id}", 0) == 0
    assert AuditEvent.objects.filter(action="rescheduled").count() == 1


def test_sent_by_names_the_operator_of_a_shared_login(client, on_sandbox, upstream_client):
    from smsadmin.accounts.operators import OPERATOR_SESSION_KEY

    desk = make_user("frontdesk", "sender", is_shared=True, operators_may_type_a_name=True)
    give_key(desk)
    client.force_login(desk)
    session = client.session
    session[OPERATOR_SESSION_KEY] = "Maria K."
    session.save()
    device = upstream_client.all_devices()[0]
    _, token = fake.confirm_and_send(
        client, device=str(device.id), sim=f"{device.id}:{device.sims[0].subscription_id}"
    )
    (sms_id,) = SendRequest.objects.get(token=token).sms_ids
    page = client.get(reverse("sms:detail", args=[sms_id])).content.decode()
    assert "Sent by <strong>Maria K. (frontdesk)</strong>" in page


def test_viewers_see_who_sent_it_without_audit_links(client, on_sandbox, upstream_client, person):
    device = upstream_client.all_devices()[0]
    _, token = fake.confirm_and_send(
        client, device=str(device.id), sim=f"{device.id}:{device.sims[0].subscription_id}"
    )
    (sms_id,) = SendRequest.objects.get(token=token).sms_ids
    viewer = make_user("vic", "viewer")
    give_key(viewer, label="Viewer key")
    client.force_login(viewer)
    page = client.get(reverse("sms:detail", args=[sms_id])).content.decode()
    assert "Sent by <strong>maria</strong>" in page
    assert "audit event #" not in page
