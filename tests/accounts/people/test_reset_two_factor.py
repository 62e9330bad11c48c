import pytest
from django.test import Client

from smsadmin.accounts import twofactor
from smsadmin.accounts.otp_devices import AppDevice, RecoveryCodes
from smsadmin.audit.models import AuditEvent, Outcome
from tests.accounts.people.conftest import assert_refused
from tests.conftest import force_login_verified, make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(db):
    """Nina, a sender with an authenticator app and recovery codes."""
    person = make_user("nina", "sender")
    AppDevice.objects.create(user=person, name="app", confirmed=True)
    twofactor.new_recovery_codes(person)
    return person


def test_it_asks_to_confirm_first(as_admin, enrolled):
    page = as_admin.get(f"/people/{enrolled.pk}/two-factor/reset/").content.decode()
    assert "Reset nina's two-factor sign-in?" in page
    assert twofactor.has_second_factor(enrolled)


def test_it_removes_the_app_and_the_recovery_codes(as_admin, enrolled):
    response = as_admin.post(f"/people/{enrolled.pk}/two-factor/reset/", follow=True)
    assert "two-factor sign-in is reset" in response.content.decode()
    assert not AppDevice.objects.filter(user=enrolled).exists()
    assert not RecoveryCodes.objects.filter(user=enrolled).exists()


def test_their_sessions_end_and_they_set_it_up_again_at_the_next_sign_in(
    client, admin_user, enrolled, settings
):
    settings.SMSADMIN_2FA_REQUIRED = "sender"
    force_login_verified(client, admin_user)
    browser = Client()
    force_login_verified(browser, enrolled)
    assert browser.get("/accounts/preferences/").status_code == 200
    client.post(f"/people/{enrolled.pk}/two-factor/reset/")
    assert browser.get("/accounts/preferences/")["Location"].startswith("/accounts/login/")
    fresh = Client()
    sign_in(fresh, "nina")
    assert fresh.get("/accounts/preferences/")["Location"].startswith("/accounts/2fa/?next=")


def test_it_is_audited_with_before_and_after(as_admin, admin_user, enrolled):
    as_admin.post(f"/people/{enrolled.pk}/two-factor/reset/")
    event = AuditEvent.objects.get(action="2fa reset")
    assert (event.actor, event.target) == (admin_user, "user:nina")
    assert event.details == {
        "before": {"two_factor": "on"},
        "after": {"two_factor": "off"},
        "required": False,
        "sessions_ended": True,
    }


def test_a_person_without_two_factor_is_left_alone(as_admin, viewer):
    response = as_admin.post(f"/people/{viewer.pk}/two-factor/reset/", follow=True)
    assert "vera had no two-factor sign-in to reset." in response.content.decode()
    event = AuditEvent.objects.get(action="2fa reset")
    assert event.details == {"two_factor": "off", "changed": False}


def test_an_admin_resets_their_own_on_the_two_factor_page_only(client, admin_user):
    force_login_verified(client, admin_user)
    response = client.post(f"/people/{admin_user.pk}/two-factor/reset/", follow=True)
    assert "Your own two-factor sign-in is changed on the Two-factor sign-in page" in (
        response.content.decode()
    )
    assert twofactor.has_second_factor(admin_user)
    assert AuditEvent.objects.get(action="2fa reset").outcome == Outcome.DENIED


def test_only_a_superuser_resets_a_superusers(as_admin):
    root = make_user("root", is_superuser=True, is_staff=True)
    AppDevice.objects.create(user=root, name="app", confirmed=True)
    as_admin.post(f"/people/{root.pk}/two-factor/reset/")
    assert twofactor.has_second_factor(root)


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, enrolled):
    assert_refused(client, not_an_admin, "get", f"/people/{enrolled.pk}/two-factor/reset/")
    assert_refused(client, not_an_admin, "post", f"/people/{enrolled.pk}/two-factor/reset/")
    assert twofactor.has_second_factor(enrolled)
