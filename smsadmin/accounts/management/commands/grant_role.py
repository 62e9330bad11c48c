from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from smsadmin.accounts.models import User
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import record


class Command(BaseCommand):
    help = "Give a person a role: viewer, sender, auditor or admin."
    action = Action.ROLE_GRANTED
    # The role is named as the command takes it (the group's name), in every language.
    done = gettext_noop("%(role)s granted for %(username)s")
    unchanged = gettext_noop("%(role)s granted for %(username)s (no change)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])

    def handle(self, *args: object, username: str, role: str, **options: object) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(
                gettext("No user named %(username)s.") % {"username": repr(username)}
            ) from error
        group = Group.objects.get(name=role)
        changed = self.change(user, group)
        record(
            self.action, target=f"user:{user.username}", details={"role": role, "changed": changed}
        )
        said = self.done if changed else self.unchanged
        self.stdout.write(gettext(said) % {"role": role, "username": user.username})

    def change(self, user: User, group: Group) -> bool:
        if user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.add(group)
        return True
