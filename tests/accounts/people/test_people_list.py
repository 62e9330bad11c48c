import re
from datetime import UTC, datetime

import pytest

from smsadmin.accounts.models import Team, User
from smsadmin.accounts.otp_devices import AppDevice
from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.conftest import force_login_verified, make_user

pytestmark = pytest.mark.django_db


def row(page: str, person) -> str:
    match = re.search(rf'<tr id="person-{person.pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {person.username}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_it_lists_everyone_with_roles_teams_shared_flag_two_factor_last_sign_in_and_status(
    as_admin, admin_user, sender
):
    Team.objects.create(name="Support").members.add(sender)
    sender.last_login = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    sender.first_name, sender.last_name = "Sam", "Lee"
    sender.save()
    AppDevice.objects.create(user=sender, name="app", confirmed=True)
    desk = make_user("desk", "viewer", is_shared=True)
    gone = make_user("gone", "viewer", is_active=False)
    page = as_admin.get("/people/").content.decode()
    assert row(page, sender) == "sam Sam Lee sender Support no on 2026-03-02 09:30 active"
    assert row(page, desk) == "desk — viewer — yes off never active"
    assert row(page, gone).endswith("deactivated")
    assert row(page, admin_user).startswith("alice — admin")


def test_it_shows_an_invited_person_until_they_chose_a_password(as_admin):
    as_admin.post(
        "/people/invite/",
        {"username": "maria", "email": "maria@example.com", "roles": ["sender"]},
    )
    page = as_admin.get("/people/").content.decode()
    assert "invited" in row(page, User.objects.get(username="maria"))


def test_it_says_when_two_factor_is_required_but_not_set_up(client, admin_user, sender, settings):
    settings.SMSADMIN_2FA_REQUIRED = "sender"
    # Admins have the sender role, so they need their own second factor first.
    force_login_verified(client, admin_user)
    page = client.get("/people/").content.decode()
    assert "required, not set up" in row(page, sender)


def test_it_filters_by_role(as_admin, sender, viewer, auditor):
    page = as_admin.get("/people/?role=auditor").content.decode()
    assert f'id="person-{auditor.pk}"' in page
    assert f'id="person-{sender.pk}"' not in page
    assert "People with the auditor role" in page
    # A sender has the viewer role too.
    page = as_admin.get("/people/?role=viewer").content.decode()
    assert f'id="person-{viewer.pk}"' in page and f'id="person-{sender.pk}"' in page
    assert f'id="person-{auditor.pk}"' not in page


def test_an_unknown_role_shows_everyone_and_says_so(as_admin, sender):
    response = as_admin.get("/people/?role=boss")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert f'id="person-{sender.pk}"' in response.content.decode()


def test_it_asks_the_database_the_same_few_times_for_many_people(
    as_admin, django_assert_max_num_queries
):
    for number in range(30):
        make_user(f"person{number}", "sender").teams.add(Team.objects.get_or_create(name="T")[0])
    with django_assert_max_num_queries(20):
        assert as_admin.get("/people/").status_code == 200


def test_looking_is_recorded(as_admin):
    as_admin.get("/people/?role=sender")
    assert AuditEvent.objects.get(action="people viewed").details == {"role": "sender"}


def test_the_navigation_offers_people_to_admins_only(client, admin_user, sender):
    client.force_login(admin_user)
    assert 'href="/people/"' in client.get("/keys/").content.decode()
    client.force_login(sender)
    assert 'href="/people/"' not in client.get("/keys/").content.decode()


def test_it_refuses_anyone_but_an_admin(client, not_an_admin):
    assert_refused(client, not_an_admin, "get", "/people/")
