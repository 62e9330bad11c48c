"""Compose in German: the words, and a scheduled time in the German format."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.conftest import give_key, make_user
from tests.sms.compose import support as fake
from tests.sms.compose.support import page_of, result_page

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def german_sender(client):
    person = make_user("greta", "sender", time_zone="Europe/Berlin", language="de")
    give_key(person)
    client.force_login(person)
    return person


def test_the_compose_page_speaks_german(client, sends):
    german_sender(client)
    page = page_of(client.get("/compose/"))
    assert "Vor dem Senden prüfen" in page
    assert "Review before sending" not in page
    assert "Oder eine CSV-Datei hochladen" in page


@time_machine.travel(NOW, tick=False)
def test_a_german_sender_sees_tomorrow_nine_oclock_the_german_way(client, sends):
    german_sender(client)
    reviewed = fake.review(client, when="later", send_date="2026-12-02", send_time="09:00")
    confirm = page_of(client.get(reviewed["Location"]))
    assert "<strong>02.12.2026 09:00</strong> in Europe/Berlin (Ihre Zeit)" in confirm
    assert "1 Nachricht planen" in confirm
    response, _token = fake.confirm_and_send(
        client, when="later", send_date="2026-12-02", send_time="09:00"
    )
    page = result_page(client, response)
    assert "1 Nachricht geplant für 02.12.2026 09:00 (Europe/Berlin)." in page


@time_machine.travel(NOW, tick=False)
def test_a_time_in_the_past_is_refused_in_german(client, sends):
    german_sender(client)
    response = fake.review(client, when="later", send_date="2026-11-30", send_time="09:00")
    assert "30.11.2026 09:00 (Europe/Berlin) liegt in der Vergangenheit." in page_of(response)
