from django.db.models import Exists, F, OuterRef

from smsadmin.accounts.models import User
from smsadmin.keys.models import ActiveKeyChoice, ApiKey


def active_key(user: User) -> ApiKey | None:
    """The key a person works with: their pick if still usable, else their own, else a team's."""
    # One query, as every page's header asks: the pick sorts first when it is usable.
    picked = ActiveKeyChoice.objects.filter(user=user, key=OuterRef("pk"))
    return (
        ApiKey.objects.usable_by(user)
        .annotate(picked=Exists(picked))
        .order_by("-picked", F("team_id").asc(nulls_first=True), "label", "id")
        .first()
    )


def choose_active_key(user: User, key: ApiKey) -> None:
    ActiveKeyChoice.objects.update_or_create(user=user, defaults={"key": key})
