"""Each role may do exactly what DESIGN.md's table says, enforced on the server.

Only refused-or-not is asserted: a permitted person without an API key is sent
to the keys page, which is "not refused" just as a 200 is.
"""

import pytest
from django.urls import reverse

from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ACTIONS = {
    "list messages": "sms:list",
    "compose": "sms:compose",
    "see scheduled": "sms:scheduled",
    "review the audit log": "audit:review",
    "add team keys": "keys:add_team",
}
ALLOWED = {
    "viewer": {"list messages", "see scheduled"},
    "sender": {"list messages", "compose", "see scheduled"},
    "auditor": {"review the audit log"},
    "admin": set(ACTIONS),
    "stranger": set(),
}
NEEDED_ROLE = {
    "list messages": "viewer",
    "compose": "sender",
    "see scheduled": "viewer",
    "review the audit log": "auditor",
    "add team keys": "admin",
}
CASES = [
    pytest.param(
        role,
        action,
        action in ALLOWED[role],
        id=f"{role} {'may' if action in ALLOWED[role] else 'may not'} {action}",
    )
    for role in ALLOWED
    for action in ACTIONS
]
FIXTURES = {
    "viewer": "viewer",
    "sender": "sender",
    "auditor": "auditor",
    "admin": "admin_user",
    "stranger": "stranger",
}


@pytest.mark.parametrize(("role", "action", "allowed"), CASES)
def test_each_role_may_do_exactly_what_the_table_says(
    client, request, upstream, role, action, allowed
):
    client.force_login(request.getfixturevalue(FIXTURES[role]))
    response = client.get(reverse(ACTIONS[action]))
    if allowed:
        assert response.status_code != 403
    else:
        assert response.status_code == 403
        page = response.content.decode()
        assert f"This needs the <strong>{NEEDED_ROLE[action]}</strong> role" in page


@pytest.mark.parametrize(
    ("role", "action", "allowed"), [case for case in CASES if not case.values[2]]
)
def test_an_htmx_request_is_refused_just_the_same(client, request, upstream, role, action, allowed):
    client.force_login(request.getfixturevalue(FIXTURES[role]))
    response = client.get(reverse(ACTIONS[action]), headers={"HX-Request": "true"})
    assert response.status_code == 403


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_superuser_may_do_everything(client, upstream, action):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(reverse(ACTIONS[action])).status_code != 403


def test_a_refusal_is_recorded_with_the_role_it_needed(client, viewer):
    client.force_login(viewer)
    client.get(reverse("sms:compose"))
    event = AuditEvent.objects.get(action="permission denied")
    assert event.actor == viewer
    assert event.outcome == Outcome.DENIED
    assert event.target == reverse("sms:compose")
    assert event.details["needed_role"] == "sender"


def test_a_deactivated_person_may_do_nothing(client, sender):
    sender.is_active = False
    sender.save()
    client.force_login(sender)
    response = client.get(reverse("sms:compose"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_signed_out_visitor_is_asked_to_sign_in(client):
    response = client.get(reverse("sms:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
