"""The few upstream answers the message pages need, registered on a responses mock."""

from typing import Any

import responses

from tests.conftest import UPSTREAM

__all__ = ["UPSTREAM"]
from tests.sociostacks.payloads import error_json, message_json, page_json

DEVICE = {
    "id": 1,
    "name": "Ops Pixel 8",
    "sims": [
        {
            "subscription_id": 1,
            "phone_number": "+4915112345678",
            "carrier_name": "Telekom",
            "display_name": "Work",
            "slot_index": 0,
        }
    ],
    "device_model": "Pixel 8",
    "device_brand": "Google",
}
CONTACT = {"id": 7, "phone_number": "+447700900123", "name": "Ada Lovelace", "has_opted_out": False}
ACCOUNT_ID = 1


def directory(mock: responses.RequestsMock, contacts: list[dict[str, Any]] | None = None) -> None:
    """What names a message: contacts, devices, and the account (for the numbers we sent)."""
    mock.get(f"{UPSTREAM}/contacts/", json=page_json(contacts or [CONTACT]))
    mock.get(f"{UPSTREAM}/devices/", json=page_json([DEVICE]))
    mock.get(f"{UPSTREAM}/user", json={"data": {"id": ACCOUNT_ID, "timezone": "Europe/Berlin"}})


def messages(mock: responses.RequestsMock, rows: list[dict[str, Any]], **meta: Any):
    return mock.get(f"{UPSTREAM}/sms/", json=page_json(rows, **meta))


def one_message(mock: responses.RequestsMock, sms_id: int = 1, **fields: Any):
    return mock.get(f"{UPSTREAM}/sms/{sms_id}", json={"data": message_json(sms_id, **fields)})


def error(mock: responses.RequestsMock, method: str, path: str, status: int, title: str):
    return mock.add(method, f"{UPSTREAM}{path}", json=error_json(title, status), status=status)


def calls_to(mock: responses.RequestsMock, path: str) -> int:
    return sum(1 for call in mock.calls if call.request.url.split("?")[0].endswith(path))
