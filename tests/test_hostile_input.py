"""The 41 inputs of the attack run that answered 500 (issue 22), by cause.

Each must answer 400/404 or the page with a sentence, and leave the audit
event the same request leaves when the input is fine.
"""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import give_key, make_user
from tests.sms.compose import support as fake
from tests.sms.upstream_fakes import directory

pytestmark = pytest.mark.django_db

BEYOND_IDS = "9223372036854775808"  # 2**63: one past the largest id a column holds
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("seq").last()


def text_of(response) -> str:
    return response.content.decode()


# --- Ids no message can have ---------------------------------------------------


@pytest.mark.parametrize("sms_id", [BEYOND_IDS, "0", "9" * 40])
def test_opening_an_impossible_message_id_is_a_404_on_record(signed_in, upstream, sms_id):
    response = signed_in.get(f"/messages/{sms_id}/")
    assert response.status_code == 404
    assert "is not a message id" in text_of(response)
    event = last_event()
    assert (event.action, event.outcome) == ("view", Outcome.INVALID)
    assert event.target.startswith(f"sms:{sms_id[:20]}")
    assert len(upstream.calls) == 0


@pytest.mark.parametrize("sms_id", [BEYOND_IDS, "0"])
def test_deleting_an_impossible_message_id_is_a_404_on_record(signed_in, upstream, sms_id):
    assert signed_in.get(f"/messages/{sms_id}/delete/").status_code == 404
    response = signed_in.post(f"/messages/{sms_id}/delete/", {"verb": "Delete"})
    assert response.status_code == 404
    assert "is not a message id" in text_of(response)
    event = last_event()
    assert (event.action, event.outcome) == ("delete", Outcome.INVALID)
    assert event.target == f"sms:{sms_id}"
    assert len(upstream.calls) == 0


def test_an_audit_event_about_an_impossible_id_is_kept_unindexed(db):
    from smsadmin.audit.recorder import record

    event = record("view", target=f"sms:{BEYOND_IDS},0,5")
    assert event.message_ids == ",5,"


# --- Numbers that only look like numbers ----------------------------------------


def test_a_superscript_device_on_compose_is_ignored(signed_in, upstream):
    fake.devices(upstream)
    assert signed_in.get("/compose/", {"device": SUPERSCRIPT_TWO}).status_code == 200
    assert signed_in.get("/compose/sims", {"device": SUPERSCRIPT_TWO}).status_code == 200


@pytest.mark.parametrize("path", ["/compose/check-content", "/compose/replace-lookalikes"])
def test_a_4400_digit_recipient_count_on_the_live_checks_is_ignored(signed_in, path):
    response = signed_in.post(path, {"content": "Hello", "recipient_count": "9" * 4400})
    assert response.status_code == 200


def test_a_superscript_audit_cursor_shows_the_first_page(client):
    client.force_login(make_user("ada", "auditor"))
    response = client.get("/audit/", {"before": SUPERSCRIPT_TWO})
    assert response.status_code == 200
    assert last_event().action == "audit viewed"


def test_superscript_ids_in_a_bulk_delete_select_nothing(signed_in, upstream):
    response = signed_in.post("/messages/delete/", {"ids": [SUPERSCRIPT_TWO, BEYOND_IDS]})
    assert response.status_code == 302
    assert len(upstream.calls) == 0


def test_a_superscript_csv_column_is_explained(signed_in, upstream):
    fake.devices(upstream)
    upload = SimpleUploadedFile("a.csv", f"name,phone\nAda,{fake.DE_MOBILE}\n".encode())
    response = fake.review(signed_in, recipients="", recipients_file=upload, csv_column="²")
    assert response.status_code == 200
    assert "no column" in text_of(response)
    assert last_event().outcome == Outcome.INVALID


# --- Days at the edge of the calendar -------------------------------------------


@pytest.fixture
def in_tokyo(sender):
    sender.time_zone = "Asia/Tokyo"
    sender.save()
    return sender


EDGE_DAYS = [("date_to", "9999-12-31"), ("date_from", "0001-01-01")]


@pytest.mark.parametrize(("field", "day"), EDGE_DAYS)
def test_a_search_at_the_edge_of_the_calendar_is_explained(signed_in, in_tokyo, field, day):
    response = signed_in.get("/search/", {field: day})
    assert response.status_code == 200
    assert "Pick a day between 1 Jan 1970 and 31 Dec 2999." in text_of(response)
    event = last_event()
    assert (event.action, event.outcome) == ("search", Outcome.INVALID)


@pytest.mark.parametrize(("field", "day"), EDGE_DAYS)
@pytest.mark.parametrize("path", ["/search/export/", "/search/export.csv"])
def test_an_export_at_the_edge_of_the_calendar_goes_back_to_the_search(
    signed_in, in_tokyo, field, day, path
):
    before = AuditEvent.objects.count()
    response = signed_in.get(path, {field: day}, follow=True)
    assert response.status_code == 200
    assert "Pick a day between" in text_of(response)
    refused, explained = AuditEvent.objects.order_by("seq")[before:]
    assert refused.action == ("search" if path.endswith("/") else "mirror exported")
    assert (refused.outcome, refused.details["for"]) == (Outcome.INVALID, "export")
    assert (explained.action, explained.outcome) == ("search", Outcome.INVALID)


@pytest.mark.parametrize(("field", "day"), [("until", "9999-12-31"), ("since", "0001-01-01")])
@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
def test_the_audit_log_at_the_edge_of_the_calendar_is_explained(client, field, day, path):
    auditor = make_user("ada", "auditor", time_zone="Asia/Tokyo")
    client.force_login(auditor)
    response = client.get(path, {field: day})
    assert response.status_code == 400
    assert "Pick a day between" in text_of(response)
    assert last_event().outcome == Outcome.INVALID


def test_an_audit_message_id_beyond_what_ids_reach_is_explained(client):
    client.force_login(make_user("ada", "auditor"))
    response = client.get("/audit/", {"message": BEYOND_IDS})
    assert response.status_code == 400
    assert last_event().outcome == Outcome.INVALID


# --- A file that only starts like text ------------------------------------------


def test_a_csv_starting_like_utf32_is_refused_in_words(signed_in, upstream):
    fake.devices(upstream)
    data = codecs.BOM_UTF32_LE + b"\x00\xd8\x00\x00garbage"
    upload = SimpleUploadedFile("list.csv", data)
    response = fake.review(signed_in, recipients="", recipients_file=upload)
    assert response.status_code == 200
    assert "list.csv cannot be read" in text_of(response)
    assert last_event().outcome == Outcome.INVALID


def test_a_utf32_csv_is_read(signed_in, upstream):
    directory(upstream)
    upload = SimpleUploadedFile("list.csv", f"phone\n{fake.DE_MOBILE}\n".encode("utf-32"))
    response = fake.review(signed_in, recipients="", recipients_file=upload)
    assert response.status_code == 302, text_of(response)[:3000]
