"""The live parts of the compose page: recipients check, segment counter, SIM list."""
# Typographic look-alikes are what these tests are about.
# ruff: noqa: RUF001

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smsadmin.audit.models import AuditEvent
from tests.conftest import give_key
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def check_recipients(client, **data) -> str:
    response = client.post("/compose/check-recipients", data, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def check_content(client, content: str, recipient_count: int = 0) -> str:
    data = {"content": content, "recipient_count": recipient_count}
    response = client.post("/compose/check-content", data, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


# --- Recipients ---------------------------------------------------------------------


def test_it_counts_valid_duplicate_and_invalid_entries(signed_in, upstream):
    typed = f"{fake.DE_MOBILE}\n{fake.DE_MOBILE}; 12\n{fake.UK_MOBILE}"
    fragment = check_recipients(signed_in, recipients=typed, content="Hi")
    assert "<strong>2</strong> valid numbers, 1 duplicate removed" in fragment
    assert "line 2: <code>12</code>" in fragment
    assert 'name="recipient_count" value="2"' in fragment
    assert not upstream.calls


def test_it_shows_the_total_as_recipients_times_segments(signed_in):
    fragment = check_recipients(
        signed_in, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}", content="x" * 161
    )
    assert 'id="send-total"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "2 recipients × 2 segments = <strong>4</strong> SMS segments" in fragment


def test_it_reads_an_uploaded_csv_and_offers_its_columns(signed_in):
    csv = f"name,mobile\nAda,{fake.DE_MOBILE}\nBob,not a number\n"
    fragment = check_recipients(
        signed_in, recipients_file=SimpleUploadedFile("team.csv", csv.encode()), content="Hi"
    )
    assert "row 3: <code>not a number</code> — not a number" in fragment
    assert '<select name="csv_column" id="id_csv_column">' in fragment
    assert '<option value="2" selected>2. mobile</option>' in fragment
    assert "From: team.csv, column “mobile”." in fragment


def test_a_chosen_column_is_used(signed_in):
    csv = f"office,mobile\n{fake.DE_LANDLINE},{fake.DE_MOBILE}\n"
    upload = SimpleUploadedFile("team.csv", csv.encode())
    fragment = check_recipients(signed_in, recipients_file=upload, csv_column="1", content="Hi")
    assert '<option value="1" selected>1. office</option>' in fragment
    assert "fixed-line" in fragment


def test_the_live_check_needs_the_sender_role(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    response = client.post("/compose/check-recipients", {"recipients": "1"}, headers=HTMX)
    assert response.status_code == 403


def test_live_checks_are_not_audited(signed_in):
    check_recipients(signed_in, recipients=fake.DE_MOBILE)
    check_content(signed_in, "Hello")
    assert not AuditEvent.objects.filter(action__in=["send", "schedule"]).exists()


def test_10000_pasted_numbers_are_all_checked(signed_in):
    # How fast: bench/bench_compose_check.py (a timing here would fail on a busy machine).
    typed = "\n".join(fake.numbers(10_000))
    fragment = check_recipients(signed_in, recipients=typed)
    assert "<strong>10000</strong> valid numbers" in fragment


# --- Segments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "segments", "encoding"),
    [
        ("a" * 160, 1, "GSM-7"),
        ("a" * 161, 2, "GSM-7"),
        ("a" * 306, 2, "GSM-7"),
        ("a" * 307, 3, "GSM-7"),
        ("€" * 80, 1, "GSM-7"),
        ("€" * 81, 2, "GSM-7"),
        ("ж" * 70, 1, "UCS-2"),
        ("ж" * 71, 2, "UCS-2"),
        ("ж" * 134, 2, "UCS-2"),
        ("ж" * 135, 3, "UCS-2"),
        ("😀" * 35, 1, "UCS-2"),
        ("😀" * 36, 2, "UCS-2"),
    ],
    ids=lambda value: value if isinstance(value, int | str) and len(str(value)) < 8 else None,
)
def test_the_counter_knows_the_segment_boundaries(signed_in, content, segments, encoding):
    fragment = check_content(signed_in, content)
    assert f"<strong>{segments}</strong> segment" in fragment
    assert encoding in fragment


def test_windows_line_breaks_are_counted_as_one_character(signed_in):
    fragment = check_content(signed_in, "a" * 79 + "\r\n" + "a" * 80)
    assert "160 / 1000 characters" in fragment
    assert "<strong>1</strong> segment" in fragment


def test_it_names_the_characters_that_force_ucs2(signed_in):
    fragment = check_content(signed_in, "It\u00a0is ‹done› 😀")
    assert "UCS-2" in fragment
    assert (
        "<code>‹</code> U+2039 single left-pointing angle quotation mark → <code>&#x27;</code>"
        in fragment
    )
    assert "U+00A0 no-break space" in fragment
    assert "U+1F600" in fragment
    assert "Replace look-alikes" in fragment
    assert "Some characters have no look-alike" in fragment


def test_typographic_quotes_sociostacks_turns_plain_do_not_count_as_ucs2(signed_in):
    fragment = check_content(signed_in, "It’s “done” – see you…")
    assert "GSM-7" in fragment and "force UCS-2" not in fragment
    assert "Sociostacks will store and send:" in fragment
    assert "It&#x27;s &quot;done&quot; - see you..." in fragment


def test_it_shows_the_refusal_with_the_count_over_1000(signed_in):
    fragment = check_content(signed_in, "a" * 1001)
    assert "The message is 1,001 characters as Sociostacks stores it" in fragment
    assert "would cut off the end (“a”)" in fragment


def test_the_counter_updates_the_total_from_the_recipient_count(signed_in):
    fragment = check_content(signed_in, "a" * 200, recipient_count=3)
    assert "3 recipients × 2 segments = <strong>6</strong> SMS segments" in fragment


def test_replacing_lookalikes_gives_back_the_message_box_in_gsm7(signed_in):
    response = signed_in.post(
        "/compose/replace-lookalikes",
        {"content": "It’s “done” – see you…", "recipient_count": "2"},
        headers=HTMX,
    )
    fragment = response.content.decode()
    assert "It&#x27;s &quot;done&quot; - see you...</textarea>" in fragment
    assert 'id="content-field"' in fragment
    assert "GSM-7" in fragment and "force UCS-2" not in fragment


def test_replacing_lookalikes_without_javascript_keeps_the_rest(signed_in, upstream):
    fake.devices(upstream)
    response = signed_in.post(
        "/compose/",
        fake.form_data(content="“Hi”", recipients="+491701234567\n12", action="replace_lookalikes"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "&quot;Hi&quot;</textarea>" in page
    assert "+491701234567\n12</textarea>" in page
    assert 'class="error"' not in page  # no errors for a form not yet submitted


# --- SIM follows device -----------------------------------------------------------------


def test_the_sim_list_follows_the_chosen_device(signed_in, upstream):
    fake.devices(upstream)
    fragment = signed_in.get("/compose/sims?device=2", headers=HTMX).content.decode()
    assert 'id="sim-field"' in fragment
    assert "SIM 1 · o2 - de · +4917611112222" in fragment
    assert "Telekom" not in fragment
    assert '<option value="2:1" selected>' in fragment  # the only SIM of that phone


def test_a_device_with_several_sims_asks_which_one(signed_in, upstream):
    fake.devices(upstream)
    fragment = signed_in.get("/compose/sims?device=1", headers=HTMX).content.decode()
    assert "Choose a SIM" in fragment
    assert "Telekom" in fragment and "Vodafone" in fragment and "o2" not in fragment


def test_the_device_list_is_fetched_once_and_then_cached(signed_in, upstream):
    fake.devices(upstream)
    signed_in.get("/compose/")
    signed_in.get("/compose/sims?device=1", headers=HTMX)
    signed_in.get("/compose/sims?device=2", headers=HTMX)
    assert len(upstream.calls) == 1


def test_100000_pasted_numbers_are_left_to_review_without_parsing_one(signed_in, monkeypatch):
    """About 4 s of CPU per keystroke before (issue 22): the size is checked first."""
    from smsadmin.sms.compose import recipients

    def no_parsing(*args, **kwargs):
        raise AssertionError("the live check parsed a list it should have left to Review")

    monkeypatch.setattr(recipients, "parse_recipients", no_parsing)
    monkeypatch.setattr(recipients, "parse_recipients_csv", no_parsing)
    fragment = check_recipients(signed_in, recipients="\n".join(fake.numbers(100_000)))
    assert "100,000 entries are too many to check while you type" in fragment
    big = SimpleUploadedFile("all.csv", "\n".join(fake.numbers(30_000)).encode())
    fragment = check_recipients(signed_in, recipients="", recipients_file=big)
    assert "all.csv is too large to check while you type" in fragment
