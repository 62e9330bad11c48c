"""The page a set-password link opens: for anyone holding the link, once, for 72 hours."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from smsadmin.accounts import invites, people
from smsadmin.accounts.models import PasswordLink, User
from smsadmin.accounts.roles import Role
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who
from tests.conftest import make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and fresh passphrase"


@pytest.fixture
def invited(admin_user) -> User:
    person, _ = people.invite(
        Who(actor=admin_user, actor_username="alice"),
        username="maria",
        first_name="Maria",
        last_name="K.",
        email="maria@example.com",
        roles=[Role.SENDER],
        teams=[],
        site_url="http://testserver/",
    )
    return person


def new_link(person: User, admin_user) -> str:
    """The path of a fresh link for ``person`` (closing any older one)."""
    issued = invites.issue(
        person, PasswordLink.Purpose.INVITE, by=admin_user, site_url="http://testserver/"
    )
    return urlsplit(issued.url).path


def choose(client: Client, path: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(path, {"new_password1": password, "new_password2": again or password})


def test_it_asks_the_person_for_a_password_and_names_the_account(client, invited, admin_user):
    page = client.get(new_link(invited, admin_user)).content.decode()
    assert "Choose your password" in page
    assert "Your username is <strong>maria</strong> (Maria K.)" in page


def test_the_password_is_set_and_the_person_signs_in_with_it(client, invited, admin_user):
    response = choose(client, new_link(invited, admin_user))
    assert response["Location"] == "/accounts/login/"
    assert (
        "Your password is set. Sign in as maria." in client.get("/accounts/login/").content.decode()
    )
    assert sign_in(Client(), "maria", NEW_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="password set by link")
    assert (event.actor, event.target, event.details) == (
        invited,
        "user:maria",
        {"purpose": "invite"},
    )


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short", "This password is too short."),
        ("password1234", "This password is too common."),
        ("maria@example.com1", "The password is too similar to the"),
        ("4815162342108", "This password is entirely numeric."),
    ],
)
def test_the_sites_password_rules_apply(client, invited, admin_user, password, error):
    path = new_link(invited, admin_user)
    response = choose(client, path, password)
    assert response.status_code == 200
    assert error in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    # The link still works after a refused password.
    assert choose(client, path)["Location"] == "/accounts/login/"


def test_the_two_passwords_must_match(client, invited, admin_user):
    response = choose(client, new_link(invited, admin_user), again=NEW_PASSWORD + "!")
    assert "The two password fields didn" in response.content.decode()


def test_a_used_link_is_refused_with_a_clear_page(client, invited, admin_user):
    path = new_link(invited, admin_user)
    choose(client, path)
    for method in (client.get, lambda p: choose(client, p, "another passphrase entirely")):
        response = method(path)
        assert response.status_code == 410
        assert "This link was already used" in response.content.decode()
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    refused = AuditEvent.objects.filter(action="password link refused")
    assert [(e.outcome, e.target, e.details["reason"]) for e in refused] == [
        (Outcome.DENIED, "user:maria", "used")
    ] * 2


def test_an_expired_link_is_refused(client, invited, admin_user):
    path = new_link(invited, admin_user)
    with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=1)):
        response = client.get(path)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert choose(client, path).status_code == 410
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_link_still_works_just_before_it_expires(client, invited, admin_user):
    path = new_link(invited, admin_user)
    with time_machine.travel(timezone.now() + timedelta(hours=71, minutes=59)):
        assert choose(client, path)["Location"] == "/accounts/login/"


@pytest.mark.parametrize(
    "change",
    [lambda path: path[:-5] + "AAAA/", lambda path: path[:-10] + "/", lambda path: path + "x/"],
)
def test_a_tampered_link_is_refused(client, invited, admin_user, change):
    path = change(new_link(invited, admin_user))
    response = client.get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert choose(client, path).status_code == 404
    refused = AuditEvent.objects.filter(action="password link refused").first()
    assert (refused.target, refused.details) == ("", {"reason": "unknown"})


def test_a_newer_link_closes_the_older_one(client, invited, admin_user):
    older = new_link(invited, admin_user)
    newer = new_link(invited, admin_user)
    response = client.get(older)
    assert response.status_code == 410
    assert "a newer link was made for this account" in response.content.decode()
    assert choose(client, newer)["Location"] == "/accounts/login/"


def test_deactivating_the_person_closes_their_link(client, invited, admin_user):
    path = new_link(invited, admin_user)
    people.deactivate(Who(actor=admin_user), invited)
    assert client.get(path).status_code == 410


def test_the_link_is_used_once_even_when_sent_twice_at_the_same_moment(client, invited, admin_user):
    path = new_link(invited, admin_user)
    link, _ = invites.find(path.rstrip("/").rsplit("/", 1)[1])
    invites.set_password(Who(actor=invited), link, NEW_PASSWORD)
    # The second submission had found the link open before the first finished.
    with pytest.raises(invites.LinkRefused):
        invites.set_password(Who(actor=invited), link, "a second passphrase here")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)


def test_someone_signed_in_is_asked_to_sign_out_first(client, invited, admin_user, sender):
    path = new_link(invited, admin_user)
    client.force_login(sender)
    response = client.get(path)
    assert response.status_code == 409
    assert "Sign out first" in response.content.decode()
    assert choose(client, path).status_code == 409
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_the_page_is_never_cached(client, invited, admin_user):
    assert "no-store" in client.get(new_link(invited, admin_user))["Cache-Control"]


def test_a_person_with_a_password_keeps_it_until_the_reset_link_is_used(client, admin_user):
    person = make_user("gina", "viewer")
    path = new_link(person, admin_user)
    assert sign_in(Client(), "gina").status_code == 302
    choose(client, path)
    assert sign_in(Client(), "gina", NEW_PASSWORD).status_code == 302
