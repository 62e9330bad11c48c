import django.db.models.deletion
from django.db import migrations, models

# A team key moves from a Django group to a Team in three steps, each its own
# transaction: PostgreSQL refuses to alter a table in the transaction that
# just updated its rows (pending deferred foreign-key checks).


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_people_and_teams"), ("keys", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="apikey", name="apikey_one_owner_or_team"),
        migrations.AddField(
            model_name="apikey",
            name="new_team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.team",
            ),
        ),
    ]
