from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_append_only_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditverification',
            name='complete',
            field=models.BooleanField(default=True, help_text='False when the check ran out of time before the newest event.'),
        ),
    ]
