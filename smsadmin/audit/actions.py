"""The names of the things people do: the one list ``record()`` accepts.

``record()`` refuses a name that is not a member here, so a typo fails loudly
in the tests instead of quietly starting a new kind of event, and the review
page's action filter offers every kind that can be recorded.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    # Signing in
    LOGIN = "login", pgettext_lazy("audit action", "login")
    FAILED_LOGIN = "failed login", pgettext_lazy("audit action", "failed login")
    LOGOUT = "logout", pgettext_lazy("audit action", "logout")
    LOCKOUT = "lockout", pgettext_lazy("audit action", "lockout")
    SIGN_IN_THROTTLED = "sign-in throttled", pgettext_lazy("audit action", "sign-in throttled")
    SESSION_EXPIRED = "session expired", pgettext_lazy("audit action", "session expired")
    OPERATOR_NAMED = "operator named", pgettext_lazy("audit action", "operator named")
    OPERATOR_SWITCHED = "operator switched", pgettext_lazy("audit action", "operator switched")
    PASSWORD_SET_BY_LINK = (
        "password set by link",
        pgettext_lazy("audit action", "password set by link"),
    )
    PASSWORD_LINK_REFUSED = (
        "password link refused",
        pgettext_lazy("audit action", "password link refused"),
    )
    RECOVERY_CODE_USED = "recovery code used", pgettext_lazy("audit action", "recovery code used")
    TWO_FACTOR_SETUP_STARTED = (
        "2fa setup started",
        pgettext_lazy("audit action", "2fa setup started"),
    )
    TWO_FACTOR_ENROLLED = "2fa enrolled", pgettext_lazy("audit action", "2fa enrolled")
    TWO_FACTOR_VERIFIED = "2fa verified", pgettext_lazy("audit action", "2fa verified")
    TWO_FACTOR_FAILED = "2fa failed", pgettext_lazy("audit action", "2fa failed")
    TWO_FACTOR_DISABLED = "2fa disabled", pgettext_lazy("audit action", "2fa disabled")
    # Messages
    HOME = "home", pgettext_lazy("audit action", "home")
    LIST = "list", pgettext_lazy("audit action", "list")
    LIST_SCHEDULED = "list scheduled", pgettext_lazy("audit action", "list scheduled")
    VIEW = "view", pgettext_lazy("audit action", "view")
    SEND = "send", pgettext_lazy("audit action", "send")
    SEND_REPEAT = "send repeat", pgettext_lazy("audit action", "send repeat")
    SCHEDULE = "schedule", pgettext_lazy("audit action", "schedule")
    DELETE = "delete", pgettext_lazy("audit action", "delete")
    CANCEL = "cancel", pgettext_lazy("audit action", "cancel")
    DEFAULT_DEVICE_SET = "default device set", pgettext_lazy("audit action", "default device set")
    FORM_REFUSED = "form refused", pgettext_lazy("audit action", "form refused")
    # Inbox and conversations
    INBOX_VIEWED = "inbox viewed", pgettext_lazy("audit action", "inbox viewed")
    MARKED_HANDLED = "marked handled", pgettext_lazy("audit action", "marked handled")
    CONVERSATION_VIEWED = (
        "conversation viewed",
        pgettext_lazy("audit action", "conversation viewed"),
    )
    SENT_AGAIN = "sent again", pgettext_lazy("audit action", "sent again")
    RESCHEDULED = "rescheduled", pgettext_lazy("audit action", "rescheduled")
    SAVED_TEXT_ADDED = "saved text added", pgettext_lazy("audit action", "saved text added")
    SAVED_TEXT_CHANGED = "saved text changed", pgettext_lazy("audit action", "saved text changed")
    SAVED_TEXT_DELETED = "saved text deleted", pgettext_lazy("audit action", "saved text deleted")
    # Mirror
    SEARCH = "search", pgettext_lazy("audit action", "search")
    DASHBOARD = "dashboard", pgettext_lazy("audit action", "dashboard")
    MIRROR_EXPORTED = "mirror exported", pgettext_lazy("audit action", "mirror exported")
    SYNC_NOW = "sync now", pgettext_lazy("audit action", "sync now")
    SYNC_STARTED = "sync started", pgettext_lazy("audit action", "sync started")
    SYNC_STOPPED = "sync stopped", pgettext_lazy("audit action", "sync stopped")
    SYNC_FINISHED = "sync finished", pgettext_lazy("audit action", "sync finished")
    # Jobs
    JOBS_VIEWED = "jobs viewed", pgettext_lazy("audit action", "jobs viewed")
    JOB_VIEWED = "job viewed", pgettext_lazy("audit action", "job viewed")
    JOB_CONFIRMED = "job confirmed", pgettext_lazy("audit action", "job confirmed")
    JOB_STARTED = "job started", pgettext_lazy("audit action", "job started")
    JOB_CANCELLED = "job cancelled", pgettext_lazy("audit action", "job cancelled")
    JOB_FINISHED = "job finished", pgettext_lazy("audit action", "job finished")
    # Keys
    KEYS_VIEWED = "keys viewed", pgettext_lazy("audit action", "keys viewed")
    KEY_ADDED = "key added", pgettext_lazy("audit action", "key added")
    KEY_REPLACED = "key replaced", pgettext_lazy("audit action", "key replaced")
    KEY_RENAMED = "key renamed", pgettext_lazy("audit action", "key renamed")
    KEY_DELETED = "key deleted", pgettext_lazy("audit action", "key deleted")
    KEY_VERIFIED = "key verified", pgettext_lazy("audit action", "key verified")
    KEY_ACTIVATED = "key activated", pgettext_lazy("audit action", "key activated")
    KEY_ROTATION = "key rotation", pgettext_lazy("audit action", "key rotation")
    # People
    ROLE_GRANTED = "role granted", pgettext_lazy("audit action", "role granted")
    ROLE_REVOKED = "role revoked", pgettext_lazy("audit action", "role revoked")
    TEAM_JOINED = "team joined", pgettext_lazy("audit action", "team joined")
    TEAM_LEFT = "team left", pgettext_lazy("audit action", "team left")
    PERMISSION_DENIED = "permission denied", pgettext_lazy("audit action", "permission denied")
    PREFERENCES_CHANGED = (
        "preferences changed",
        pgettext_lazy("audit action", "preferences changed"),
    )
    LANGUAGE_CHOSEN = "language chosen", pgettext_lazy("audit action", "language chosen")
    ADMIN_ADDED = "admin added", pgettext_lazy("audit action", "admin added")
    ADMIN_CHANGED = "admin changed", pgettext_lazy("audit action", "admin changed")
    ADMIN_DELETED = "admin deleted", pgettext_lazy("audit action", "admin deleted")
    ADMIN_CREATED = "admin created", pgettext_lazy("audit action", "admin created")
    PEOPLE_VIEWED = "people viewed", pgettext_lazy("audit action", "people viewed")
    PERSON_INVITED = "person invited", pgettext_lazy("audit action", "person invited")
    SHARED_LOGIN_CREATED = (
        "shared login created",
        pgettext_lazy("audit action", "shared login created"),
    )
    ROLES_CHANGED = "roles changed", pgettext_lazy("audit action", "roles changed")
    PERSON_DEACTIVATED = "person deactivated", pgettext_lazy("audit action", "person deactivated")
    PERSON_REACTIVATED = "person reactivated", pgettext_lazy("audit action", "person reactivated")
    TWO_FACTOR_RESET = "2fa reset", pgettext_lazy("audit action", "2fa reset")
    PASSWORD_LINK_ISSUED = (
        "password link issued",
        pgettext_lazy("audit action", "password link issued"),
    )
    SHARED_PASSWORD_SET = (
        "shared password set",
        pgettext_lazy("audit action", "shared password set"),
    )
    OPERATORS_CHANGED = "operators changed", pgettext_lazy("audit action", "operators changed")
    TEAM_CREATED = "team created", pgettext_lazy("audit action", "team created")
    TEAM_MEMBERS_CHANGED = (
        "team members changed",
        pgettext_lazy("audit action", "team members changed"),
    )
    # The audit log itself
    AUDIT_VIEWED = "audit viewed", pgettext_lazy("audit action", "audit viewed")
    AUDIT_EXPORTED = "audit exported", pgettext_lazy("audit action", "audit exported")
    AUDIT_VERIFIED = "audit verified", pgettext_lazy("audit action", "audit verified")
    AUDIT_PRUNED = "audit pruned", pgettext_lazy("audit action", "audit pruned")


def known_action(name: str) -> Action:
    """The member called ``name``; ValueError for a name nobody declared."""
    try:
        return Action(name)
    except ValueError:
        raise ValueError(f"unknown audit action {name!r}: declare it in audit/actions.py") from None


def action_label(name: str) -> str:
    """The action's name in the page's language; an older version's action as it was recorded."""
    try:
        return str(Action(name).label)
    except ValueError:
        return name
