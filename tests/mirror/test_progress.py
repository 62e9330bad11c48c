"""What the mirror pages say of a sync: its phase and how far a full pass is."""

from datetime import timedelta

import pytest
from django.utils import timezone

from smsadmin.mirror.models import SyncState
from smsadmin.mirror.progress import progress_of
from smsadmin.mirror.walking import FULL, Walk

pytestmark = pytest.mark.django_db


def test_a_mirror_never_synced():
    assert progress_of(None).phase == "never synced"
    assert progress_of(SyncState(account_id=1)).phase == "never synced"


def test_a_first_sync_halfway_shows_its_pages_and_who_runs_it():
    walk = Walk(FULL, number=1, page=3, total=4000).to_json()
    state = SyncState(
        account_id=1,
        full_walk=walk,
        lease_until=timezone.now() + timedelta(seconds=60),
        lease_holder="sync now by ada",
    )
    shown = progress_of(state)
    assert (shown.phase, shown.pages_done, shown.pages_total, shown.percent) == (
        "first sync",
        2,
        4,
        50,
    )
    assert shown.running and shown.holder == "sync now by ada"


def test_a_mirror_up_to_date_after_its_lease_ran_out():
    state = SyncState(account_id=1, head_id=900, lease_until=timezone.now() - timedelta(seconds=1))
    shown = progress_of(state)
    assert (shown.phase, shown.running, shown.holder, shown.percent) == (
        "up to date",
        False,
        "",
        None,
    )
