import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import give_key, make_user
from tests.keys import fakes

pytestmark = pytest.mark.django_db

OLD, NEW = "ss-old-key-aaaa", "ss-new-key-bbbb"


def replace(client, key, raw_key: str = NEW):
    return client.post(f"/keys/{key.pk}/replace/", {"api_key": raw_key})


def test_the_owner_replaces_the_secret_after_sociostacks_accepts_it(client, viewer, upstream):
    key = give_key(viewer, OLD, label="Ops phones")
    fakes.account_ok(upstream, name="New Account")
    client.force_login(viewer)
    response = replace(client, key)
    assert response.status_code == 302
    assert fakes.bearer_of(upstream.calls[0]) == NEW
    key.refresh_from_db()
    assert key.reveal() == NEW
    assert key.hint == "bbbb"
    assert key.label == "Ops phones"
    assert key.account_name == "New Account"


def test_the_form_never_shows_the_current_key(client, viewer):
    key = give_key(viewer, OLD)
    client.force_login(viewer)
    page = client.get(f"/keys/{key.pk}/replace/").content.decode()
    assert OLD not in page
    assert "••••aaaa" in page
    assert 'type="password"' in page


def test_a_refused_new_key_leaves_the_old_one_in_place(client, viewer, upstream):
    key = give_key(viewer, OLD)
    fakes.key_refused(upstream)
    client.force_login(viewer)
    page = replace(client, key).content.decode()
    assert "Sociostacks refused this key" in page
    assert "The old key is still in use." in page
    assert NEW not in page
    key.refresh_from_db()
    assert key.reveal() == OLD


def test_when_sociostacks_is_down_the_old_key_stays(client, viewer, upstream):
    key = give_key(viewer, OLD)
    fakes.upstream_down(upstream)
    client.force_login(viewer)
    page = replace(client, key).content.decode()
    assert "Sociostacks could not be reached" in page
    key.refresh_from_db()
    assert key.reveal() == OLD


def test_it_records_old_and_new_hints_but_not_the_keys(client, viewer, upstream):
    key = give_key(viewer, OLD, label="Ops phones")
    fakes.account_ok(upstream)
    client.force_login(viewer)
    replace(client, key)
    done = AuditEvent.objects.filter(action="key replaced", outcome=Outcome.OK).get()
    assert done.target == f"key:{key.pk}"
    assert done.details["hint"] == "bbbb"
    assert done.details["old_hint"] == "aaaa"
    assert OLD not in str(done.details) and NEW not in str(done.details)


def test_it_hides_a_strangers_key(client, viewer, stranger, upstream):
    key = give_key(stranger, OLD)
    client.force_login(viewer)
    assert replace(client, key).status_code == 404
    assert len(upstream.calls) == 0
    key.refresh_from_db()
    assert key.reveal() == OLD
    assert AuditEvent.objects.filter(
        action="permission denied", target=f"key:{key.pk}", outcome=Outcome.DENIED
    ).exists()


def test_a_team_member_may_not_replace_the_team_key(client, upstream):
    member = make_user("mia", "sender")
    Team.objects.create(name="support").members.add(member)
    key = fakes.team_key("support", OLD)
    client.force_login(member)
    response = replace(client, key)
    assert response.status_code == 403
    assert "admin" in response.content.decode()
    assert len(upstream.calls) == 0
    key.refresh_from_db()
    assert key.reveal() == OLD


def test_an_admin_replaces_a_team_key(client, admin_user, upstream):
    key = fakes.team_key("support", OLD)
    fakes.account_ok(upstream)
    client.force_login(admin_user)
    assert replace(client, key).status_code == 302
    key.refresh_from_db()
    assert key.reveal() == NEW
