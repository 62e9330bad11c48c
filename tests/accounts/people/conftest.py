"""The People pages: an admin (owner), a sender (member), someone with no role (stranger)."""

import pytest

from smsadmin.audit.models import AuditEvent, Outcome


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(params=["sender", "stranger", "auditor"])
def not_an_admin(request):
    """Each person who is signed in but is no admin, in turn."""
    return request.getfixturevalue(request.param)


def assert_refused(client, person, method: str, path: str, data: dict | None = None) -> None:
    """The explaining 403 for ``person``, and a recorded denial, with nothing else done."""
    client.force_login(person)
    before = AuditEvent.objects.count()
    response = getattr(client, method)(path, data or {})
    assert response.status_code == 403, (method, path)
    assert "This needs the <strong>admin</strong> role" in response.content.decode()
    (denied,) = AuditEvent.objects.order_by("seq")[before:]
    assert (denied.action, denied.outcome, denied.actor) == (
        "permission denied",
        Outcome.DENIED,
        person,
    )
    assert denied.details["method"] == method.upper()
