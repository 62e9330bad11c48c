from django.db.models import F

from smsadmin.accounts.models import User
from smsadmin.keys.models import ActiveKeyChoice, ApiKey


def active_key(user: User) -> ApiKey | None:
    """The key a person works with: their pick if still usable, else their own, else a team's."""
    usable = ApiKey.objects.usable_by(user)
    choice = ActiveKeyChoice.objects.filter(user=user).select_related("key").first()
    if choice is not None and usable.filter(pk=choice.key_id).exists():
        return choice.key
    return usable.order_by(F("team_id").asc(nulls_first=True), "label", "id").first()


def choose_active_key(user: User, key: ApiKey) -> None:
    ActiveKeyChoice.objects.update_or_create(user=user, defaults={"key": key})
