"""Who is working on a shared login: the names an admin allows, and the one a session chose.

The chosen name lives in the session (``OPERATOR_SESSION_KEY``), goes into
every audit event, and is shown in the header. A name an admin has since
taken off the list stops working at the next click.
"""

from smsadmin.accounts.models import User

# Where a shared login keeps the name its operator picked, for the pages and the audit log.
OPERATOR_SESSION_KEY = "smsadmin_operator_name"


def allowed_names(login: User) -> list[str]:
    return list(login.operators.values_list("name", flat=True))


def clean_name(name: str) -> str:
    """A name as people mean it: inner runs of spaces made one, none at the ends."""
    return " ".join(name.split())


def may_work_as(login: User, name: str) -> bool:
    """Whether ``name`` may act on the shared ``login`` now."""
    if not name:
        return False
    return login.operators_may_type_a_name or login.operators.filter(name=name).exists()
