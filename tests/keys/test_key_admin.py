import pytest
from django.contrib.auth.models import Group

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from tests.conftest import force_login_verified, give_key, make_user

pytestmark = pytest.mark.django_db

RAW = "ss-admin-canary-8080"


@pytest.fixture
def superuser(client):
    person = make_user("root", is_staff=True, is_superuser=True)
    # The Django admin also asks for a second factor.
    force_login_verified(client, person)
    return person


@pytest.fixture
def key(viewer):
    return give_key(viewer, RAW, label="Ops phones")


def test_the_list_shows_label_owner_and_hint_but_no_key_material(client, superuser, key):
    page = client.get("/admin/keys/apikey/").content.decode()
    assert "Ops phones" in page
    assert "••••8080" in page
    assert RAW not in page
    assert key.ciphertext not in page
    assert "ciphertext" not in page.lower()


def test_the_change_page_shows_no_key_material(client, superuser, key):
    page = client.get(f"/admin/keys/apikey/{key.pk}/change/").content.decode()
    assert 'name="label"' in page
    assert RAW not in page
    assert key.ciphertext not in page
    assert "ciphertext" not in page.lower()


def test_keys_cannot_be_added_in_django_admin(client, superuser):
    assert client.get("/admin/keys/apikey/add/").status_code == 403
    changelist = client.get("/admin/keys/apikey/").content.decode()
    assert 'href="/admin/keys/apikey/add/"' not in changelist


def test_a_superuser_may_move_a_key_to_a_team_and_it_is_audited(client, superuser, key):
    support = Team.objects.create(name="support")
    response = client.post(
        f"/admin/keys/apikey/{key.pk}/change/",
        {"label": "Support line", "owner": "", "team": support.pk},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.label, key.owner, key.team) == ("Support line", None, support)
    assert key.reveal() == RAW
    event = AuditEvent.objects.get(action="admin changed")
    assert event.target == f"apikey:{key.pk}"
    assert RAW not in str(event.details)


def test_a_key_needs_exactly_one_owner_or_team(client, superuser, key, viewer):
    support = Team.objects.create(name="support")
    page = client.post(
        f"/admin/keys/apikey/{key.pk}/change/",
        {"label": "Both", "owner": viewer.pk, "team": support.pk},
    ).content.decode()
    assert "A key belongs to one person or to one team: pick exactly one." in page
    key.refresh_from_db()
    assert key.label == "Ops phones"


def test_a_role_group_is_not_offered_as_a_team(client, superuser, key):
    assert Group.objects.filter(name="sender").exists()
    page = client.get(f"/admin/keys/apikey/{key.pk}/change/").content.decode()
    assert ">sender</option>" not in page


def test_staff_without_superuser_rights_cannot_see_keys(client, key):
    force_login_verified(client, make_user("staffer", is_staff=True))
    assert client.get("/admin/keys/apikey/").status_code == 403
