import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from smsadmin.mirror.models import KeyAccount, MirroredMessage, SyncState
from tests.conftest import RAW_KEY

# Opens a second sandbox account, whose messages nobody using RAW_KEY may see.
OTHER_KEY = "sk-test-other-account-2b8e61d04c97"
SEEDED = 2500
RATE_LIMIT = 10  # so the sync's half is 5 calls a minute: a first sync needs several minutes

DEVICES = [
    {"id": 1, "name": "Ops Pixel 8", "sims": [{"id": 1, "label": "SIM 1 · Telekom"}]},
    {
        "id": 2,
        "name": "Backup Galaxy",
        "sims": [{"id": 1, "label": "SIM 1 · o2"}, {"id": 2, "label": "SIM 2 · Vodafone"}],
    },
]


@pytest.fixture(scope="session")
def mirror_sandbox():
    """A sandbox where nothing changes unless a test says so (tick), rate limited."""
    from smsadmin.sandbox.testing import running_sandbox

    with running_sandbox(
        api_keys=(RAW_KEY, OTHER_KEY),
        rate_limit=RATE_LIMIT,
        seed_messages=SEEDED,
        seed=11,
        tick_seconds=0,
        inbound_one_in=0,
    ) as handle:
        yield handle


@pytest.fixture
def sandbox_upstream(mirror_sandbox, settings):
    settings.SOCIOSTACKS_API_URL = mirror_sandbox.url
    mirror_sandbox.reset()
    mirror_sandbox.control(reset_stats=True, reset_rate_limit=True)
    return mirror_sandbox


@pytest.fixture
def clock():
    """Wall time the test can move on; the in-process sandbox follows it too."""
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        yield traveller


def upstream_calls(sandbox) -> int:
    return sandbox.stats()["requests"]


def link(key, account_id: int, name: str = "Sandbox Account 1") -> KeyAccount:
    """Say the key opens ``account_id``, as a sync that asked upstream would."""
    return KeyAccount.objects.create(
        key=key,
        account_id=account_id,
        account_name=name,
        fingerprint=key.client().fingerprint,
        resolved_at=timezone.now(),
    )


_ids = itertools.count(1000)


def _values(**fields) -> dict:
    now = timezone.now()
    values = {
        "account_id": 1,
        "sms_id": next(_ids),
        "direction": "sent",
        "status": "sent",
        "content": "Hello there",
        "happened_at": now - timedelta(hours=1),
        "scheduled_at": None,
        "device_id": 1,
        "sim_id": 1,
        "contact_id": 7,
        "phone": "+447700900123",
        "phone_digits": "447700900123",
        "contact_name": "Ada Lovelace",
        "synced_at": now,
        **fields,
    }
    if "phone" in fields and "phone_digits" not in fields:
        values["phone_digits"] = fields["phone"].lstrip("+")
    return values


def mirrored(account_id: int = 1, **fields) -> MirroredMessage:
    """One mirrored message, built straight in the database."""
    return MirroredMessage.objects.create(**_values(account_id=account_id, **fields))


def many(count: int, **fields) -> list[MirroredMessage]:
    return MirroredMessage.objects.bulk_create(
        [MirroredMessage(**_values(**fields)) for _ in range(count)]
    )


def state_for(account_id: int = 1, **fields) -> SyncState:
    defaults = {
        "account_name": "Sandbox Account 1",
        "devices": DEVICES,
        "head_id": 1,
        "last_sync_at": timezone.now() - timedelta(minutes=3),
        "last_full_pass_at": timezone.now() - timedelta(hours=1),
        **fields,
    }
    return SyncState.objects.create(account_id=account_id, **defaults)
