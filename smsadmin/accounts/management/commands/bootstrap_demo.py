import os

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smsadmin.accounts.models import User
from smsadmin.accounts.roles import Role
from smsadmin.keys.models import ApiKey

DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo admin once (wired to the sandbox's key) and print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sandbox-url",
            default="",
            help="The sandbox the site must talk to; refused when SOCIOSTACKS_API_URL differs.",
        )

    def handle(self, *args: object, sandbox_url: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("bootstrap_demo is for development (DEBUG=true) only.")
        # Say what the site will really use: a claimed address it does not use misleads.
        used = settings.SOCIOSTACKS_API_URL.rstrip("/")
        if sandbox_url and sandbox_url.rstrip("/") != used:
            raise CommandError(
                f"The site talks to {used}, not to the sandbox at {sandbox_url}: set "
                "SOCIOSTACKS_API_URL (make run does) or remove it from .env."
            )
        sandbox_url = used
        password = os.environ.get("SMSADMIN_DEMO_PASSWORD", "")
        if not password:
            raise CommandError("SMSADMIN_DEMO_PASSWORD is not set (make run writes it to .env).")
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"},
        )
        if created:
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=Role.ADMIN))
        sandbox_key = os.environ.get("SMSADMIN_SANDBOX_KEY", "sandbox-demo-key")
        if not ApiKey.objects.filter(owner=user).exists():
            key = ApiKey(label="Sandbox", owner=user, created_by=user)
            key.set_secret(sandbox_key)
            key.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: username {DEMO_USERNAME!r}, password {password!r} "
                f"(wired to the sandbox at {sandbox_url})"
            )
        )
