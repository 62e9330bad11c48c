import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("keys", "0003_team_key_to_team_copy")]

    operations = [
        migrations.RemoveField(model_name="apikey", name="team"),
        migrations.RenameField(model_name="apikey", old_name="new_team", new_name="team"),
        migrations.AlterField(
            model_name="apikey",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_keys",
                to="accounts.team",
            ),
        ),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(("owner__isnull", False), ("team__isnull", True))
                | models.Q(("owner__isnull", True), ("team__isnull", False)),
                name="apikey_one_owner_or_team",
            ),
        ),
    ]
