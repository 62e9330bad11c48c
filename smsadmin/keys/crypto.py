"""The only place that encrypts or decrypts stored secrets (MultiFernet).

API keys, and the second factor's app secrets and recovery codes
(accounts/otp_devices.py), all under the same keys.

Keys come from SMSADMIN_ENCRYPTION_KEYS, independent of SECRET_KEY: the first
encrypts, all of them decrypt, so a new key can be put in front and old rows
re-encrypted with ``rotate_encryption_keys`` at leisure.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext


class KeyDecryptionError(Exception):
    """A stored secret could not be decrypted with any configured encryption key."""

    def __init__(self, message: str, *, row_id: object, target: str = "") -> None:
        super().__init__(message)
        self.row_id = row_id
        # The audit target of the row: ``key:7`` for an API key.
        self.target = target or f"key:{row_id}"


@cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SMSADMIN_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "SMSADMIN_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes); "
            'make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from error


def _fernet() -> MultiFernet:
    return _multi_fernet(tuple(settings.SMSADMIN_ENCRYPTION_KEYS))


def encrypt(raw_key: str) -> str:
    return _fernet().encrypt(raw_key.encode()).decode()


def decrypt(ciphertext: str, *, row_id: object, what: str = "API key", target: str = "") -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise KeyDecryptionError(
            gettext(
                "Stored %(what)s #%(id)s cannot be decrypted with any key in "
                "SMSADMIN_ENCRYPTION_KEYS (wrong keys, or the row was altered)."
            )
            % {"what": what, "id": row_id},
            row_id=row_id,
            target=target,
        ) from error


def is_under_first_key(ciphertext: str) -> bool:
    """True when the first configured key alone decrypts it: rotation has nothing to do."""
    first = _multi_fernet(tuple(settings.SMSADMIN_ENCRYPTION_KEYS[:1]))
    try:
        first.decrypt(ciphertext.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def reencrypt(ciphertext: str, *, row_id: object, what: str = "API key", target: str = "") -> str:
    """The same secret encrypted with the first configured key."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise KeyDecryptionError(
            gettext(
                "Stored %(what)s #%(id)s cannot be decrypted with any key in "
                "SMSADMIN_ENCRYPTION_KEYS, so it cannot be re-encrypted."
            )
            % {"what": what, "id": row_id},
            row_id=row_id,
            target=target,
        ) from error


def generate_key() -> str:
    return Fernet.generate_key().decode()
