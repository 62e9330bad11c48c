"""Free-text search by index: SQLite FTS5 (trigram) with its triggers, PostgreSQL pg_trgm (text.py)."""

from django.db import migrations

from smsadmin.mirror import text


def index_the_text(apps, schema_editor):
    text.install(schema_editor.connection)


def drop_the_index(apps, schema_editor):
    text.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("mirror", "0003_mirror_dashboard_tallies")]

    operations = [migrations.RunPython(index_the_text, drop_the_index)]
