"""Compose: the last phone and SIM come back, the help's example is valid, dates pick Schedule."""

import re

import pytest

from smsadmin.sms.compose.forms import example_number
from smsadmin.sms.compose.recipients import check_recipients
from tests.conftest import give_key
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db


def _selected(page: str, name: str) -> str:
    field = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected>', field)
    return found.group(1) if found else ""


def test_the_last_phone_and_sim_sent_from_are_preselected(signed_in, sender, sends):
    fake.confirm_and_send(signed_in, device="2", sim="2:1")
    page = signed_in.get("/compose/").content.decode()
    assert _selected(page, "device") == "2"
    assert _selected(page, "sim") == "2:1"

    fake.confirm_and_send(signed_in, device="1", sim="1:2")
    page = signed_in.get("/compose/").content.decode()
    assert (_selected(page, "device"), _selected(page, "sim")) == ("1", "1:2")


def test_the_last_sender_is_remembered_per_key(client, sender, sends):
    from smsadmin.keys.selection import choose_active_key

    first = give_key(sender, "sk-first-key-1111", label="First")
    second = give_key(sender, "sk-second-key-2222", label="Second")
    client.force_login(sender)
    choose_active_key(sender, first)
    fake.confirm_and_send(client, device="2", sim="2:1")
    choose_active_key(sender, second)
    assert _selected(client.get("/compose/").content.decode(), "device") == ""
    choose_active_key(sender, first)
    assert _selected(client.get("/compose/").content.decode(), "device") == "2"


def test_the_help_text_example_passes_the_check_it_explains(signed_in, sends):
    page = signed_in.get("/compose/").content.decode()
    example = re.search(r"with its country code, e\.g\. (\+[\d ]+)\.", page).group(1)
    assert example != "+44 7700 900123"
    check = check_recipients(example, None, chosen_column="", region=None, opted_out=frozenset())
    assert len(check.valid) == 1 and not check.invalid


@pytest.mark.parametrize("region", ["DE", "FR", "US", "GB"])
def test_the_national_example_passes_for_its_region(region):
    example = example_number(region, national=True)
    check = check_recipients(example, None, chosen_column="", region=region, opted_out=frozenset())
    assert len(check.valid) == 1 and not check.invalid


def test_date_and_time_fields_pick_schedule_when_typed_into(signed_in, sends):
    page = signed_in.get("/compose/").content.decode()
    assert re.search(r'type="date"[^>]*data-picks="when=later"', page)
    assert re.search(r'type="time"[^>]*data-picks="when=later"', page)
