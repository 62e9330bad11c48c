import pytest

from smsadmin.accounts.models import User
from smsadmin.audit.models import AuditEvent
from tests.conftest import make_user


def events(action: str | None = None) -> list[AuditEvent]:
    """Every event so far (of ``action``, when given), oldest first."""
    found = AuditEvent.objects.order_by("seq")
    return list(found.filter(action=action) if action else found)


def after(event: AuditEvent | None, action: str | None = None) -> list[AuditEvent]:
    """The events recorded after ``event`` (all of them when None), oldest first."""
    found = AuditEvent.objects.order_by("seq")
    if event is not None:
        found = found.filter(seq__gt=event.seq)
    return list(found.filter(action=action) if action else found)


@pytest.fixture
def superuser(db) -> User:
    return make_user("root", is_staff=True, is_superuser=True)


def tamper(sql: str, params: list[object] | None = None) -> None:
    """Change the audit table by hand, as someone who dropped the triggers would."""
    from django.db import connection, transaction

    from smsadmin.audit import triggers

    with transaction.atomic():
        triggers.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        triggers.install(connection)
