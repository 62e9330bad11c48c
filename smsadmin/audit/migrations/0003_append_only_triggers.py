from django.db import migrations

from smsadmin.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.remove(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_event_indexes_and_message_ids")]
    operations = [migrations.RunPython(install, uninstall)]
