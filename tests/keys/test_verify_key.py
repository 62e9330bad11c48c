import pytest
import time_machine

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.models import ApiKey
from tests.conftest import give_key, make_user
from tests.keys import fakes

pytestmark = pytest.mark.django_db


def test_checking_a_key_records_its_account_and_when(client, viewer, upstream):
    key = give_key(viewer, "ss-verify-key-0042")
    fakes.account_ok(upstream, name="Harbour Ops", timezone="America/New_York")
    client.force_login(viewer)
    with time_machine.travel("2026-03-02 10:15:00+00:00", tick=False):
        response = client.post(f"/keys/{key.pk}/verify/", follow=True)
    assert fakes.bearer_of(upstream.calls[0]) == "ss-verify-key-0042"
    key.refresh_from_db()
    assert key.account_name == "Harbour Ops"
    assert key.account_time_zone == "America/New_York"
    assert key.verified_at.isoformat() == "2026-03-02T10:15:00+00:00"
    assert "it opens the Sociostacks account Harbour Ops" in response.content.decode()


def test_the_check_time_is_shown_in_the_persons_time_zone(client, upstream):
    person = make_user("tokyo", "viewer", time_zone="Asia/Tokyo")
    key = give_key(person)
    fakes.account_ok(upstream)
    client.force_login(person)
    with time_machine.travel("2026-03-02 10:15:00+00:00", tick=False):
        client.post(f"/keys/{key.pk}/verify/")
    assert "2026-03-02 19:15" in client.get("/keys/").content.decode()


def test_checking_is_recorded_as_attempt_and_outcome(client, viewer, upstream):
    key = give_key(viewer, "ss-verify-key-0042", label="Ops phones")
    fakes.account_ok(upstream)
    client.force_login(viewer)
    client.post(f"/keys/{key.pk}/verify/")
    started, done = AuditEvent.objects.filter(action="key verified").order_by("seq")
    assert started.outcome == Outcome.STARTED
    assert done.outcome == Outcome.OK
    assert done.target == f"key:{key.pk}"
    assert done.details == {"label": "Ops phones", "hint": "0042", "account": "Harbour Ops"}


def test_a_key_sociostacks_now_refuses_is_reported_and_left_alone(client, viewer, upstream):
    key = give_key(viewer)
    fakes.key_refused(upstream)
    client.force_login(viewer)
    page = client.post(f"/keys/{key.pk}/verify/", follow=True).content.decode()
    assert "Sociostacks refused this key" in page
    assert "Nothing was changed." in page
    assert ApiKey.objects.get(pk=key.pk).verified_at is None


def test_an_unreachable_sociostacks_is_reported_as_such(client, viewer, upstream):
    key = give_key(viewer)
    fakes.upstream_down(upstream)
    client.force_login(viewer)
    page = client.post(f"/keys/{key.pk}/verify/", follow=True).content.decode()
    assert "Sociostacks could not be reached" in page


def test_a_key_that_cannot_be_decrypted_is_explained_not_crashed_on(client, viewer, upstream):
    key = give_key(viewer)
    ApiKey.objects.filter(pk=key.pk).update(ciphertext="gAAAAAtampered")
    client.force_login(viewer)
    response = client.post(f"/keys/{key.pk}/verify/", follow=True)
    assert response.status_code == 200
    assert "can no longer be decrypted" in response.content.decode()
    assert len(upstream.calls) == 0
    failed = AuditEvent.objects.filter(action="key verified").order_by("seq").last()
    assert failed.outcome == Outcome.FAILED
    assert failed.error_class == "KeyDecryptionError"


def test_with_htmx_it_answers_the_refreshed_tables_with_the_result(client, viewer, upstream):
    key = give_key(viewer)
    fakes.account_ok(upstream)
    client.force_login(viewer)
    response = client.post(f"/keys/{key.pk}/verify/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="key-tables">')
    assert 'class="flash flash-success" role="status"' in body
    assert "Harbour Ops" in body


def test_checking_needs_a_post(client, viewer, upstream):
    key = give_key(viewer)
    client.force_login(viewer)
    assert client.get(f"/keys/{key.pk}/verify/").status_code == 405
    assert len(upstream.calls) == 0


def test_it_hides_a_strangers_key(client, viewer, stranger, upstream):
    key = give_key(stranger)
    client.force_login(viewer)
    assert client.post(f"/keys/{key.pk}/verify/").status_code == 404
    assert len(upstream.calls) == 0


def test_a_team_member_may_not_check_the_team_key(client, upstream):
    member = make_user("mia", "viewer")
    Team.objects.create(name="support").members.add(member)
    key = fakes.team_key("support", "ss-team-key-9999")
    client.force_login(member)
    assert client.post(f"/keys/{key.pk}/verify/").status_code == 403
    assert len(upstream.calls) == 0
