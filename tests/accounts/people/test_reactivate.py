import pytest
from django.test import Client

from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def gone(db):
    return make_user("gina", "viewer", is_active=False)


def test_an_admin_reactivates_a_person_who_then_signs_in(as_admin, gone):
    page = as_admin.get(f"/people/{gone.pk}/").content.decode()
    assert "Reactivate gina" in page
    response = as_admin.post(f"/people/{gone.pk}/reactivate/", follow=True)
    assert "gina is active again and can sign in." in response.content.decode()
    assert sign_in(Client(), "gina").status_code == 302


def test_it_is_audited_with_before_and_after(as_admin, admin_user, gone):
    as_admin.post(f"/people/{gone.pk}/reactivate/")
    event = AuditEvent.objects.get(action="person reactivated")
    assert (event.actor, event.target) == (admin_user, "user:gina")
    assert event.details == {"before": {"active": False}, "after": {"active": True}}


def test_an_active_person_is_left_as_they_are(as_admin, viewer):
    response = as_admin.post(f"/people/{viewer.pk}/reactivate/", follow=True)
    assert "vera was already active." in response.content.decode()
    event = AuditEvent.objects.get(action="person reactivated")
    assert event.details == {"active": True, "changed": False}


def test_it_is_a_post(as_admin, gone):
    assert as_admin.get(f"/people/{gone.pk}/reactivate/").status_code == 405


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, gone):
    assert_refused(client, not_an_admin, "post", f"/people/{gone.pk}/reactivate/")
    gone.refresh_from_db()
    assert not gone.is_active
