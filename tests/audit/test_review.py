"""The review page: auditors and admins only, filters in the URL, keyset pages, no table COUNT."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smsadmin.audit.models import AuditVerification, Outcome
from smsadmin.audit.recorder import audited, message_target, record
from tests.audit.conftest import events
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _shown(response) -> list[int]:
    return [event.seq for event in response.context["page"].events]


def _matching(client, **filters) -> list[int]:
    response = client.get("/audit/", filters)
    assert response.status_code == 200
    return _shown(response)


@pytest.fixture
def auditing(client, auditor):
    client.force_login(auditor)
    return client


# --- Who may look ------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditor", "admin_user"])
def test_auditors_and_admins_see_the_log(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/audit/")
    assert response.status_code == 200
    assert b"Audit log" in response.content


@pytest.mark.parametrize("who", ["viewer", "sender", "stranger"])
@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/audit/"),
        ("get", "/audit/events/1/"),
        ("get", "/audit/export.csv"),
        ("post", "/audit/verify/"),
    ],
)
def test_everyone_else_is_refused_and_the_refusal_recorded(client, who, method, url, request):
    user = request.getfixturevalue(who)
    record("login", username="ada")
    client.force_login(user)
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert b"auditor" in response.content
    assert b"Audit log" not in response.content
    (denied,) = events("permission denied")
    assert (denied.actor_id, denied.outcome, denied.target) == (user.pk, Outcome.DENIED, url)
    assert denied.details["needed_role"] == "auditor"
    assert not AuditVerification.objects.exists()


def test_signed_out_visitors_go_to_the_login_page(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The page ---------------------------------------------------------------


def test_each_visit_records_one_audit_viewed_event_with_its_filters(auditing):
    auditing.get("/audit/", {"action": "login", "text": "alice"})
    (viewed,) = events("audit viewed")
    assert viewed.details["filters"] == {"action": "login", "text": "alice"}
    assert viewed.outcome == Outcome.OK


def test_it_pages_newest_first_fifty_at_a_time(auditing):
    for number in range(120):
        record("view", target=f"sms:{number}")
    first = auditing.get("/audit/", {"action": "view"})
    newest = max(event.seq for event in events("view"))
    assert _shown(first) == list(range(newest, newest - 50, -1))
    assert first.context["page"].has_older
    assert not first.context["page"].has_newer
    assert f"before={newest - 49}".encode() in first.content

    second = auditing.get("/audit/", {"action": "view", "before": newest - 49})
    assert _shown(second) == list(range(newest - 50, newest - 100, -1))
    third = auditing.get("/audit/", {"action": "view", "before": newest - 99})
    assert len(_shown(third)) == 20
    assert not third.context["page"].has_older
    assert third.context["page"].has_newer

    back = auditing.get("/audit/", {"action": "view", "after": newest - 50})
    assert _shown(back) == _shown(first)
    assert not back.context["page"].has_newer


def test_a_position_past_either_end_shows_what_there_is(auditing):
    seqs = [record("view").seq for _ in range(3)]
    assert _matching(auditing, action="view", after=str(seqs[-1] + 100)) == seqs[::-1]
    assert _matching(auditing, action="view", before=str(seqs[0])) == []
    assert _matching(auditing, action="view", before="not-a-number") == seqs[::-1]


def test_the_pager_keeps_the_filters(auditing):
    for _ in range(60):
        record("view", username="vera")
    response = auditing.get("/audit/", {"action": "view", "actor": "vera"})
    assert b"?action=view&amp;actor=vera&amp;before=" in response.content
    assert b'href="/audit/export.csv?action=view&amp;actor=vera"' in response.content


def test_no_page_counts_the_table(auditing):
    for _ in range(60):
        record("view")
    with CaptureQueriesContext(connection) as queries:
        auditing.get("/audit/")
        auditing.get("/audit/", {"action": "view", "before": 30})
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_htmx_gets_only_the_results(auditing):
    record("view")
    response = auditing.get("/audit/", {"action": "view"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="results"' in response.content
    assert b"<html" not in response.content
    assert b"Tamper check" not in response.content
    assert "HX-Request" in response["Vary"]


def test_the_page_works_without_javascript(auditing):
    response = auditing.get("/audit/")
    content = response.content.decode()
    assert '<form method="get" action="/audit/"' in content
    assert '<button type="submit" class="primary">Show events</button>' in content
    assert "HX-Request" in response["Vary"]


def test_content_from_the_log_is_escaped(auditing):
    record("send", username="<b>mallory</b>", details={"content": "<script>alert(1)</script>"})
    content = auditing.get("/audit/").content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)" in content
    assert "<b>mallory" not in content


def test_times_are_shown_in_the_viewers_zone(client):
    user = make_user("kiri", "auditor", time_zone="Pacific/Auckland")
    with time_machine.travel(datetime(2026, 3, 1, 10, 30, tzinfo=UTC), tick=False):
        record("view")
    client.force_login(user)
    content = client.get("/audit/", {"action": "view"}).content.decode()
    assert "2026-03-01 23:30:00" in content
    assert "Pacific/Auckland" in content


# --- Filters ------------------------------------------------------------------


def test_it_filters_by_actor_part_or_exact(auditing):
    alice = record("view", username="alice").seq
    alicia = record("view", username="alicia").seq
    record("view", username="bob")
    assert _matching(auditing, action="view", actor="ALI") == [alicia, alice]
    assert _matching(auditing, action="view", actor="alice", actor_exact="on") == [alice]


def test_it_filters_by_action_and_outcome(auditing):
    ok = record("delete", target="sms:1").seq
    denied = record("delete", outcome=Outcome.DENIED).seq
    record("view")
    assert _matching(auditing, action="delete") == [denied, ok]
    assert _matching(auditing, action="delete", outcome="denied") == [denied]


def test_actions_other_parts_record_can_be_filtered_too(auditing):
    mirrored = record("mirror exported").seq
    assert _matching(auditing, action="mirror exported") == [mirrored]


def test_it_refuses_to_record_an_action_nobody_declared(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        record("mirror exportd")


def test_dates_are_whole_days_in_the_viewers_zone(client):
    user = make_user("kiri", "auditor", time_zone="Pacific/Auckland")
    # 23:30 on 1 March in Auckland (UTC+13), then 00:30 on 2 March there.
    with time_machine.travel(datetime(2026, 3, 1, 10, 30, tzinfo=UTC), tick=False):
        late_first = record("view").seq
    with time_machine.travel(datetime(2026, 3, 1, 11, 30, tzinfo=UTC), tick=False):
        early_second = record("view").seq
    with time_machine.travel(datetime(2026, 3, 3, 12, 0, tzinfo=UTC), tick=False):
        record("view")
    client.force_login(user)
    day = "2026-03-01"
    assert _matching(client, action="view", since=day, until=day) == [late_first]
    assert _matching(client, action="view", since="2026-03-02", until="2026-03-02") == [
        early_second
    ]
    assert _matching(client, action="view", until="2026-03-02") == [early_second, late_first]


def test_a_message_id_finds_exactly_that_message(auditing):
    alone = record("delete", target="sms:123").seq
    record("delete", target="sms:1234")
    record("delete", target="sms:5123")
    in_bulk = record("delete", target=message_target([5, 123, 9])).seq
    record("delete", target="key:123")
    with audited("send", details={"content": "Hi"}) as attempt:
        attempt.add(created_ids=[122, 123, 124])
    sent = events("send")[-1].seq
    assert _matching(auditing, message="123") == [sent, in_bulk, alone]


def test_free_text_searches_target_details_and_names(auditing):
    by_target = record("view", target="sms:777").seq
    in_details = record("send", details={"content": "Grüße aus Köln"}).seq
    quoted = record("send", details={"content": 'say "hi" twice'}).seq
    by_name = record("view", username="grüße-bot").seq
    record("view", username="someone else", details={"content": "nothing"})
    assert _matching(auditing, text="777", views="on") == [by_target]
    assert _matching(auditing, text="777") == []  # a page view: hidden unless asked for
    assert set(_matching(auditing, text="Grüße", views="on")) == {in_details, by_name}
    assert _matching(auditing, text='"hi"') == [quoted]


def test_free_text_searches_the_operator_name(client):
    team = make_user("night-shift", "auditor", is_shared=True, operators_may_type_a_name=True)
    client.force_login(team)
    client.post("/accounts/operator/", {"operator_name": "Grace Hopper"})
    (named,) = events("operator named")
    assert named.seq in _matching(client, text="hopper")
    # The login came before the name was given.
    assert _matching(client, text="hopper", action="login") == []


def test_filters_combine(auditing):
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False):
        wanted = record("delete", username="vera", target="sms:42").seq
        record("delete", username="vera", target="sms:43")
        record("view", username="vera", target="sms:42")
        record("delete", username="sam", target="sms:42")
        record("delete", username="vera", target="sms:42", outcome=Outcome.UPSTREAM_ERROR)
    with time_machine.travel(datetime(2026, 5, 6, 9, 0, tzinfo=UTC), tick=False):
        record("delete", username="vera", target="sms:42")
    found = _matching(
        auditing,
        actor="vera",
        action="delete",
        outcome="ok",
        since="2026-05-04",
        until="2026-05-05",
        message="42",
        text="sms",
    )
    assert found == [wanted]


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"since": "2026-05-05", "until": "2026-05-01"}, "The end date is before the start date."),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"message": "12abc"}, "Enter a whole number."),
        ({"action": "drop table"}, "Select a valid choice."),
        ({"outcome": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained_and_what_was_typed_survives(auditing, bad, says):
    response = auditing.get("/audit/", bad)
    assert response.status_code == 400
    content = response.content.decode()
    assert says in content
    assert "Nothing is shown until these filters are fixed" in content
    typed = next(iter(bad.values()))
    if "since" in bad or "message" in bad:
        assert f'value="{typed}"' in content
    (viewed,) = events("audit viewed")
    assert viewed.outcome == Outcome.INVALID


def test_bad_filters_over_htmx_explain_in_the_results(auditing):
    response = auditing.get("/audit/", {"message": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx leaves error answers unswapped
    assert b"Message id: Enter a whole number." in response.content


# --- One event ----------------------------------------------------------------


def test_the_detail_page_shows_every_field_and_links_the_pair(auditing):
    with audited("delete", target="sms:5", details={"reason": "typo"}):
        pass
    started, finished = events("delete")
    page = auditing.get(f"/audit/events/{started.seq}/").content.decode()
    assert f'href="/audit/events/{finished.seq}/"' in page
    assert started.hash in page and started.prev_hash in page
    assert "&quot;reason&quot;: &quot;typo&quot;" in page
    page = auditing.get(f"/audit/events/{finished.seq}/").content.decode()
    assert f'href="/audit/events/{started.seq}/"' in page
    viewed = events("audit viewed")
    assert [event.target for event in viewed] == [f"audit:{started.seq}", f"audit:{finished.seq}"]


def test_an_unfinished_attempt_says_so(auditing):
    started = record("send", outcome=Outcome.STARTED)
    page = auditing.get(f"/audit/events/{started.seq}/").content.decode()
    assert "the attempt never finished" in page


def test_a_missing_event_is_a_404_and_recorded(auditing):
    response = auditing.get("/audit/events/999/")
    assert response.status_code == 404
    (viewed,) = events("audit viewed")
    assert (viewed.target, viewed.outcome) == ("audit:999", Outcome.INVALID)


# --- The tamper check ---------------------------------------------------------


def test_verify_now_checks_the_chain_and_shows_the_result(auditing, auditor):
    record("view")
    response = auditing.post("/audit/verify/", follow=True)
    assert b"The audit chain is intact" in response.content
    verification = AuditVerification.objects.get()
    assert verification.ok
    (verified,) = events("audit verified")
    assert verified.actor_id == auditor.pk
    page = auditing.get("/audit/").content.decode()
    assert (
        f"{verification.events_checked} events checked through #{verification.through_seq}" in page
    )


def test_verify_now_needs_a_post(auditing):
    assert auditing.get("/audit/verify/").status_code == 405
    assert not AuditVerification.objects.exists()


def test_a_broken_chain_is_shown_at_the_top(auditing):
    from tests.audit.conftest import tamper

    event = record("view")
    record("view")
    tamper("UPDATE audit_auditevent SET target = 'sms:1' WHERE id = %s", [event.pk])
    response = auditing.post("/audit/verify/", follow=True)
    content = response.content.decode()
    assert "The audit chain is broken" in content
    assert f'href="/audit/events/{event.seq}/"' in content


def test_verify_now_on_a_log_too_long_to_wait_for_says_how_far_it_got(auditing, monkeypatch):
    from smsadmin.audit import views

    for _ in range(5):
        record("view")
    monkeypatch.setattr(views, "WEB_TIME_LIMIT_SECONDS", 0.0)
    content = auditing.post("/audit/verify/", follow=True).content.decode()
    assert "too long to check while you wait" in content
    assert "manage.py verify_audit" in content
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.complete) == (True, False)
    assert verification.through_seq < events()[-1].seq
    assert events("audit verified")[0].details["complete"] is False
