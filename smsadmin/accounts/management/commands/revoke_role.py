from django.contrib.auth.models import Group
from django.utils.translation import gettext_noop

from smsadmin.accounts.management.commands.grant_role import Command as GrantRole
from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action


class Command(GrantRole):
    help = "Take a role away from a person."
    action = Action.ROLE_REVOKED
    done = gettext_noop("%(role)s revoked for %(username)s")
    unchanged = gettext_noop("%(role)s revoked for %(username)s (no change)")

    def change(self, user: User, group: Group) -> bool:
        if not user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.remove(group)
        return True
