"""The Django admin shows audit events read-only, and looking there is recorded too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smsadmin.audit.models import AuditEvent
from smsadmin.audit.recorder import record
from tests.audit.conftest import events
from tests.conftest import force_login_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def in_admin(client, superuser):
    force_login_verified(client, superuser)
    return client


def test_the_changelist_lists_events_newest_first(in_admin):
    record("view", username="vera", target="sms:5")
    record("delete", username="vera", target="sms:6")
    response = in_admin.get(CHANGELIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("sms:6") < content.index("sms:5")
    assert "Add audit event" not in content


def test_the_changelist_does_not_count_the_whole_table(in_admin):
    for _ in range(5):
        record("view")
    with CaptureQueriesContext(connection) as queries:
        response = in_admin.get(CHANGELIST)
    assert response.status_code == 200
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "audit_auditevent" in q["sql"]
    ]
    assert counts == []
    assert "7 audit events" in response.content.decode()  # 5, the login and this visit's event


def test_filters_and_search_work(in_admin):
    record("view", username="vera")
    record("delete", username="sam")
    response = in_admin.get(CHANGELIST, {"action": "delete"})
    assert [e.action for e in response.context["cl"].result_list] == ["delete"]
    response = in_admin.get(CHANGELIST, {"q": "vera"})
    assert [e.actor_username for e in response.context["cl"].result_list] == ["vera"]


def test_an_event_is_shown_but_cannot_be_changed(in_admin):
    event = record("view", username="vera", details={"content": "hello"})
    page = in_admin.get(f"{CHANGELIST}{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    refused = in_admin.post(f"{CHANGELIST}{event.pk}/change/", {"action": "edited"})
    assert refused.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_events_cannot_be_added_or_deleted(in_admin):
    event = record("view")
    assert in_admin.get(f"{CHANGELIST}add/").status_code == 403
    assert in_admin.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = in_admin.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_looking_in_the_admin_is_recorded(in_admin):
    event = record("view")
    in_admin.get(CHANGELIST)
    in_admin.get(f"{CHANGELIST}{event.pk}/change/")
    viewed = events("audit viewed")
    assert [e.details["via"] for e in viewed] == ["django admin", "django admin"]
    assert viewed[1].target == f"audit:{event.seq}"


def test_people_without_staff_access_are_kept_out(client, auditor):
    client.force_login(auditor)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
