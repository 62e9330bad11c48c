"""A cold message page asks upstream for the page, contacts and devices at the same time.

Each fake answer waits until all three requests have arrived: read one after
the other, the first would wait in vain and the page would show a problem.
"""

import json
import threading

import pytest

from smsadmin.audit.models import AuditEvent
from tests.conftest import UPSTREAM, give_key
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import error_json, message_json, page_json

pytestmark = pytest.mark.django_db

WAIT_SECONDS = 5


@pytest.fixture
def signed_in(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    return client


def answered_together(upstream, answers: dict[str, tuple[int, object]]) -> threading.Barrier:
    barrier = threading.Barrier(len(answers), timeout=WAIT_SECONDS)
    waited: set[str] = set()

    def answer(status: int, body: object):
        def callback(request):
            path = request.url.split("?")[0]
            if path not in waited:  # a retry of a failed read does not wait again
                waited.add(path)
                barrier.wait()  # raises BrokenBarrierError if the others never come
            return status, {"Content-Type": "application/json"}, json.dumps(body)

        return callback

    for path, (status, body) in answers.items():
        upstream.add_callback("GET", f"{UPSTREAM}{path}", callback=answer(status, body))
    upstream.get(f"{UPSTREAM}/user", json={"data": {"id": 1, "timezone": "Europe/Berlin"}})
    return barrier


def test_the_page_and_its_directory_are_read_at_once(signed_in, upstream):
    barrier = answered_together(
        upstream,
        {
            "/sms/": (200, page_json([message_json(5)])),
            "/contacts/": (200, page_json([fake.CONTACT])),
            "/devices/": (200, page_json([fake.DEVICE])),
        },
    )
    page = signed_in.get("/messages/?size=25").content.decode()
    assert not barrier.broken
    assert "Ada Lovelace" in page and "Ops Pixel 8" in page
    assert fake.calls_to(upstream, "/sms/") == 1
    assert fake.calls_to(upstream, "/contacts/") == 1
    assert fake.calls_to(upstream, "/devices/") == 1


def test_a_page_upstream_refuses_still_says_why(signed_in, upstream):
    answered_together(
        upstream,
        {
            "/sms/": (503, error_json("Service Unavailable", 503)),
            "/contacts/": (200, page_json([fake.CONTACT])),
            "/devices/": (200, page_json([fake.DEVICE])),
        },
    )
    response = signed_in.get("/messages/?size=25")
    assert response.status_code == 200
    assert "Sociostacks" in response.content.decode()
    assert AuditEvent.objects.filter(action="list").exists()


def test_a_directory_just_read_ahead_is_not_read_again_for_a_missing_contact(signed_in, upstream):
    fake.directory(upstream, contacts=[{**fake.CONTACT, "id": 99, "name": "Someone Else"}])
    fake.messages(upstream, [message_json(5)])
    upstream.get(f"{UPSTREAM}/contacts/", json=page_json([fake.CONTACT]))
    page = signed_in.get("/messages/?size=25").content.decode()
    # As when read one after the other: the list read for this very page is
    # fresh enough; the contact is looked for again once it is 15 s old.
    assert "Ada Lovelace" not in page
    assert fake.calls_to(upstream, "/contacts/") == 1
