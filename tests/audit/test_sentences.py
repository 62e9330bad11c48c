"""The review page reads events as sentences, with recipients, JSON behind a toggle."""

import pytest

from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record

pytestmark = pytest.mark.django_db

SEND_DETAILS = {
    "recipients": ["+4915112345678", "+447700900123", "+33612345678"],
    "recipient_count": 3,
    "content": "Your parcel is waiting at the front desk until six tonight",
    "device": "Ops Pixel 8",
    "sim": "SIM 1",
    "device_id": 1,
    "sim_id": 2,
}


@pytest.fixture
def auditing(client, auditor):
    client.force_login(auditor)
    return client


def _send_by_an_operator(details=SEND_DETAILS, outcome=Outcome.OK):
    who = Who(actor_username="frontdesk", operator_name="Maria K.")
    attempt = record(
        "send", who=who, outcome=Outcome.STARTED, target="send:abc123", details=details
    )
    return record(
        "send", who=who, outcome=outcome, target="send:abc123", parent=attempt,
        details={"created_ids": [41, 42, 43], "created_count": 3},
    )  # fmt: skip


def test_a_send_reads_as_who_sent_what_to_how_many_from_which_phone(auditing):
    _send_by_an_operator()
    page = auditing.get("/audit/").content.decode()
    assert (
        "Maria K. (frontdesk) sent “Your parcel is waiting at the front…” to 3 numbers "
        "from Ops Pixel 8 · SIM 1." in page
    )
    assert "To +4915112345678, +447700900123, +33612345678" in page
    assert "send:abc123" not in page  # the internal id gives way to the recipients


def test_many_recipients_show_the_first_and_how_many_more(auditing):
    _send_by_an_operator({**SEND_DETAILS, "recipient_count": 250})
    page = auditing.get("/audit/").content.decode()
    assert "to 250 numbers" in page
    assert "To +4915112345678, +447700900123, +33612345678 and 247 more" in page


def test_the_details_json_is_behind_a_toggle(auditing):
    _send_by_an_operator()
    page = auditing.get("/audit/").content.decode()
    assert "<details><summary>Details</summary><pre" in page
    assert "&quot;created_count&quot;: 3" in page


def test_page_views_are_hidden_until_the_box_is_ticked(auditing, viewer):
    key = record("key added", actor=viewer, details={"label": "Ops phones", "hint": "abcd"})
    view = record("view", actor=viewer, target="sms:5")
    hidden = auditing.get("/audit/")
    shown_seqs = [e.seq for e in hidden.context["page"].events]
    assert key.seq in shown_seqs and view.seq not in shown_seqs
    assert "vera added the key “Ops phones”." in hidden.content.decode()
    assert 'name="views"' in hidden.content.decode()

    shown = auditing.get("/audit/", {"views": "on"}).content.decode()
    assert "vera opened message 5." in shown


def test_choosing_a_page_view_as_the_action_shows_it(auditing, viewer):
    record("view", actor=viewer, target="sms:5")
    page = auditing.get("/audit/", {"action": "view"}).content.decode()
    assert "vera opened message 5." in page


def test_a_refused_send_says_why(auditing):
    who = Who(actor_username="sam")
    record("send", who=who, outcome=Outcome.DENIED, details={**SEND_DETAILS, "reason": "daily cap"})
    page = auditing.get("/audit/").content.decode()
    assert "sam tried to send “Your parcel" in page
    assert "but it was not done: daily cap." in page
