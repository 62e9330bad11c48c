import pytest
from django.test import Client

from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

NEW = {"new_password1": "the new desk passphrase", "new_password2": "the new desk passphrase"}


@pytest.fixture
def desk(db):
    return make_user("desk", "sender", is_shared=True, operators_may_type_a_name=True)


def test_an_admin_sets_a_shared_logins_password_and_everyone_on_it_is_signed_out(as_admin, desk):
    browser = Client()
    sign_in(browser, "desk")
    response = as_admin.post(f"/people/{desk.pk}/password/", NEW, follow=True)
    assert (
        "desk has a new password; everyone signed in to it is signed out."
        in response.content.decode()
    )
    assert browser.get("/accounts/operator/")["Location"].startswith("/accounts/login/")
    assert sign_in(Client(), "desk", NEW["new_password1"]).status_code == 302


def test_it_is_audited_without_the_password(as_admin, admin_user, desk):
    as_admin.post(f"/people/{desk.pk}/password/", NEW)
    event = AuditEvent.objects.get(action="shared password set")
    assert (event.actor, event.target, event.details) == (
        admin_user,
        "user:desk",
        {"sessions_ended": True},
    )
    assert NEW["new_password1"] not in str(list(AuditEvent.objects.values()))


def test_the_sites_password_rules_apply(as_admin, desk):
    response = as_admin.post(
        f"/people/{desk.pk}/password/", {"new_password1": "short", "new_password2": "short"}
    )
    assert "This password is too short." in response.content.decode()
    desk.refresh_from_db()
    assert desk.check_password("correct horse battery")


def test_a_personal_login_is_not_set_this_way(as_admin, sender):
    assert as_admin.post(f"/people/{sender.pk}/password/", NEW).status_code == 404
    sender.refresh_from_db()
    assert sender.check_password("correct horse battery")


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, desk):
    assert_refused(client, not_an_admin, "get", f"/people/{desk.pk}/password/")
    assert_refused(client, not_an_admin, "post", f"/people/{desk.pk}/password/", NEW)
    desk.refresh_from_db()
    assert desk.check_password("correct horse battery")
