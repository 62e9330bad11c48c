from django.db import migrations

ROLES = ("viewer", "sender", "auditor", "admin")


def point_at_teams(apps, schema_editor):
    ApiKey = apps.get_model("keys", "ApiKey")
    Team = apps.get_model("accounts", "Team")
    teams = {team.name: team for team in Team.objects.all()}
    for key in ApiKey.objects.filter(team__isnull=False).select_related("team"):
        key.new_team = teams[key.team.name]
        key.save(update_fields=["new_team"])


def point_back_at_groups(apps, schema_editor):
    ApiKey = apps.get_model("keys", "ApiKey")
    Group = apps.get_model("auth", "Group")
    for key in ApiKey.objects.filter(new_team__isnull=False).select_related("new_team"):
        # As accounts 0005 restores it: a team named like a role is not that role.
        name = key.new_team.name
        key.team, _ = Group.objects.get_or_create(
            name=name if name not in ROLES else f"team {name}"
        )
        key.save(update_fields=["team"])


class Migration(migrations.Migration):
    dependencies = [("keys", "0002_team_key_to_team_prepare")]

    operations = [migrations.RunPython(point_at_teams, point_back_at_groups)]
