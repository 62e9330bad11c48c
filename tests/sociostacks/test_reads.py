"""The cached upstream reads: one cache entry per read, shared by every page that needs it."""

import pytest

from smsadmin.sociostacks import reads
from tests.conftest import give_key
from tests.sms.compose import support as fake
from tests.sms.upstream_fakes import calls_to

pytestmark = pytest.mark.django_db


def test_compose_send_preferences_compose_read_the_devices_once(client, sender, upstream):
    # Preferences used to read the devices as if sends changed them: after a
    # send, compose and preferences each found the other's copy stale.
    give_key(sender)
    client.force_login(sender)
    fake.devices(upstream)
    fake.account(upstream)
    sends = fake.accept_sends(upstream)

    assert client.get("/compose/").status_code == 200
    sent, _token = fake.confirm_and_send(client)
    assert sent.status_code == 302 and len(sends.posts) == 1
    assert "Ops Pixel 8" in client.get("/accounts/preferences/").content.decode()
    assert "Ops Pixel 8" in client.get("/compose/").content.decode()

    assert calls_to(upstream, "/devices/") == 1


def test_page_sizes_are_one_ordered_list():
    assert tuple(sorted(reads.PAGE_SIZES)) == reads.PAGE_SIZES
    assert max(reads.PAGE_SIZES) == 1000
