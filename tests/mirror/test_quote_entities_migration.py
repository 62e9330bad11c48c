"""Rows mirrored before quotes were decoded are decoded once by a data migration."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from smsadmin.mirror.models import MirroredMessage

pytestmark = pytest.mark.django_db

migration = importlib.import_module("smsadmin.mirror.migrations.0002_decode_quote_entities")


def test_it_decodes_the_two_entities_and_nothing_else():
    now = timezone.now()
    row = MirroredMessage.objects.create(
        account_id=1,
        sms_id=1,
        direction="sent",
        status="sent",
        happened_at=now,
        synced_at=now,
        content="it&#39;s a &#34;test&#34; &amp; &lt;3",
    )

    migration.decode_quotes(apps, None)

    row.refresh_from_db()
    assert row.content == 'it\'s a "test" &amp; &lt;3'
