from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smsadmin.accounts.models import User
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import record


class Command(BaseCommand):
    help = "Give a person a role: viewer, sender, auditor or admin."
    action = Action.ROLE_GRANTED

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])

    def handle(self, *args: object, username: str, role: str, **options: object) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        group = Group.objects.get(name=role)
        changed = self.change(user, group)
        record(
            self.action, target=f"user:{user.username}", details={"role": role, "changed": changed}
        )
        verb = self.action.split()[-1]
        self.stdout.write(
            f"{role} {verb} for {user.username}" + ("" if changed else " (no change)")
        )

    def change(self, user: User, group: Group) -> bool:
        if user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.add(group)
        return True
