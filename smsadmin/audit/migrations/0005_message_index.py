from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_verification_completeness"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditMessageRef",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sms_id", models.PositiveBigIntegerField()),
                ("event_seq", models.PositiveBigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("sms_id", "event_seq"), name="audit_message_ref"
                    )
                ],
            },
        ),
    ]
