from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="message_ids",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="auditverification",
            name="first_bad_event_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditverification",
            name="through_seq",
            field=models.PositiveBigIntegerField(
                default=0, help_text="The newest event the check covered."
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_username",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("started", "started"),
                    ("ok", "ok"),
                    ("denied", "denied"),
                    ("invalid", "invalid"),
                    ("upstream_error", "upstream error"),
                    ("failed", "failed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "-seq"], name="audit_action_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["outcome", "-seq"], name="audit_outcome_seq"),
        ),
    ]
