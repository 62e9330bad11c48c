"""Create the first admin from the environment, once; later runs change nothing.

The container entrypoint calls this on every start, so a fresh installation
can be signed in to straight after `docker compose up`:

    SMSADMIN_ADMIN_USERNAME   who the first admin is (unset: do nothing)
    SMSADMIN_ADMIN_PASSWORD   their password, checked like any other
    SMSADMIN_ADMIN_API_KEY    optional: a Sociostacks key stored for them (the sandbox demo)

An existing account is never touched, so a password changed in the site is
not reset by the next restart, and the variables can be removed after the first start.
"""

import os

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from smsadmin.accounts.models import User
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import record
from smsadmin.keys.models import ApiKey


class Command(BaseCommand):
    help = "Create the admin named by SMSADMIN_ADMIN_USERNAME unless it exists."

    def handle(self, *args: object, **options: object) -> None:
        username = os.environ.get("SMSADMIN_ADMIN_USERNAME", "").strip()
        if not username:
            self.stdout.write(gettext("SMSADMIN_ADMIN_USERNAME is not set: no admin to create."))
            return
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                gettext("The admin %(username)s exists; left as it is.")
                % {"username": repr(username)}
            )
            return
        password = os.environ.get("SMSADMIN_ADMIN_PASSWORD", "")
        if not password:
            raise CommandError(
                gettext("SMSADMIN_ADMIN_PASSWORD is not set, so %(username)s cannot be created.")
                % {"username": repr(username)}
            )
        try:
            validate_password(password, User(username=username))
        except ValidationError as error:
            raise CommandError(
                gettext("SMSADMIN_ADMIN_PASSWORD is too weak: %(reasons)s")
                % {"reasons": " ".join(error.messages)}
            ) from error
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": True}
            )
            if not created:
                # Another replica created it a moment ago.
                self.stdout.write(
                    gettext("The admin %(username)s exists; left as it is.")
                    % {"username": repr(username)}
                )
                return
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=Role.ADMIN))
            record(
                Action.ADMIN_CREATED,
                actor=user,
                target=f"user:{username}",
                details={"by": "ensure_admin"},
            )
            self._store_first_key(user)
        self.stdout.write(
            self.style.SUCCESS(
                gettext("Created the admin %(username)s.") % {"username": repr(username)}
            )
        )

    def _store_first_key(self, user: User) -> None:
        raw_key = os.environ.get("SMSADMIN_ADMIN_API_KEY", "").strip()
        if not raw_key:
            return
        key = ApiKey(label="First key", owner=user, created_by=user)
        key.set_secret(raw_key)
        key.save()
        record(Action.KEY_ADDED, actor=user, target=f"key:{key.pk}", details=key.audit_details())
