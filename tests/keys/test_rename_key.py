import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from tests.conftest import give_key, make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


def test_the_owner_renames_a_key(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    response = client.post(f"/keys/{key.pk}/rename/", {"label": "New name"}, follow=True)
    key.refresh_from_db()
    assert key.label == "New name"
    assert "“Old name” is now called “New name”." in response.content.decode()


def test_renaming_is_recorded_with_both_labels(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    client.post(f"/keys/{key.pk}/rename/", {"label": "New name"})
    event = AuditEvent.objects.get(action="key renamed")
    assert event.target == f"key:{key.pk}"
    assert event.details == {"label": "New name", "hint": key.hint, "old_label": "Old name"}


def test_the_form_starts_with_the_current_label(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    page = client.get(f"/keys/{key.pk}/rename/").content.decode()
    assert 'value="Old name"' in page
    assert '<label for="id_label">Label</label>' in page


def test_an_empty_label_is_refused(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    response = client.post(f"/keys/{key.pk}/rename/", {"label": "  "})
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.label == "Old name"


def test_labels_are_escaped(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    client.post(f"/keys/{key.pk}/rename/", {"label": "<script>alert(1)</script>"})
    page = client.get("/keys/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_hides_a_strangers_key(client, viewer, stranger):
    key = give_key(stranger, label="Theirs")
    client.force_login(viewer)
    assert client.post(f"/keys/{key.pk}/rename/", {"label": "Mine now"}).status_code == 404
    key.refresh_from_db()
    assert key.label == "Theirs"


def test_a_team_member_may_not_rename_the_team_key(client):
    member = make_user("mia", "viewer")
    Team.objects.create(name="support").members.add(member)
    key = team_key("support", "ss-team-key-9999", label="Support line")
    client.force_login(member)
    assert client.post(f"/keys/{key.pk}/rename/", {"label": "Mine"}).status_code == 403
    key.refresh_from_db()
    assert key.label == "Support line"


def test_an_admin_renames_a_team_key(client, admin_user):
    key = team_key("support", "ss-team-key-9999", label="Support line")
    client.force_login(admin_user)
    client.post(f"/keys/{key.pk}/rename/", {"label": "Support hotline"})
    key.refresh_from_db()
    assert key.label == "Support hotline"


def test_the_confirmation_is_in_the_person_s_language(client, viewer):
    key = give_key(viewer, label="Old name")
    client.force_login(viewer)
    client.cookies["django_language"] = "de"
    response = client.post(f"/keys/{key.pk}/rename/", {"label": "New name"}, follow=True)
    assert "„Old name“ heißt jetzt „New name“." in response.content.decode()
