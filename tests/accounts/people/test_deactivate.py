import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management import call_command
from django.test import Client

from smsadmin.accounts.models import PasswordLink
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import record
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key
from tests.accounts.people.conftest import assert_refused
from tests.conftest import give_key, make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_sender(sender) -> Client:
    """Sam, signed in through the real form in a browser of their own."""
    browser = Client()
    assert sign_in(browser, "sam").status_code == 302
    return browser


def test_it_asks_to_confirm_first(as_admin, sender):
    page = as_admin.get(f"/people/{sender.pk}/deactivate/").content.decode()
    assert "Deactivate sam?" in page
    sender.refresh_from_db()
    assert sender.is_active


def test_every_open_session_ends_at_the_next_click(as_admin, sender, signed_in_sender):
    other_browser = Client()
    sign_in(other_browser, "sam")
    assert signed_in_sender.get("/accounts/preferences/").status_code == 200
    response = as_admin.post(f"/people/{sender.pk}/deactivate/", follow=True)
    assert "sam is deactivated" in response.content.decode()
    for browser in (signed_in_sender, other_browser):
        response = browser.get("/accounts/preferences/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_they_cannot_sign_in_again(as_admin, sender):
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    response = sign_in(Client(), "sam")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_reactivating_does_not_bring_an_old_session_back(as_admin, sender, signed_in_sender):
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    as_admin.post(f"/people/{sender.pk}/reactivate/")
    assert signed_in_sender.get("/accounts/preferences/").status_code == 302
    assert sign_in(Client(), "sam").status_code == 302


def test_their_own_api_keys_stop_being_used(as_admin, sender):
    own = give_key(sender)
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    sender.refresh_from_db()
    assert active_key(sender) is None
    assert own not in ApiKey.objects.in_service()
    as_admin.post(f"/people/{sender.pk}/reactivate/")
    sender.refresh_from_db()
    assert active_key(sender) == own


def test_the_message_sync_leaves_their_keys_alone(as_admin, sender, monkeypatch):
    give_key(sender)
    synced = []
    monkeypatch.setattr(
        "smsadmin.mirror.sync.run_all", lambda keys, holder: synced.extend(keys) or []
    )
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    call_command("sync_messages", verbosity=0)
    assert synced == []


def test_their_audit_history_stays(as_admin, sender):
    record("view", actor=sender, target="sms:7")
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    assert AuditEvent.objects.get(action="view").actor_username == "sam"


def test_it_is_audited_with_before_and_after(as_admin, admin_user, sender):
    as_admin.post(f"/people/{sender.pk}/deactivate/")
    event = AuditEvent.objects.get(action="person deactivated")
    assert (event.actor, event.target) == (admin_user, "user:sam")
    assert event.details == {
        "before": {"active": True},
        "after": {"active": False},
        "sessions_ended": True,
        "links_closed": 0,
    }


def test_their_unused_set_password_links_close(as_admin):
    as_admin.post("/people/invite/", {"username": "maria", "email": "m@example.com"})
    maria = PasswordLink.objects.get().user
    as_admin.post(f"/people/{maria.pk}/deactivate/")
    assert PasswordLink.objects.get().closed_at is not None


def test_an_admin_cannot_deactivate_themself(as_admin, admin_user):
    make_user("bob", "admin")
    response = as_admin.post(f"/people/{admin_user.pk}/deactivate/", follow=True)
    assert "You cannot deactivate yourself" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert AuditEvent.objects.get(action="person deactivated").outcome == Outcome.DENIED


def test_the_person_page_offers_no_deactivation_of_oneself(as_admin, admin_user):
    page = as_admin.get(f"/people/{admin_user.pk}/").content.decode()
    assert f"/people/{admin_user.pk}/deactivate/" not in page


def test_only_a_superuser_deactivates_a_superuser(as_admin):
    root = make_user("root", is_superuser=True, is_staff=True)
    as_admin.post(f"/people/{root.pk}/deactivate/")
    root.refresh_from_db()
    assert root.is_active


def test_a_shared_login_is_deactivated_for_every_operator(as_admin):
    desk = make_user("desk", "sender", is_shared=True, operators_may_type_a_name=True)
    browser = Client()
    sign_in(browser, "desk")
    as_admin.post(f"/people/{desk.pk}/deactivate/")
    assert browser.get("/accounts/operator/")["Location"].startswith("/accounts/login/")


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, viewer):
    assert_refused(client, not_an_admin, "get", f"/people/{viewer.pk}/deactivate/")
    assert_refused(client, not_an_admin, "post", f"/people/{viewer.pk}/deactivate/")
    viewer.refresh_from_db()
    assert viewer.is_active


def test_sessions_from_before_session_epochs_stay_valid(sender):
    # Epoch 0 is every existing person's after the migration: nobody is signed out by it.
    assert sender.session_epoch == 0
    assert sender.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(sender)
    sender.session_epoch = 1
    assert sender.get_session_auth_hash() != AbstractBaseUser._get_session_auth_hash(sender)
