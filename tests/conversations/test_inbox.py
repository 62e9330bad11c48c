from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from smsadmin.audit.models import AuditEvent
from smsadmin.conversations.models import HandledMessage
from tests.conftest import make_user
from tests.mirror.conftest import mirrored, state_for

INBOX = reverse("conversations:inbox")
BADGE = reverse("conversations:badge")
MARK = reverse("conversations:mark_handled")


def received(**fields):
    return mirrored(direction="received", status="received", **fields)


def test_it_lists_unhandled_received_messages_newest_first(client, desk):
    state_for()
    received(content="Can we move it to Thursday?", happened_at=timezone.now() - timedelta(hours=2))
    received(content="Thanks!", happened_at=timezone.now() - timedelta(minutes=5))
    mirrored(content="Our own outgoing message")
    client.force_login(desk)
    page = client.get(INBOX).content.decode()
    assert page.index("Thanks!") < page.index("Can we move it to Thursday?")
    assert "Our own outgoing message" not in page


def test_it_leaves_out_messages_older_than_the_inbox_window(client, desk, settings):
    settings.SMSADMIN_INBOX_DAYS = 3
    received(content="Ancient question", happened_at=timezone.now() - timedelta(days=4))
    client.force_login(desk)
    assert "Ancient question" not in client.get(INBOX).content.decode()


def test_marking_handled_removes_it_for_the_whole_team(client, desk):
    message = received(content="Please call me back")
    colleague = make_user("sam2", "viewer")
    from tests.conftest import give_key
    from tests.mirror.conftest import link

    link(give_key(colleague, label="Colleague key"), 1)
    client.force_login(desk)
    response = client.post(MARK, {"sms_id": [message.sms_id]})
    assert response.status_code == 302
    handled = HandledMessage.objects.get(sms_id=message.sms_id)
    assert handled.handled_by == desk
    client.force_login(colleague)
    assert "Please call me back" not in client.get(INBOX).content.decode()
    event = AuditEvent.objects.filter(action="marked handled").latest("seq")
    assert event.target == f"sms:{message.sms_id}"


def test_it_cannot_mark_a_message_of_another_account(client, desk, other_account_sender):
    theirs = received(account_id=2, content="Theirs")
    client.force_login(desk)
    client.post(MARK, {"sms_id": [theirs.sms_id]})
    assert not HandledMessage.objects.exists()


def test_a_hostile_id_is_ignored_with_a_message(client, desk):
    client.force_login(desk)
    response = client.post(MARK, {"sms_id": ["²", "9" * 40]}, follow=True)
    assert response.status_code == 200
    assert "Choose at least one message" in response.content.decode()
    assert AuditEvent.objects.filter(action="marked handled", outcome="invalid").exists()


def test_the_badge_counts_unhandled_without_calling_upstream(client, desk, upstream):
    received()
    received()
    handled = received()
    HandledMessage.objects.create(account_id=1, sms_id=handled.sms_id, handled_at=timezone.now())
    client.force_login(desk)
    badge = client.get(BADGE).content.decode()
    assert ">2<" in badge
    assert len(upstream.calls) == 0


def test_viewing_the_inbox_is_audited(client, desk):
    client.force_login(desk)
    client.get(INBOX)
    assert AuditEvent.objects.filter(action="inbox viewed", actor=desk).exists()


def test_a_person_without_a_role_is_refused(client, db):
    client.force_login(make_user("nobody"))
    assert client.get(INBOX).status_code == 403
    assert client.post(MARK, {"sms_id": ["1"]}).status_code == 403


def test_a_key_never_synced_says_so(client, db):
    from tests.conftest import give_key

    user = make_user("newbie", "viewer")
    give_key(user)
    client.force_login(user)
    assert "has not been synced for this key yet" in client.get(INBOX).content.decode()


def test_a_shared_login_gets_no_polling_badge_before_naming_its_operator(client, db):
    desk = make_user("frontdesk", "viewer", is_shared=True)
    client.force_login(desk)
    page = client.get("/accounts/operator/").content.decode()
    # A poll answered with a redirect to this very page would reload it for ever.
    assert "inbox/badge" not in page


def test_the_badge_never_redirects_a_person_without_a_key(client, db):
    client.force_login(make_user("keyless", "viewer"))
    response = client.get(BADGE, headers={"HX-Request": "true"})
    # A redirect here would move every page that polls the badge to the keys page.
    assert response.status_code == 200
    assert "HX-Redirect" not in response
