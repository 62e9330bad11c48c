"""Upstream fakes and shortcuts shared by the compose and sending tests."""

import itertools
import json
import re
import threading
import uuid
from typing import Any

import requests
import responses
from django.test import Client

from smsadmin.sms.models import SendRequest
from tests.conftest import UPSTREAM
from tests.sociostacks.payloads import multipart_fields, page_json

PIXEL = {
    "id": 1,
    "name": "Ops Pixel 8",
    "sims": [
        {
            "subscription_id": 1,
            "phone_number": "+4915112345678",
            "carrier_name": "Telekom",
            "display_name": "Work",
            "slot_index": 0,
        },
        {
            "subscription_id": 2,
            "phone_number": "+4915298765432",
            "carrier_name": "Vodafone",
            "display_name": "Private",
            "slot_index": 1,
        },
    ],
}
# Both phones have a SIM with subscription id 1: a SIM is only unique per device.
GALAXY = {
    "id": 2,
    "name": "Backup Galaxy",
    "sims": [
        {
            "subscription_id": 1,
            "phone_number": "+4917611112222",
            "carrier_name": "o2 - de",
            "display_name": "Backup",
            "slot_index": 0,
        }
    ],
}
ACCOUNT_ZONE = "America/New_York"
UK_MOBILE = "+447400123456"
DE_MOBILE = "+491701234567"
DE_LANDLINE = "+493012345678"


def devices(mock: responses.RequestsMock, *rows: dict[str, Any]) -> None:
    """The phones, and the contact list a review reads for opt-outs (no one opted out)."""
    mock.get(f"{UPSTREAM}/devices/", json=page_json(list(rows or (PIXEL, GALAXY))))
    mock.get(f"{UPSTREAM}/contacts/", json=page_json([]))


def opted_out_contact(mock: responses.RequestsMock, number: str) -> None:
    contact = {"id": 41, "phone_number": number, "name": "Gone Away", "has_opted_out": True}
    mock.replace(responses.GET, f"{UPSTREAM}/contacts/", json=page_json([contact]))


def account(mock: responses.RequestsMock, zone: str = ACCOUNT_ZONE) -> None:
    body = {"data": {"id": 1, "name": "Ops", "email": "ops@example.test", "timezone": zone}}
    mock.get(f"{UPSTREAM}/user", json=body)


class SendCounter:
    """Answers POST /sms like upstream (one new id per number) and remembers each call."""

    def __init__(self, first_id: int = 1000, delay: float = 0.0) -> None:
        self._ids = itertools.count(first_id)
        self._lock = threading.Lock()
        self.delay = delay
        self.posts: list[dict[str, str]] = []

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict, str]:
        if self.delay:
            threading.Event().wait(self.delay)
        fields = multipart_fields(request)
        numbers = fields["phone_numbers"].split("\n")
        with self._lock:
            self.posts.append(fields)
            ids = [next(self._ids) for _ in numbers]
        return 201, {}, json.dumps({"data": {"sms_ids": ids}})


def accept_sends(mock: responses.RequestsMock, **options: Any) -> SendCounter:
    counter = SendCounter(**options)
    mock.add_callback(responses.POST, f"{UPSTREAM}/sms", callback=counter)
    return counter


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "token": str(uuid.uuid4()),
        "content": "The office is closed on Friday.",
        "recipients": UK_MOBILE,
        "device": "1",
        "sim": "1:1",
        "when": "now",
        "send_date": "",
        "send_time": "",
    }
    return data | overrides


def review(client: Client, **overrides: Any):
    """Submit the compose form; a valid one answers with a redirect to its confirmation."""
    return client.post("/compose/", form_data(**overrides))


def token_of(response) -> str:
    """The send token in a redirect to a confirmation or result page."""
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def shown_fingerprint(client: Client, token: str) -> str:
    """Open the confirmation page; its Send button carries the draft it showed."""
    page = client.get(f"/compose/confirm/{token}").content.decode()
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page)
    assert found, page[:2000]
    return found.group(1)


def send(client: Client, token: str, fingerprint: str | None = None):
    """Press Send on the confirmation of ``token`` (again, for a repeat)."""
    if fingerprint is None:
        fingerprint = SendRequest.objects.get(token=token).fingerprint
    return client.post(f"/compose/send/{token}", {"fingerprint": fingerprint})


def confirm_and_send(client: Client, **overrides: Any):
    reviewed = review(client, **overrides)
    assert reviewed.status_code == 302, reviewed.content.decode()[:2000]
    token = token_of(reviewed)
    return send(client, token, shown_fingerprint(client, token)), token


def numbers(count: int, start: int = 0) -> list[str]:
    """Distinct valid German mobile numbers."""
    return [f"+49170{index:07d}" for index in range(start, start + count)]


def page_of(response) -> str:
    return response.content.decode()


def result_page(client: Client, response) -> str:
    """The page a redirect leads to (a send that went through redirects to its result)."""
    assert response.status_code == 302, page_of(response)[:2000]
    return page_of(client.get(response["Location"]))


def run_send_job(token):
    """A send of more than one batch runs as a job: the worker's slices, here in turn."""
    from smsadmin.jobs import running
    from smsadmin.jobs.models import Job

    job = Job.objects.get(send_request__token=token)
    for _slice in range(5):
        running.run_slice(job.pk, sleep=lambda seconds: None)
        job.refresh_from_db()
        if not job.is_active:
            break
    return job
