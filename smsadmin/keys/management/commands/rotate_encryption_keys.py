from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils.translation import gettext, gettext_lazy

from smsadmin.accounts.otp_devices import (
    APP_DEVICE_HOLDS,
    RECOVERY_CODE_HOLDS,
    AppDevice,
    RecoveryCode,
)
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import audited
from smsadmin.keys import crypto
from smsadmin.keys.models import ApiKey

# Every encrypted column: the model, its field, what it holds, its audit target prefix.
ENCRYPTED: tuple[tuple[type[models.Model], str, str, str], ...] = (
    (ApiKey, "ciphertext", "API key", "key"),
    (AppDevice, "encrypted_key", APP_DEVICE_HOLDS, "otp-app"),
    (RecoveryCode, "ciphertext", RECOVERY_CODE_HOLDS, "otp-code"),
)


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Re-encrypt every stored API key, two-factor secret and recovery code with the first "
        "key of SMSADMIN_ENCRYPTION_KEYS. "
        "Safe to re-run; stops without changing anything at a key it cannot decrypt."
    )

    def handle(self, *args: object, **options: object) -> None:
        failure: crypto.KeyDecryptionError | None = None
        with audited(Action.KEY_ROTATION) as attempt:
            try:
                reencrypted, unchanged = self.rotate()
            except crypto.KeyDecryptionError as error:
                # Recorded as this run's outcome, naming the row, before it is reported.
                failure = error
                attempt.outcome = Outcome.FAILED
                attempt.target = error.target
                attempt.add(error=str(error))
            else:
                attempt.add(reencrypted=reencrypted, unchanged=unchanged)
        if failure is not None:
            raise CommandError(
                gettext("%(failure)s Nothing was changed.") % {"failure": failure}
            ) from failure
        self.stdout.write(
            gettext("re-encrypted %(reencrypted)s, unchanged %(unchanged)s")
            % {"reencrypted": reencrypted, "unchanged": unchanged}
        )

    def rotate(self) -> tuple[int, int]:
        """Counts of (re-encrypted, already under the first key); all rows or none."""
        reencrypted = unchanged = 0
        # One transaction: a secret that cannot be decrypted rolls back the rows
        # before it too, so a failed run leaves every table exactly as it was.
        with transaction.atomic():
            for model, field, what, prefix in ENCRYPTED:
                rows = (
                    model._default_manager.select_for_update()
                    .order_by("pk")
                    .values_list("pk", field)
                )
                for pk, ciphertext in rows:
                    if crypto.is_under_first_key(ciphertext):
                        unchanged += 1
                        continue
                    fresh = crypto.reencrypt(
                        ciphertext, row_id=pk, what=what, target=f"{prefix}:{pk}"
                    )
                    # update() leaves updated_at alone: the secret itself did not change.
                    model._default_manager.filter(pk=pk).update(**{field: fresh})
                    reencrypted += 1
        return reencrypted, unchanged
