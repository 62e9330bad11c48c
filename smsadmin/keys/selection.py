from django.db.models import F

from smsadmin.accounts.models import User
from smsadmin.keys.models import ActiveKeyChoice, ApiKey


def active_key(user: User) -> ApiKey | None:
    """The key a person works with: their pick if still usable, else their own, else a team's."""
    # Every page's header asks. Most people can use one key or none, which no
    # pick changes: one plain query then; the pick is read only among several.
    keys = list(
        ApiKey.objects.usable_by(user).order_by(F("team_id").asc(nulls_first=True), "label", "id")
    )
    if len(keys) <= 1:
        return keys[0] if keys else None
    picked = ActiveKeyChoice.objects.filter(user=user).values_list("key_id", flat=True).first()
    return next((key for key in keys if key.pk == picked), keys[0])


def choose_active_key(user: User, key: ApiKey) -> None:
    ActiveKeyChoice.objects.update_or_create(user=user, defaults={"key": key})
