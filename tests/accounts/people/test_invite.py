import hashlib
import json
import re
import smtplib

import pytest
from django.core import mail

from smsadmin.accounts.models import PasswordLink, Team, User
from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused

pytestmark = pytest.mark.django_db

MARIA = {
    "username": "maria",
    "first_name": "Maria",
    "last_name": "Keller",
    "email": "maria@example.com",
    "roles": ["sender"],
}


def shown_link(response) -> str:
    match = re.search(
        r'id="set-password-link" class="link-box" value="([^"]+)"', response.content.decode()
    )
    assert match, "no link on the page"
    return match.group(1)


def test_an_admin_invites_a_person_with_roles_and_teams(as_admin):
    support = Team.objects.create(name="Support")
    response = as_admin.post("/people/invite/", {**MARIA, "teams": [support.pk]})
    assert response.status_code == 200
    maria = User.objects.get(username="maria")
    assert (maria.get_full_name(), maria.email) == ("Maria Keller", "maria@example.com")
    assert list(maria.groups.values_list("name", flat=True)) == ["sender"]
    assert list(maria.teams.all()) == [support]
    assert not maria.has_usable_password()


def test_the_link_is_shown_once_and_only_its_hash_is_kept(as_admin):
    response = as_admin.post("/people/invite/", MARIA)
    link = shown_link(response)
    assert link.startswith("http://testserver/accounts/password/set/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = PasswordLink.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(PasswordLink.objects.values()), default=str)
    assert "no-store" in response["Cache-Control"]
    assert "It is shown only now" in response.content.decode()
    # The person's page shows that a link is waiting, never the link.
    page = as_admin.get(f"/people/{stored.user_id}/").content.decode()
    assert "the set-password link works until" in page
    assert token not in page


def test_the_link_works_for_72_hours(as_admin):
    as_admin.post("/people/invite/", MARIA)
    link = PasswordLink.objects.get()
    assert (link.expires_at - link.created_at).total_seconds() == 72 * 3600
    assert link.purpose == "invite"


def test_without_email_nothing_is_sent_and_the_page_says_so(as_admin, settings):
    settings.SMSADMIN_EMAIL_LINKS = False
    response = as_admin.post("/people/invite/", MARIA)
    assert mail.outbox == []
    assert "E-mail is not set up on this site" in response.content.decode()


def test_with_email_the_link_is_sent_to_the_person(as_admin, settings):
    settings.SMSADMIN_EMAIL_LINKS = True
    response = as_admin.post("/people/invite/", MARIA)
    (message,) = mail.outbox
    assert message.to == ["maria@example.com"]
    assert shown_link(response) in message.body
    assert "Your username is maria." in message.body
    assert "It was also e-mailed to maria@example.com." in response.content.decode()


def test_a_failed_email_still_shows_the_link_and_says_why(as_admin, settings, monkeypatch):
    settings.SMSADMIN_EMAIL_LINKS = True

    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr("smsadmin.accounts.invites.send_mail", refuse)
    response = as_admin.post("/people/invite/", MARIA)
    assert shown_link(response)
    assert "The e-mail could not be sent (SMTPRecipientsRefused)" in response.content.decode()
    event = AuditEvent.objects.get(action="person invited")
    assert event.details["email_problem"] == "SMTPRecipientsRefused"


def test_the_invitation_is_audited_with_what_was_given_and_never_the_link(as_admin, admin_user):
    response = as_admin.post("/people/invite/", MARIA)
    token = shown_link(response).rstrip("/").rsplit("/", 1)[1]
    event = AuditEvent.objects.get(action="person invited")
    assert (event.actor, event.target) == (admin_user, "user:maria")
    assert event.details["before"] is None
    assert event.details["after"] == {
        "name": "Maria Keller",
        "email": "maria@example.com",
        "roles": ["sender"],
        "teams": [],
    }
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert token not in everything
    assert PasswordLink.objects.get().token_hash not in everything


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"username": "sam"}, "A user with that username already exists."),
        ({"email": "SAM@example.com"}, "Someone here already has this e-mail address."),
        ({"email": ""}, "This field is required."),
        ({"username": "no spaces please"}, "Enter a valid username."),
        ({"roles": ["boss"]}, "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_nobody_is_made(as_admin, sender, change, error):
    sender.email = "sam@example.com"
    sender.save()
    response = as_admin.post("/people/invite/", {**MARIA, **change})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not PasswordLink.objects.exists()
    assert not AuditEvent.objects.filter(action="person invited").exists()


def test_it_refuses_anyone_but_an_admin(client, not_an_admin):
    assert_refused(client, not_an_admin, "get", "/people/invite/")
    assert_refused(client, not_an_admin, "post", "/people/invite/", MARIA)
    assert not User.objects.filter(username="maria").exists()


def test_the_new_person_appears_on_the_people_page(as_admin):
    as_admin.post("/people/invite/", MARIA)
    assert ">maria</a>" in as_admin.get("/people/").content.decode()
