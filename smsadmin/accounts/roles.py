"""Roles are Django groups (made by a data migration); this module says what each allows.

A role is satisfied by being in any group that includes it: `admin` includes
every role and `sender` includes `viewer`. Superusers have every role.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from smsadmin.accounts.models import User


class Role(StrEnum):
    VIEWER = "viewer"
    SENDER = "sender"
    AUDITOR = "auditor"
    ADMIN = "admin"


# What people read for a role; the group names (Role values) stay as they are.
ROLE_LABELS: dict[Role, Promise] = {
    Role.VIEWER: pgettext_lazy("role", "viewer"),
    Role.SENDER: pgettext_lazy("role", "sender"),
    Role.AUDITOR: pgettext_lazy("role", "auditor"),
    Role.ADMIN: pgettext_lazy("role", "admin"),
}

ROLE_DESCRIPTIONS: dict[Role, Promise] = {
    Role.VIEWER: gettext_lazy("list and view messages and devices"),
    Role.SENDER: gettext_lazy(
        "everything a viewer may, plus compose, send, schedule, cancel and delete"
    ),
    Role.AUDITOR: gettext_lazy("review and export the audit log"),
    Role.ADMIN: gettext_lazy("everything, plus team keys and people"),
}


def role_label(role: Role) -> str:
    """The role's name as the reader's language says it."""
    return str(ROLE_LABELS[role])


# Which groups satisfy a role.
_SATISFIED_BY: dict[Role, frozenset[str]] = {
    Role.VIEWER: frozenset({Role.VIEWER, Role.SENDER, Role.ADMIN}),
    Role.SENDER: frozenset({Role.SENDER, Role.ADMIN}),
    Role.AUDITOR: frozenset({Role.AUDITOR, Role.ADMIN}),
    Role.ADMIN: frozenset({Role.ADMIN}),
}


def granting_groups(role: Role) -> frozenset[str]:
    """The names of the groups whose members have ``role`` (superusers have it too)."""
    return _SATISFIED_BY[role]


def roles_given(user: User) -> list[Role]:
    """The roles the person was given, in the table's order (not the ones they include)."""
    names = group_names(user)
    return [role for role in Role if role.value in names]


def group_names(user: User | AnonymousUser) -> frozenset[str]:
    """The user's group names, looked up once per user object (so once per request).

    Groups fetched with ``prefetch_related("groups")`` are used as they are,
    so a page listing people asks once for all of them.
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_smsadmin_group_names", None)
    if cached is None:
        if "groups" in getattr(user, "_prefetched_objects_cache", {}):
            cached = frozenset(group.name for group in user.groups.all())
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        # Kept on the object for the rest of the request: roles are asked for often.
        user._smsadmin_group_names = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(group_names(user) & _SATISFIED_BY[role])
