"""Fixtures every compose test may use: a signed-in sender, and upstream accepting sends."""

import pytest

from tests.conftest import give_key
from tests.sms.compose import support as fake


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


@pytest.fixture
def sends(upstream):
    fake.devices(upstream)
    fake.account(upstream)
    return fake.accept_sends(upstream)
