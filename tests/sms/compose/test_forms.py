"""The compose form: what it offers, and what a submit refuses (keeping what was typed)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.sms.models import SendRequest
from tests.conftest import give_key, make_user
from tests.sms.compose import support as fake
from tests.sms.compose.support import page_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def with_devices(upstream):
    fake.devices(upstream)
    return upstream


def accepted(response) -> bool:
    return response.status_code == 302 and "/compose/confirm/" in response["Location"]


def numbers_sent_to(response) -> list[str]:
    return SendRequest.objects.get(token=fake.token_of(response)).numbers


# --- The form itself ------------------------------------------------------------


def test_it_refuses_a_viewer(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    response = client.get("/compose/")
    assert response.status_code == 403
    assert "sender" in page_of(response)


def test_it_refuses_a_viewer_posting_a_send(client, viewer, upstream):
    give_key(viewer)
    client.force_login(viewer)
    response = client.post("/compose/", fake.form_data())
    assert response.status_code == 403
    assert not upstream.calls


def test_it_refuses_a_stranger(client, stranger):
    client.force_login(stranger)
    assert client.get("/compose/").status_code == 403


def test_without_a_key_it_sends_the_person_to_the_keys_page(client, sender):
    client.force_login(sender)
    response = client.get("/compose/")
    assert response.status_code == 302
    assert response["Location"] == "/keys/"


def test_every_control_has_a_visible_label(signed_in, with_devices):
    page = page_of(signed_in.get("/compose/"))
    for control in ("content", "recipients", "recipients_file", "csv_column", "device", "sim"):
        assert f'for="id_{control}"' in page, control
    assert 'for="id_send_date">Date<' in page and 'for="id_send_time">Time<' in page
    assert "Send now" in page and "Schedule" in page
    assert "<legend>When</legend>" in page


def test_sims_read_like_slot_carrier_and_number_grouped_by_device(signed_in, with_devices):
    page = page_of(signed_in.get("/compose/"))
    assert "SIM 1 · Telekom · +4915112345678" in page
    assert "SIM 2 · Vodafone · +4915298765432" in page
    assert '<optgroup label="Backup Galaxy">' in page
    assert 'value="2:1"' in page and 'value="1:1"' in page


def test_the_persons_default_device_and_sim_are_preselected(client, with_devices):
    person = make_user("dora", "sender", default_device_id=1, default_sim_id=2)
    give_key(person)
    client.force_login(person)
    page = page_of(client.get("/compose/"))
    assert '<option value="1" selected>Ops Pixel 8</option>' in page
    assert '<option value="1:2" selected>' in page


def test_send_another_keeps_device_and_sim_from_the_link(signed_in, with_devices):
    page = page_of(signed_in.get("/compose/?device=2&sim=1"))
    assert '<option value="2" selected>Backup Galaxy</option>' in page
    assert '<option value="2:1" selected>' in page


def test_the_person_time_zone_is_shown_next_to_the_schedule(client, with_devices):
    person = make_user("tia", "sender", time_zone="Asia/Tokyo")
    give_key(person)
    client.force_login(person)
    assert "In Asia/Tokyo, your time zone" in page_of(client.get("/compose/"))


def test_an_account_without_devices_is_told_what_to_do(signed_in, upstream):
    fake.devices(upstream, *[])
    upstream.replace("GET", f"{fake.UPSTREAM}/devices/", json={"data": [], "meta": {}})
    page = page_of(signed_in.get("/compose/"))
    assert "no device to send from" in page
    assert "Install the Sociostacks app" in page


def test_when_devices_cannot_be_loaded_it_says_why_and_keeps_the_form(signed_in, upstream):
    upstream.get(f"{fake.UPSTREAM}/devices/", status=503, json={"errors": []})
    page = page_of(signed_in.get("/compose/"))
    assert "list of devices could not be loaded" in page
    assert 'name="content"' in page


# --- Recipients, through the submit ----------------------------------------------


@pytest.mark.parametrize("separator", ["\n", "\r\n", ",", ";", " ", "\t", " , ", ";\n"], ids=repr)
def test_numbers_in_every_accepted_separator_are_read(signed_in, with_devices, separator):
    typed = separator.join([fake.DE_MOBILE, fake.UK_MOBILE, "+4917612345678"])
    response = fake.review(signed_in, recipients=typed)
    assert accepted(response)
    assert numbers_sent_to(response) == [fake.DE_MOBILE, fake.UK_MOBILE, "+4917612345678"]


def test_numbers_without_plus_use_the_persons_region(client, with_devices):
    person = make_user("dirk", "sender", phone_region="DE")
    give_key(person)
    client.force_login(person)
    response = fake.review(client, recipients="0170 1234567\n0049 170 1234567")
    assert numbers_sent_to(response) == [fake.DE_MOBILE]
    confirmation = page_of(client.get(response["Location"]))
    assert "1 duplicate removed" in confirmation


def test_numbers_without_plus_and_without_a_region_are_invalid(signed_in, with_devices):
    page = page_of(fake.review(signed_in, recipients="0170 1234567"))
    assert "line 1: <code>0170 1234567</code> — needs a country code (+…)" in page


def test_invalid_numbers_are_reported_per_line_and_block_the_submit(signed_in, with_devices):
    typed = f"{fake.DE_MOBILE}\n12\n{fake.UK_MOBILE}\n+49170123456789012345\n0170 1234x"
    response = fake.review(signed_in, recipients=typed)
    page = page_of(response)
    assert response.status_code == 200
    assert "line 2: <code>12</code> — " in page
    assert "line 4: <code>+49170123456789012345</code> — too long" in page
    assert "line 5: <code>0170 1234x</code> — not a number" in page
    assert "3 entries are not valid phone numbers" in page
    assert not SendRequest.objects.exists()


def test_invalid_entries_may_be_left_out_on_purpose(signed_in, with_devices):
    response = fake.review(signed_in, recipients=f"{fake.DE_MOBILE}\n12", skip_invalid="on")
    assert accepted(response)
    assert numbers_sent_to(response) == [fake.DE_MOBILE]


def test_a_fixed_line_number_warns_but_does_not_block(signed_in, with_devices):
    response = fake.review(signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.DE_LANDLINE}")
    assert accepted(response)
    confirmation = page_of(signed_in.get(response["Location"]))
    assert f"{fake.DE_LANDLINE}: fixed-line number: it may not receive SMS" in confirmation


def test_no_numbers_at_all_is_refused(signed_in, with_devices):
    page = page_of(fake.review(signed_in, recipients="  \n "))
    assert "Paste at least one phone number or upload a CSV file." in page


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.parametrize(
    "csv",
    [
        f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}\n",
        f"phone\n{fake.DE_MOBILE}\n{fake.UK_MOBILE}\n",
        f"\ufeffphone\r\n{fake.DE_MOBILE}\r\n{fake.UK_MOBILE}\r\n",
        f"name;phone\nAda;{fake.DE_MOBILE}\nBob;{fake.UK_MOBILE}\n",
        f'name,phone,note\n"Lovelace, Ada",{fake.DE_MOBILE},x\nBob,{fake.UK_MOBILE},"a, b"\n',
        f"name\tphone\nAda\t{fake.DE_MOBILE}\nBob\t{fake.UK_MOBILE}\n",
    ],
    ids=["bare column", "with header", "excel bom crlf", "semicolons", "quoted", "tabs"],
)
def test_csv_files_of_every_shape_are_read(signed_in, with_devices, csv):
    response = fake.review(signed_in, recipients="", recipients_file=upload("list.csv", csv))
    assert accepted(response), page_of(response)[:3000]
    assert numbers_sent_to(response) == [fake.DE_MOBILE, fake.UK_MOBILE]


def test_a_utf16_csv_from_excel_is_read(signed_in, with_devices):
    data = f"phone\r\n{fake.DE_MOBILE}\r\n".encode("utf-16")
    response = fake.review(signed_in, recipients="", recipients_file=upload("list.csv", data))
    assert numbers_sent_to(response) == [fake.DE_MOBILE]


def test_the_column_with_numbers_may_be_picked_by_number_or_name(signed_in, with_devices):
    csv = f"office,mobile\n{fake.DE_LANDLINE},{fake.DE_MOBILE}\n"
    by_number = fake.review(
        signed_in, recipients="", recipients_file=upload("a.csv", csv), csv_column="2"
    )
    by_name = fake.review(
        signed_in, recipients="", recipients_file=upload("a.csv", csv), csv_column="Mobile"
    )
    assert numbers_sent_to(by_number) == [fake.DE_MOBILE]
    assert numbers_sent_to(by_name) == [fake.DE_MOBILE]


def test_without_a_column_the_first_one_holding_numbers_is_used_and_named(signed_in, with_devices):
    csv = f"name,phone\nAda,{fake.DE_MOBILE}\n"
    response = fake.review(signed_in, recipients="", recipients_file=upload("team.csv", csv))
    confirmation = page_of(signed_in.get(response["Location"]))
    assert "From: team.csv, column “phone”." in confirmation


def test_invalid_csv_rows_come_back_as_lines_of_the_box_they_were_moved_to(signed_in, with_devices):
    csv = f"phone\n{fake.DE_MOBILE}\nnot a number\n"
    page = page_of(fake.review(signed_in, recipients="", recipients_file=upload("a.csv", csv)))
    assert f"{fake.DE_MOBILE}\nnot a number</textarea>" in page
    assert "line 2: <code>not a number</code> — not a number" in page


def test_a_missing_csv_column_is_explained(signed_in, with_devices):
    csv = f"name,phone\nAda,{fake.DE_MOBILE}\n"
    response = fake.review(
        signed_in, recipients="", recipients_file=upload("a.csv", csv), csv_column="7"
    )
    assert "the file has no column 7" in page_of(response)


def test_a_file_that_is_not_text_is_refused_in_words(signed_in, with_devices):
    garbage = bytes(range(256)) * 8
    response = fake.review(signed_in, recipients="", recipients_file=upload("photo.csv", garbage))
    assert response.status_code == 200
    assert "photo.csv" in page_of(response)
    assert not SendRequest.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_its_size(signed_in, with_devices, monkeypatch):
    monkeypatch.setattr("smsadmin.sms.compose.recipients.MAX_CSV_BYTES", 1024 * 1024)
    big = (fake.DE_MOBILE + "\n").encode() * 80_000
    response = fake.review(signed_in, recipients="", recipients_file=upload("big.csv", big))
    assert "big.csv is 1.1 MB; files of at most 1 MB are read." in page_of(response)


def test_a_failed_submit_moves_the_uploaded_numbers_into_the_box(signed_in, with_devices):
    csv = f"phone\n{fake.DE_MOBILE}\n{fake.UK_MOBILE}\n"
    response = fake.review(
        signed_in, content="", recipients="", recipients_file=upload("a.csv", csv)
    )
    page = page_of(response)
    assert "Write the message to send." in page
    assert f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}</textarea>" in page
    assert "need not upload the file again" in page


def test_typed_and_uploaded_numbers_are_combined_without_duplicates(signed_in, with_devices):
    csv = f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}\n"
    response = fake.review(
        signed_in, recipients=fake.DE_MOBILE, recipients_file=upload("a.csv", csv)
    )
    assert numbers_sent_to(response) == [fake.DE_MOBILE, fake.UK_MOBILE]


# --- Message ----------------------------------------------------------------------


def test_1001_characters_are_refused_with_the_count(signed_in, with_devices):
    response = fake.review(signed_in, content="a" * 1001)
    page = page_of(response)
    assert "The message is 1,001 characters as Sociostacks stores it; it keeps 1,000" in page
    assert not SendRequest.objects.exists()


def test_1000_characters_are_accepted(signed_in, with_devices):
    assert accepted(fake.review(signed_in, content="a" * 1000))


def test_windows_line_breaks_count_once(signed_in, with_devices):
    response = fake.review(signed_in, content=("a" * 499 + "\r\n") * 2)
    assert accepted(response)
    assert SendRequest.objects.get().content == ("a" * 499 + "\n") * 2


def test_an_empty_message_is_refused(signed_in, with_devices):
    assert "Write the message to send." in page_of(fake.review(signed_in, content="  \r\n "))


# --- Device and SIM ------------------------------------------------------------------


def test_a_sim_of_another_device_is_refused(signed_in, with_devices):
    page = page_of(fake.review(signed_in, device="1", sim="2:1"))
    assert "Pick a SIM of the chosen device." in page


def test_a_device_the_account_does_not_have_is_refused(signed_in, with_devices):
    page = page_of(fake.review(signed_in, device="99", sim="99:1"))
    assert "Pick the phone to send from." in page


# --- Schedule ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_time_in_the_past_is_refused(signed_in, with_devices):
    response = fake.review(signed_in, when="later", send_date="2026-03-10", send_time="11:59")
    assert "2026-03-10 11:59 (UTC) is in the past." in page_of(response)
    assert not SendRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_time_is_read_in_the_persons_zone(client, with_devices):
    person = make_user("bert", "sender", time_zone="Europe/Berlin")
    give_key(person)
    client.force_login(person)
    # Berlin is UTC+1 in March: 12:59 there was 11:59 UTC.
    past = fake.review(client, when="later", send_date="2026-03-10", send_time="12:59")
    assert "2026-03-10 12:59 (Europe/Berlin) is in the past." in page_of(past)
    future = fake.review(client, when="later", send_date="2026-03-10", send_time="13:01")
    assert accepted(future)
    assert SendRequest.objects.get().scheduled_at == datetime(2026, 3, 10, 12, 1, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("day", "clock", "words"),
    [
        ("10/03/2026", "13:00", "Enter the date as YYYY-MM-DD"),
        ("2026-02-30", "13:00", "Enter the date as YYYY-MM-DD"),
        ("2026-03-20", "25:61", "Enter the time as HH:MM"),
        ("2026-03-20", "noon", "Enter the time as HH:MM"),
        ("", "13:00", "Enter the date and the time to send at."),
        ("2026-03-20", "", "Enter the date and the time to send at."),
    ],
)
def test_a_malformed_time_is_refused(signed_in, with_devices, day, clock, words):
    response = fake.review(signed_in, when="later", send_date=day, send_time=clock)
    assert words in page_of(response)
    assert not SendRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_time_beyond_a_year_is_refused(signed_in, with_devices):
    response = fake.review(signed_in, when="later", send_date="2027-03-11", send_time="13:00")
    assert "more than 365 days ahead" in page_of(response)


@time_machine.travel(NOW, tick=False)
def test_a_time_the_clocks_skip_is_refused(client, with_devices):
    person = make_user("berta", "sender", time_zone="Europe/Berlin")
    give_key(person)
    client.force_login(person)
    response = fake.review(client, when="later", send_date="2026-03-29", send_time="02:30")
    assert "There is no 2026-03-29 02:30 (Europe/Berlin): the clocks skip" in page_of(response)


def test_send_now_ignores_a_leftover_date(signed_in, with_devices):
    response = fake.review(signed_in, when="now", send_date="2001-01-01", send_time="00:00")
    assert accepted(response)
    assert SendRequest.objects.get().scheduled_at is None


# --- What a failed submit keeps, and what it records ------------------------------------


def test_a_refused_submit_keeps_everything_typed(signed_in, with_devices):
    response = fake.review(
        signed_in,
        content="Hello <b>team</b> & friends",
        recipients=f"{fake.DE_MOBILE}\n12",
        device="1",
        sim="1:2",
        when="later",
        send_date="2001-01-01",
        send_time="09:15",
    )
    page = page_of(response)
    assert "Hello &lt;b&gt;team&lt;/b&gt; &amp; friends</textarea>" in page
    assert f"{fake.DE_MOBILE}\n12</textarea>" in page
    assert '<option value="1:2" selected>' in page
    assert 'value="2001-01-01"' in page and 'value="09:15"' in page
    assert re.search(r'value="later"[^>]* checked>', page)


def test_an_invalid_submit_is_audited_once_without_the_text(signed_in, with_devices, sender):
    fake.review(signed_in, content="secret plans", recipients="12")
    (event,) = AuditEvent.objects.filter(action="send")
    assert event.outcome == Outcome.INVALID
    assert event.actor == sender
    assert "recipients" in event.details["errors"]
    assert "secret plans" not in str(event.details)


def test_a_submit_is_escaped_everywhere(signed_in, with_devices):
    page = page_of(fake.review(signed_in, recipients="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
