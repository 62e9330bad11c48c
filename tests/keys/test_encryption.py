import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.keys.models import ApiKey
from tests.conftest import give_key

pytestmark = pytest.mark.django_db

RAW = "ss-encrypt-me-2468"


def test_a_stored_key_is_not_the_raw_key_and_keeps_only_a_four_character_hint(viewer):
    key = give_key(viewer, RAW)
    stored = ApiKey.objects.values("ciphertext", "hint").get(pk=key.pk)
    assert RAW not in stored["ciphertext"]
    assert stored["hint"] == "2468"


def test_changing_secret_key_keeps_keys_readable(viewer):
    key = give_key(viewer, RAW)
    with override_settings(SECRET_KEY="a-completely-different-django-secret"):
        assert ApiKey.objects.get(pk=key.pk).reveal() == RAW


def test_a_key_is_unreadable_without_its_encryption_key(viewer):
    key = give_key(viewer, RAW)
    with (
        override_settings(SMSADMIN_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(KeyDecryptionError, match=f"#{key.pk} "),
    ):
        ApiKey.objects.get(pk=key.pk).reveal()


def test_a_tampered_ciphertext_raises_a_clear_error_naming_the_row(viewer):
    key = give_key(viewer, RAW)
    stored = ApiKey.objects.get(pk=key.pk)
    # Flip one character in the middle of the token: the HMAC no longer matches.
    middle = len(stored.ciphertext) // 2
    flipped = "A" if stored.ciphertext[middle] != "A" else "B"
    tampered = stored.ciphertext[:middle] + flipped + stored.ciphertext[middle + 1 :]
    ApiKey.objects.filter(pk=key.pk).update(ciphertext=tampered)
    with pytest.raises(KeyDecryptionError) as caught:
        ApiKey.objects.get(pk=key.pk).reveal()
    message = str(caught.value)
    assert f"Stored API key #{key.pk} cannot be decrypted" in message
    assert tampered not in message


def test_two_saves_of_the_same_key_do_not_look_alike(viewer):
    first, second = give_key(viewer, RAW), give_key(viewer, RAW)
    assert first.ciphertext != second.ciphertext
