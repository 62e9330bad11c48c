import pytest

from smsadmin.accounts.models import User
from smsadmin.audit.models import AuditEvent
from tests.conftest import UPSTREAM, give_key
from tests.sociostacks.payloads import error_json, page_json

pytestmark = pytest.mark.django_db


def sim(subscription_id: int, slot: int, carrier: str, number: str) -> dict:
    return {
        "subscription_id": subscription_id,
        "phone_number": number,
        "carrier_name": carrier,
        "display_name": "",
        "slot_index": slot,
    }


# Both phones have a SIM with subscription id 1: ids are only unique per phone.
DEVICES = [
    {"id": 11, "name": "Ops Pixel", "sims": [sim(1, 0, "Telekom", "+4915100000001")]},
    {
        "id": 12,
        "name": "Night Galaxy",
        "sims": [sim(1, 0, "Vodafone", "+4915200000002"), sim(2, 1, "O2", "+4917600000003")],
    },
]


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


def devices_answer(upstream):
    return upstream.get(f"{UPSTREAM}/devices/", json=page_json(DEVICES))


def save(client, **fields):
    data = {"time_zone": "", "phone_region": "", "page_size": "25", **fields}
    return client.post("/accounts/preferences/", data)


def test_it_saves_time_zone_region_and_page_size(signed_in, viewer):
    response = save(signed_in, time_zone="Europe/Berlin", phone_region="de", page_size="50")
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert (viewer.time_zone, viewer.phone_region, viewer.page_size) == ("Europe/Berlin", "DE", 50)
    event = AuditEvent.objects.get(action="preferences changed")
    assert set(event.details["fields"]) == {"time_zone", "phone_region", "page_size"}


def test_it_refuses_an_unknown_time_zone(signed_in, viewer):
    response = save(signed_in, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 200
    viewer.refresh_from_db()
    assert viewer.time_zone == ""


def test_it_offers_the_phones_and_sims_of_the_active_key(signed_in, viewer, upstream):
    give_key(viewer)
    devices_answer(upstream)
    page = signed_in.get("/accounts/preferences/").content.decode()
    assert '<label for="id_default_device_id">Default phone</label>' in page
    assert '<option value="11">Ops Pixel</option>' in page
    assert '<optgroup label="Night Galaxy">' in page
    assert '<option value="12:2">SIM 2 · O2 · +4917600000003</option>' in page


def test_it_saves_a_default_phone_and_sim(signed_in, viewer, upstream):
    give_key(viewer)
    devices_answer(upstream)
    assert save(signed_in, default_device_id="12", default_sim_id="12:1").status_code == 302
    viewer.refresh_from_db()
    assert (viewer.default_device_id, viewer.default_sim_id) == (12, 1)


def test_picking_a_sim_picks_its_phone(signed_in, viewer, upstream):
    give_key(viewer)
    devices_answer(upstream)
    save(signed_in, default_device_id="", default_sim_id="12:2")
    viewer.refresh_from_db()
    assert (viewer.default_device_id, viewer.default_sim_id) == (12, 2)


def test_a_sim_of_another_phone_is_refused(signed_in, viewer, upstream):
    give_key(viewer)
    devices_answer(upstream)
    page = save(signed_in, default_device_id="11", default_sim_id="12:1").content.decode()
    assert "That SIM is in Night Galaxy, not in the phone chosen above." in page
    viewer.refresh_from_db()
    assert viewer.default_device_id is None


def test_the_saved_choice_is_preselected(signed_in, viewer, upstream):
    User.objects.filter(pk=viewer.pk).update(default_device_id=12, default_sim_id=2)
    give_key(viewer)
    devices_answer(upstream)
    page = signed_in.get("/accounts/preferences/").content.decode()
    assert '<option value="12" selected>Night Galaxy</option>' in page
    assert '<option value="12:2" selected>' in page


def test_the_phones_come_from_the_shared_cache(signed_in, viewer, upstream):
    give_key(viewer)
    call = devices_answer(upstream)
    signed_in.get("/accounts/preferences/")
    signed_in.get("/accounts/preferences/")
    assert call.call_count == 1


def test_without_a_key_it_says_why_there_is_no_phone_choice(signed_in, upstream):
    page = signed_in.get("/accounts/preferences/").content.decode()
    assert "Add an API key on the keys page to choose a default phone and SIM." in page
    assert "id_default_device_id" not in page
    assert len(upstream.calls) == 0


def test_when_sociostacks_fails_the_page_still_works_and_says_why(signed_in, viewer, upstream):
    give_key(viewer)
    upstream.get(f"{UPSTREAM}/devices/", json=error_json("Server error", 500), status=500)
    response = signed_in.get("/accounts/preferences/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your phones could not be loaded from Sociostacks" in page
    assert "id_default_device_id" not in page
    assert 'name="time_zone"' in page


def test_when_sociostacks_fails_saving_keeps_the_default_phone(signed_in, viewer, upstream):
    User.objects.filter(pk=viewer.pk).update(default_device_id=12, default_sim_id=2)
    give_key(viewer)
    upstream.get(f"{UPSTREAM}/devices/", json=error_json("Server error", 500), status=500)
    assert save(signed_in, page_size="100").status_code == 302
    viewer.refresh_from_db()
    assert (viewer.page_size, viewer.default_device_id, viewer.default_sim_id) == (100, 12, 2)
