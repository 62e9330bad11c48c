"""CSV export of a search: exactly the filtered rows, safe for spreadsheets, audited."""

import csv
import html
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from smsadmin.audit.models import AuditEvent
from smsadmin.mirror import export
from smsadmin.mirror.export import PROGRESS_FROM_ROWS
from smsadmin.mirror.models import MirroredMessage
from tests.conftest import give_key
from tests.mirror.conftest import link, many, mirrored, state_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    link(give_key(viewer), 1)
    state_for(1)
    client.force_login(viewer)
    return client


def exported(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"/search/export.csv?{query}")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_holds_exactly_the_filtered_rows(signed_in):
    for index in range(30):
        mirrored(
            status=("sent", "failed", "pending")[index % 3],
            device_id=1 + index % 2,
            content=f"Message number {index}",
        )
    mirrored(account_id=2, status="sent", device_id=1, content="Not ours")
    rows = exported(signed_in, "status=sent&device=1")
    expected = MirroredMessage.objects.filter(
        account_id=1, status="sent", device_id=1, deleted_at__isnull=True
    ).order_by("-happened_at", "-sms_id")
    assert [int(row["sms_id"]) for row in rows] == [row.sms_id for row in expected]
    assert len(rows) == 5
    assert all(row["status"] == "sent" and row["device"] == "Ops Pixel 8" for row in rows)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_rows_sharing_a_time_are_neither_lost_nor_repeated_between_chunks(
    signed_in, monkeypatch, sort
):
    monkeypatch.setattr(export, "CHUNK_ROWS", 7)
    moments = [timezone.now() - timedelta(minutes=n % 4) for n in range(40)]
    for moment in moments:
        mirrored(happened_at=moment)
    rows = exported(signed_in, f"sort={sort}")
    ordering = ("-happened_at", "-sms_id") if sort == "newest" else ("happened_at", "sms_id")
    expected = MirroredMessage.objects.order_by(*ordering).values_list("sms_id", flat=True)
    assert [int(row["sms_id"]) for row in rows] == list(expected)


def test_cells_that_would_run_as_formulas_are_defused(signed_in):
    mirrored(content='=HYPERLINK("http://evil")', contact_name="@SUM(A1)", error="-1")
    [row] = exported(signed_in, "")
    assert row["content"] == '\'=HYPERLINK("http://evil")'
    assert row["contact_name"] == "'@SUM(A1)"
    assert row["phone"] == "'+447700900123"
    assert row["error"] == "'-1"


def test_times_come_in_utc_and_in_the_persons_zone(signed_in, viewer):
    viewer.time_zone = "Asia/Tokyo"
    viewer.save()
    row = mirrored()
    [line] = exported(signed_in, "")
    assert line["time_utc"] == row.happened_at.strftime("%Y-%m-%d %H:%M:%S")
    assert line["time_local"] != line["time_utc"]


def test_the_export_is_audited_with_filters_and_size(signed_in):
    mirrored(status="failed")
    mirrored(status="sent")
    exported(signed_in, "status=failed")
    event = AuditEvent.objects.get(action="mirror exported")
    assert event.details["filters"] == {"status": "failed"}
    assert event.details["rows"] == 1


def test_the_export_page_counts_first_and_links_the_same_filters(signed_in):
    for _ in range(3):
        mirrored(status="failed")
    page = signed_in.get("/search/export/?status=failed&q=hello").content.decode()
    assert "<strong>3</strong> messages match" in page
    assert "<dt>Status</dt><dd>failed</dd>" in page
    assert "<dt>Text in the message</dt><dd>hello</dd>" in page
    href = re.search(r'href="/search/export\.csv\?([^"]+)"', page).group(1)
    query = parse_qs(html.unescape(href))
    assert query["status"] == ["failed"] and query["q"] == ["hello"]
    assert re.fullmatch(r"[0-9a-f]{32}", query["progress"][0])


