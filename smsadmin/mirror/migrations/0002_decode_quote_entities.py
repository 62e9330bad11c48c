"""Mirrored content as it was meant: the two entities Sociostacks stores quotes as, decoded.

Messages are decoded as they are read since this release; rows mirrored
before it still hold ``&#39;`` and ``&#34;``, which a search for ``it's``
would miss. Nothing else is unescaped (sociostacks-api.md, "Creating messages").
"""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def decode_quotes(apps, schema_editor):
    MirroredMessage = apps.get_model("mirror", "MirroredMessage")
    apostrophe = Replace("content", Value("&#39;"), Value("'"))
    MirroredMessage.objects.filter(content__contains="&#").update(
        content=Replace(apostrophe, Value("&#34;"), Value('"'))
    )


class Migration(migrations.Migration):
    dependencies = [("mirror", "0001_initial")]

    # Going back leaves the text decoded: encoding every quote again would
    # also encode the ones that never were entities.
    operations = [migrations.RunPython(decode_quotes, migrations.RunPython.noop)]
