"""The review page in the reader's language: its rows, sentences, dates and filter."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import translation

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who, record

pytestmark = pytest.mark.django_db

SEND_DETAILS = {
    "recipients": ["+4915112345678", "+447700900123", "+33612345678", "+34600000000"],
    "recipient_count": 4,
    "content": "Your parcel is waiting",
    "device": "Ops Pixel 8",
    "sim": "SIM 1",
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A request leaves its language active in the thread: the next tests read English.
    yield
    translation.deactivate()


@pytest.fixture
def auditing(client, auditor):
    client.force_login(auditor)
    return client


def _send():
    who = Who(actor_username="frontdesk", operator_name="Maria K.")
    attempt = record("send", who=who, outcome=Outcome.STARTED, details=SEND_DETAILS)
    return record("send", who=who, outcome=Outcome.OK, parent=attempt, details={})


def _page(client, language, **query):
    return client.get("/audit/", query, headers={"Accept-Language": language}).content.decode()


def test_a_german_review_reads_the_send_in_german_with_german_dates(auditing, auditor):
    sent = _send()
    page = _page(auditing, "de")
    assert (
        "Maria K. (frontdesk) hat „Your parcel is waiting“ an 4 Nummern "
        "von Ops Pixel 8 · SIM 1 gesendet." in page
    )
    assert "An +4915112345678, +447700900123, +33612345678 und 1 weitere" in page
    shown = sent.created_at.astimezone(auditor.zone).strftime("%d.%m.%Y %H:%M:%S")
    assert f">{shown}</time>" in page
    assert "<summary>Details</summary>" in page
    assert "<title>Prüfprotokoll" in page


def test_the_same_page_in_english_after_german_stays_english(auditing, auditor):
    sent = _send()
    _page(auditing, "de")
    page = _page(auditing, "en")
    assert "Maria K. (frontdesk) sent “Your parcel is waiting” to 4 numbers" in page
    shown = sent.created_at.astimezone(auditor.zone).strftime("%Y-%m-%d %H:%M:%S")
    assert f">{shown}</time>" in page


@pytest.mark.parametrize(
    ("language", "sentence", "date"),
    [
        ("fr", "vera a ajouté la clé « Ops phones ».", "%d/%m/%Y %H:%M:%S"),
        ("es", "vera añadió la clave «Ops phones».", "%d/%m/%Y %H:%M:%S"),
    ],
)
def test_french_and_spanish_sentences_and_dates(
    auditing, viewer, auditor, language, sentence, date
):
    added = record("key added", actor=viewer, details={"label": "Ops phones"})
    page = _page(auditing, language)
    assert sentence in page
    assert f">{added.created_at.astimezone(auditor.zone).strftime(date)}</time>" in page


def test_the_action_filter_offers_translated_names_with_the_recorded_values(auditing):
    page = _page(auditing, "de")
    assert re.search(r'<option value="key added">[^<]*Schlüssel[^<]*</option>', page)
    assert re.search(r'<option value=""( selected)?>Beliebige Aktion</option>', page)
    english = _page(auditing, "en")
    assert '<option value="key added">key added</option>' in english


def test_a_logged_value_is_escaped_in_every_language(auditing, viewer):
    record("key added", actor=viewer, details={"label": "<b>x</b>"})
    for language in ("en", "de", "fr", "es"):
        page = _page(auditing, language)
        assert "<b>x</b>" not in page
        assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_event_page_in_german(auditing, auditor):
    event = record("login", who=Who(actor_username="vera"))
    page = auditing.get(
        f"/audit/events/{event.seq}/", headers={"Accept-Language": "de"}
    ).content.decode()
    assert "Prüfprotokoll" in page and "Wer" in page
    stored = AuditEvent.objects.get(pk=event.pk).created_at
    assert stored.astimezone(auditor.zone).strftime("%d.%m.%Y %H:%M:%S") in page
    assert "nobody signed in" not in page and "Operator on a shared login" not in page


def test_a_scheduled_time_reads_in_the_pages_zone_and_language(auditing, auditor):
    details = {**SEND_DETAILS, "scheduled_at": "2026-12-02T09:05:00+00:00"}
    record("schedule", who=Who(actor_username="vera"), details=details)
    moment = datetime(2026, 12, 2, 9, 5, tzinfo=UTC).astimezone(auditor.zone)
    german = _page(auditing, "de")
    assert f"für {moment:%d.%m.%Y %H:%M} gesendet" not in german  # planned, not sent
    assert f"von Ops Pixel 8 · SIM 1 für {moment:%d.%m.%Y %H:%M} geplant." in german
    english = _page(auditing, "en")
    assert f"from Ops Pixel 8 · SIM 1 for {moment:%Y-%m-%d %H:%M}." in english