def test_a_large_export_reports_its_progress(signed_in):
    many(PROGRESS_FROM_ROWS + 1)
    page = signed_in.get("/search/export/").content.decode()
    token = re.search(r"progress=([0-9a-f]{32})", page).group(1)
    assert 'hx-trigger="pointerdown from:#download' in page

    waiting = signed_in.get(f"/search/export/{token}/").content.decode()
    assert "Waiting for the download to start" in waiting

    exported(signed_in, f"progress={token}")
    done = signed_in.get(f"/search/export/{token}/").content.decode()
    assert f"{PROGRESS_FROM_ROWS + 1} of {PROGRESS_FROM_ROWS + 1} rows written: done" in done
    assert "hx-trigger" not in done


def test_someone_elses_progress_token_tells_nothing(signed_in, client, sender):
    page = signed_in.get("/search/export/").content.decode()
    token = re.search(r"progress=([0-9a-f]{32})", page).group(1)
    exported(signed_in, f"progress={token}")
    client.force_login(sender)
    other = client.get(f"/search/export/{token}/").content.decode()
    assert "rows written" not in other


def test_an_invalid_search_goes_back_to_the_search_page(signed_in):
    response = signed_in.get("/search/export.csv?date_from=2025-03-06&date_to=2025-03-01")
    assert response.status_code == 302
    assert response["Location"].startswith("/search/?")
    # The refusal is on record; nothing was exported.
    (refused,) = AuditEvent.objects.filter(action="mirror exported")
    assert refused.outcome == "invalid"


def test_it_refuses_a_stranger(client, stranger):
    give_key(stranger)
    client.force_login(stranger)
    assert client.get("/search/export.csv").status_code == 403
    assert client.get("/search/export/").status_code == 403


@pytest.mark.parametrize("sneaky", [' =HYPERLINK("x")', "\n=1+1", "\uff1d1+1", "|cmd"])
def test_formulas_behind_a_space_a_line_break_a_full_width_sign_or_a_pipe_are_defused(
    signed_in, sneaky
):
    mirrored(content=sneaky, contact_name=sneaky)
    [row] = exported(signed_in, "")
    assert row["content"] == "'" + sneaky
    assert row["contact_name"] == "'" + sneaky


def test_scheduled_messages_are_exported_as_scheduled_not_pending(signed_in):
    later = timezone.now() + timedelta(days=2)
    waiting = mirrored(status="pending", scheduled_at=later, content="Later")
    stuck = mirrored(status="pending", scheduled_at=timezone.now() - timedelta(hours=2))
    rows = {int(row["sms_id"]): row for row in exported(signed_in, "")}
    assert rows[waiting.sms_id]["status"] == "scheduled"
    assert rows[stuck.sms_id]["status"] == "pending"  # its time passed: the phone has it


def test_a_small_result_exports_in_one_click_a_large_one_with_progress(signed_in):
    mirrored(status="failed")
    page = signed_in.get("/search/?status=failed").content.decode()
    assert 'href="/search/export.csv?status=failed" download>Export 1 as CSV</a>' in page
    many(PROGRESS_FROM_ROWS, status="failed")
    page = signed_in.get("/search/?status=failed").content.decode()
    assert f'href="/search/export/?status=failed">Export {PROGRESS_FROM_ROWS + 1} as CSV…' in page


def test_compose_reads_the_export_back(client, sender):
    """Every number keeps its guard in the file and is a valid recipient again on import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smsadmin.sms.compose.recipients import check_recipients

    link(give_key(sender), 1)
    state_for(1)
    client.force_login(sender)
    numbers = ["+447400123456", "+491701234567", "+33612345678"]
    for number in numbers:
        mirrored(phone=number)
    response = client.get("/search/export.csv")
    data = b"".join(response.streaming_content)
    assert b"'+447400123456" in data  # the formula guard stays
    upload = SimpleUploadedFile("export.csv", data, content_type="text/csv")
    check = check_recipients("", upload, chosen_column="phone", region=None, opted_out=None)
    assert sorted(check.valid) == sorted(numbers) and not check.invalid
    upload.seek(0)
    guessed = check_recipients("", upload, chosen_column="", region=None, opted_out=None)
    assert sorted(guessed.valid) == sorted(numbers)
