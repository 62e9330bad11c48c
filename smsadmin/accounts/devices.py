"""The phones a person may pick as their default, from their active key's account."""

from dataclasses import dataclass

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
        return DeviceChoices(
            None, "Add an API key on the keys page to choose a default phone and SIM."
        )
    try:
        client = key.client()
        # The same read (and cache entry) as every other page that lists devices.
        cached = reads.devices(client)
    except KeyDecryptionError:
        return DeviceChoices(
            None,
            "Your active API key can no longer be decrypted, so your phones cannot be listed. "
            "Replace the key on the keys page.",
        )
    except SociostacksError as error:
        return DeviceChoices(
            None,
            "Your phones could not be loaded from Sociostacks, so the default phone and SIM "
            f"cannot be changed right now. {error.user_message}",
        )
    return DeviceChoices(cached.value)
