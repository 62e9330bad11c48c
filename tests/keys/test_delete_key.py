import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key, choose_active_key
from tests.conftest import give_key, make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


def test_it_asks_for_confirmation_before_deleting(client, viewer):
    key = give_key(viewer, label="Ops phones")
    client.force_login(viewer)
    response = client.get(f"/keys/{key.pk}/delete/")
    page = response.content.decode()
    assert "Delete “Ops phones”?" in page
    assert 'method="post"' in page
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_the_owner_deletes_a_key(client, viewer):
    key = give_key(viewer, label="Ops phones")
    client.force_login(viewer)
    response = client.post(f"/keys/{key.pk}/delete/", follow=True)
    assert not ApiKey.objects.filter(pk=key.pk).exists()
    assert "“Ops phones” is deleted." in response.content.decode()


def test_deleting_is_recorded_with_label_and_hint(client, viewer):
    key = give_key(viewer, "ss-delete-me-4321", label="Ops phones")
    client.force_login(viewer)
    client.post(f"/keys/{key.pk}/delete/")
    event = AuditEvent.objects.get(action="key deleted")
    assert event.target == f"key:{key.pk}"
    assert event.details == {"label": "Ops phones", "hint": "4321"}


def test_deleting_the_active_key_falls_back_to_another(client, viewer):
    first = give_key(viewer, label="First")
    second = give_key(viewer, label="Second")
    choose_active_key(viewer, second)
    client.force_login(viewer)
    client.post(f"/keys/{second.pk}/delete/")
    assert active_key(viewer) == first


def test_it_hides_a_strangers_key(client, viewer, stranger):
    key = give_key(stranger)
    client.force_login(viewer)
    assert client.post(f"/keys/{key.pk}/delete/").status_code == 404
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_a_team_member_may_not_delete_the_team_key(client):
    member = make_user("mia", "sender")
    Team.objects.create(name="support").members.add(member)
    key = team_key("support", "ss-team-key-9999")
    client.force_login(member)
    response = client.post(f"/keys/{key.pk}/delete/")
    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()
    assert AuditEvent.objects.filter(action="permission denied", actor=member).exists()


def test_an_admin_deletes_a_team_key(client, admin_user):
    key = team_key("support", "ss-team-key-9999")
    client.force_login(admin_user)
    client.post(f"/keys/{key.pk}/delete/")
    assert not ApiKey.objects.filter(pk=key.pk).exists()
