"""The phones a person may pick as their default, from their active key's account."""

from dataclasses import dataclass

from smsadmin import problems
from smsadmin.accounts.models import User
from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.keys.selection import active_key
from smsadmin.sociostacks import reads
from smsadmin.sociostacks.errors import SociostacksError
from smsadmin.sociostacks.types import Device


@dataclass(frozen=True)
class DeviceChoices:
    """The devices, or ``None`` and a sentence saying why they are not known."""

    devices: list[Device] | None
    unavailable_because: str = ""


def device_choices(user: User) -> DeviceChoices:
    key = active_key(user)
    if key is None:
        return DeviceChoices(None, str(problems.NO_KEY_FOR_DEVICES))
    try:
        client = key.client()
        # The same read (and cache entry) as every other page that lists devices.
        cached = reads.devices(client)
    except KeyDecryptionError:
        return DeviceChoices(None, str(problems.KEY_UNDECRYPTABLE_FOR_DEVICES))
    except SociostacksError as error:
        return DeviceChoices(None, problems.devices_not_loaded(error))
    return DeviceChoices(cached.value)
