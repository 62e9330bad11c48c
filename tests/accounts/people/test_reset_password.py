import re

import pytest
from django.test import Client

from smsadmin.accounts.models import PasswordLink
from smsadmin.audit.models import AuditEvent, Outcome
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db


def shown_path(response) -> str:
    match = re.search(
        r'value="http://testserver(/accounts/password/set/[^"]+)"', response.content.decode()
    )
    assert match, "no link on the page"
    return match.group(1)


def test_it_asks_to_confirm_first(as_admin, viewer):
    page = as_admin.get(f"/people/{viewer.pk}/password/reset/").content.decode()
    assert "A new password link for vera?" in page
    assert not PasswordLink.objects.exists()


def test_it_shows_a_new_link_once_and_the_link_sets_a_new_password(as_admin, viewer):
    response = as_admin.post(f"/people/{viewer.pk}/password/reset/")
    assert "no-store" in response["Cache-Control"]
    assert "Their old password keeps working until they use the link." in response.content.decode()
    path = shown_path(response)
    assert PasswordLink.objects.get().purpose == "reset"
    assert sign_in(Client(), "vera").status_code == 302
    Client().post(
        path, {"new_password1": "a new passphrase here", "new_password2": "a new passphrase here"}
    )
    assert sign_in(Client(), "vera", "a new passphrase here").status_code == 302
    assert sign_in(Client(), "vera").status_code == 200


def test_the_older_link_stops_working(as_admin, viewer):
    first = shown_path(as_admin.post(f"/people/{viewer.pk}/password/reset/"))
    shown_path(as_admin.post(f"/people/{viewer.pk}/password/reset/"))
    assert Client().get(first).status_code == 410


def test_it_is_audited_without_the_link(as_admin, admin_user, viewer):
    path = shown_path(as_admin.post(f"/people/{viewer.pk}/password/reset/"))
    event = AuditEvent.objects.get(action="password link issued")
    assert (event.actor, event.target, event.details["purpose"]) == (
        admin_user,
        "user:vera",
        "reset",
    )
    assert path.split("/")[-2] not in str(event.details)


def test_a_deactivated_person_gets_no_link(as_admin):
    gone = make_user("gina", "viewer", is_active=False)
    response = as_admin.post(f"/people/{gone.pk}/password/reset/", follow=True)
    assert "gina is deactivated: reactivate them first." in response.content.decode()
    assert not PasswordLink.objects.exists()
    assert AuditEvent.objects.get(action="password link issued").outcome == Outcome.DENIED


def test_a_shared_login_gets_no_link(as_admin):
    desk = make_user("desk", "sender", is_shared=True)
    as_admin.post(f"/people/{desk.pk}/password/reset/")
    assert not PasswordLink.objects.exists()


def test_only_a_superuser_resets_a_superusers_password(as_admin):
    root = make_user("root", is_superuser=True, is_staff=True)
    as_admin.post(f"/people/{root.pk}/password/reset/")
    assert not PasswordLink.objects.exists()


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, viewer):
    assert_refused(client, not_an_admin, "get", f"/people/{viewer.pk}/password/reset/")
    assert_refused(client, not_an_admin, "post", f"/people/{viewer.pk}/password/reset/")
    assert not PasswordLink.objects.exists()
