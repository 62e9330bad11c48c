import os

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

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
            raise CommandError(gettext("bootstrap_demo is for development (DEBUG=true) only."))
        # Say what the site will really use: a claimed address it does not use misleads.
        used = settings.SOCIOSTACKS_API_URL.rstrip("/")
        if sandbox_url and sandbox_url.rstrip("/") != used:
            raise CommandError(
                gettext(
                    "The site talks to %(used)s, not to the sandbox at %(sandbox)s: set "
                    "SOCIOSTACKS_API_URL (make run does) or remove it from .env."
                )
                % {"used": used, "sandbox": sandbox_url}
            )
        sandbox_url = used
        password = os.environ.get("SMSADMIN_DEMO_PASSWORD", "")
        if not password:
            raise CommandError(
                gettext("SMSADMIN_DEMO_PASSWORD is not set (make run writes it to .env).")
            )
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
                gettext(
                    "Demo admin: username %(username)s, password %(password)s "
                    "(wired to the sandbox at %(sandbox)s)"
                )
                % {
                    "username": repr(DEMO_USERNAME),
                    "password": repr(password),
                    "sandbox": sandbox_url,
                }
            )
        )
