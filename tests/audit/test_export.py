"""The CSV export: exactly the filtered events, streamed, safe to open in a spreadsheet."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine

from smsadmin.audit import paging
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import record
from tests.audit.conftest import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditing(client, auditor):
    client.force_login(auditor)
    return client


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _all_pages(client, filters: dict[str, str]) -> list[int]:
    """Every seq the review page shows for ``filters``, following "Older" to the end."""
    shown: list[int] = []
    query = dict(filters)
    while True:
        page = client.get("/audit/", query).context["page"]
        shown += [event.seq for event in page.events]
        if not page.has_older:
            return shown
        query = {**filters, "before": page.oldest_seq}


@pytest.fixture
def varied_log() -> None:
    with time_machine.travel(datetime(2026, 4, 1, 8, 0, tzinfo=UTC), tick=False):
        for number in range(70):
            record(
                "delete" if number % 3 else "view",
                username=("vera", "sam", "alice")[number % 3],
                target=f"sms:{number % 10}",
                outcome=Outcome.OK if number % 4 else Outcome.UPSTREAM_ERROR,
                details={"note": f"row {number}"},
            )
    with time_machine.travel(datetime(2026, 4, 3, 8, 0, tzinfo=UTC), tick=False):
        for number in range(40):
            record("delete", username="vera", target=f"sms:{number}", details={"note": "later"})


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"action": "delete"},
        {"actor": "ver"},
        {"actor": "vera", "actor_exact": "on", "outcome": "ok"},
        {"since": "2026-04-02"},
        {"until": "2026-04-01", "action": "delete"},
        {"message": "3"},
        {"text": "row 1"},
        {"action": "delete", "actor": "vera", "since": "2026-04-01", "until": "2026-04-03"},
    ],
)
def test_the_export_holds_exactly_the_rows_the_pages_show(auditing, varied_log, filters):
    # Looking and exporting are recorded too: compare what existed before.
    newest_before = events()[-1].seq
    shown = _all_pages(auditing, filters)
    exported = [int(row["seq"]) for row in _rows(auditing.get("/audit/export.csv", filters))]
    assert shown, "every filter here matches something"
    assert [seq for seq in exported if seq <= newest_before] == shown


def test_it_streams_a_named_csv_file(auditing):
    record("view")
    response = auditing.get("/audit/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')


def test_each_row_has_every_field(auditing):
    record("send", username="sam", target="sms:9", details={"created_ids": [9], "content": "Hi"})
    (row,) = [r for r in _rows(auditing.get("/audit/export.csv")) if r["action"] == "send"]
    event = AuditEvent.objects.get(action="send")
    assert row["seq"] == str(event.seq)
    assert row["actor_username"] == "sam"
    assert row["message_ids"] == ",9,"
    assert json.loads(row["details"]) == {"content": "Hi", "created_ids": [9]}
    assert row["hash"] == event.hash
    assert row["created_at_utc"] == event.created_at.isoformat()


def test_cells_a_spreadsheet_would_run_are_defused(auditing):
    record(
        "view",
        username='=HYPERLINK("http://evil.test")',
        target="+1-555",
        details={"content": "fine"},
    )
    record("view", username="@SUM(A1)", target="-2")
    record("view", username="\tcmd", target="\rx")
    rows = [r for r in _rows(auditing.get("/audit/export.csv", {"action": "view"}))]
    cells = {(row["actor_username"], row["target"]) for row in rows}
    assert cells == {
        ('\'=HYPERLINK("http://evil.test")', "'+1-555"),
        ("'@SUM(A1)", "'-2"),
        ("'\tcmd", "'\rx"),
    }


def test_the_export_is_recorded_once_with_its_filters(auditing):
    _rows(auditing.get("/audit/export.csv", {"action": "login", "text": "x"}))
    (exported,) = events("audit exported")
    assert exported.details == {"filters": {"action": "login", "text": "x"}}


def test_bad_filters_give_the_page_with_an_explanation_not_a_file(auditing):
    response = auditing.get("/audit/export.csv", {"since": "nope"})
    assert response.status_code == 400
    assert b"Enter a valid date." in response.content
    (exported,) = events("audit exported")
    assert exported.outcome == Outcome.INVALID


def test_it_reads_in_chunks_and_misses_no_row(auditing, monkeypatch):
    for number in range(30):
        record("view", target=f"sms:{number}")
    monkeypatch.setattr(paging, "CHUNK_SIZE", 7)
    everything = auditing.get("/audit/export.csv", {"views": "on"})
    exported = [int(row["seq"]) for row in _rows(everything)]
    assert exported == sorted(exported, reverse=True)
    assert exported == [event.seq for event in reversed(events()) if event.seq <= exported[0]]


def test_walking_in_chunks_visits_every_row_once():
    for _ in range(23):
        record("view")
    rows = AuditEvent.objects.values("seq")
    oldest_first = [row["seq"] for row in paging.walk(rows, chunk_size=5)]
    assert oldest_first == list(range(1, 24))
    assert [row["seq"] for row in paging.walk(rows, newest_first=True, chunk_size=5)] == list(
        range(23, 0, -1)
    )


@pytest.mark.parametrize("sneaky", [' =HYPERLINK("x")', "\n=1+1", "\uff1d1+1", "|cmd"])
def test_formulas_behind_a_space_a_line_break_a_full_width_sign_or_a_pipe_are_defused(
    auditing, sneaky
):
    record("view", username=sneaky, target=sneaky)
    [row] = _rows(auditing.get("/audit/export.csv", {"action": "view"}))
    assert (row["actor_username"], row["target"]) == ("'" + sneaky, "'" + sneaky)
