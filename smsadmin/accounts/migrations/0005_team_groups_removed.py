from django.db import migrations

ROLES = ("viewer", "sender", "auditor", "admin")


def remove_team_groups(apps, schema_editor):
    """The groups copied into teams go, so the groups left are the roles alone."""
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("accounts", "Team")
    names = Team.objects.values_list("name", flat=True)
    Group.objects.exclude(name__in=ROLES).filter(name__in=list(names)).delete()


def restore_team_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Team = apps.get_model("accounts", "Team")
    for team in Team.objects.prefetch_related("members"):
        # A team named like a role must not hand its members that role.
        name = team.name if team.name not in ROLES else f"team {team.name}"
        group, _ = Group.objects.get_or_create(name=name)
        group.user_set.add(*team.members.all())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_people_and_teams"), ("keys", "0004_team_key_to_team_finish")]

    operations = [migrations.RunPython(remove_team_groups, restore_team_groups)]
