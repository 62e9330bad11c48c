import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ROLES = ("viewer", "sender", "auditor", "admin")


def copy_team_groups(apps, schema_editor):
    """Every group that is not a role was a team: it becomes a Team with the same members."""
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("accounts", "Team")
    for group in Group.objects.exclude(name__in=ROLES).order_by("pk"):
        team, _ = Team.objects.get_or_create(name=group.name)
        team.members.add(*group.user_set.all())


def keep_typed_operator_names(apps, schema_editor):
    # Shared logins made before operator lists had only typed names; they keep
    # working as they did until an admin gives them a list.
    apps.get_model("accounts", "User").objects.filter(is_shared=True).update(
        operators_may_type_a_name=True
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_cache_table")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="operators_may_type_a_name",
            field=models.BooleanField(
                default=False,
                help_text="On a shared login: besides picking a listed name, an operator may type one that is not on the list.",
                verbose_name="operators may type a name",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="session_epoch",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Raised to end every session of this login at once.",
            ),
        ),
        migrations.CreateModel(
            name="PasswordLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("purpose", models.CharField(choices=[("invite", "invitation"), ("reset", "password reset")], max_length=10)),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="password_links",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at"]},
        ),
        migrations.CreateModel(
            name="Team",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=150, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("members", models.ManyToManyField(blank=True, related_name="teams", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Operator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64)),
                (
                    "login",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="operators",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("login", "name"), name="operator_name_per_login")
                ],
            },
        ),
        # The Team table is dropped on the way back, so there is nothing to undo.
        migrations.RunPython(copy_team_groups, migrations.RunPython.noop),
        migrations.RunPython(keep_typed_operator_names, migrations.RunPython.noop),
    ]
