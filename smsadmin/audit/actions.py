"""The names of the things people do: the one list ``record()`` accepts.

``record()`` refuses a name that is not a member here, so a typo fails loudly
in the tests instead of quietly starting a new kind of event, and the review
page's action filter offers every kind that can be recorded.
"""

from django.db import models


class Action(models.TextChoices):
    # Signing in
    LOGIN = "login"
    FAILED_LOGIN = "failed login"
    LOGOUT = "logout"
    LOCKOUT = "lockout"
    SIGN_IN_THROTTLED = "sign-in throttled"
    SESSION_EXPIRED = "session expired"
    OPERATOR_NAMED = "operator named"
    OPERATOR_SWITCHED = "operator switched"
    PASSWORD_SET_BY_LINK = "password set by link"
    PASSWORD_LINK_REFUSED = "password link refused"
    RECOVERY_CODE_USED = "recovery code used"
    TWO_FACTOR_SETUP_STARTED = "2fa setup started"
    TWO_FACTOR_ENROLLED = "2fa enrolled"
    TWO_FACTOR_VERIFIED = "2fa verified"
    TWO_FACTOR_FAILED = "2fa failed"
    TWO_FACTOR_DISABLED = "2fa disabled"
    # Messages
    HOME = "home"
    LIST = "list"
    LIST_SCHEDULED = "list scheduled"
    VIEW = "view"
    SEND = "send"
    SEND_REPEAT = "send repeat"
    SCHEDULE = "schedule"
    DELETE = "delete"
    CANCEL = "cancel"
    DEFAULT_DEVICE_SET = "default device set"
    FORM_REFUSED = "form refused"
    # Inbox and conversations
    INBOX_VIEWED = "inbox viewed"
    MARKED_HANDLED = "marked handled"
    CONVERSATION_VIEWED = "conversation viewed"
    SENT_AGAIN = "sent again"
    RESCHEDULED = "rescheduled"
    SAVED_TEXT_ADDED = "saved text added"
    SAVED_TEXT_CHANGED = "saved text changed"
    SAVED_TEXT_DELETED = "saved text deleted"
    # Mirror
    SEARCH = "search"
    DASHBOARD = "dashboard"
    MIRROR_EXPORTED = "mirror exported"
    SYNC_NOW = "sync now"
    SYNC_STARTED = "sync started"
    SYNC_STOPPED = "sync stopped"
    SYNC_FINISHED = "sync finished"
    # Keys
    KEYS_VIEWED = "keys viewed"
    KEY_ADDED = "key added"
    KEY_REPLACED = "key replaced"
    KEY_RENAMED = "key renamed"
    KEY_DELETED = "key deleted"
    KEY_VERIFIED = "key verified"
    KEY_ACTIVATED = "key activated"
    KEY_ROTATION = "key rotation"
    # People
    ROLE_GRANTED = "role granted"
    ROLE_REVOKED = "role revoked"
    TEAM_JOINED = "team joined"
    TEAM_LEFT = "team left"
    PERMISSION_DENIED = "permission denied"
    PREFERENCES_CHANGED = "preferences changed"
    LANGUAGE_CHOSEN = "language chosen"
    ADMIN_ADDED = "admin added"
    ADMIN_CHANGED = "admin changed"
    ADMIN_DELETED = "admin deleted"
    ADMIN_CREATED = "admin created"
    PEOPLE_VIEWED = "people viewed"
    PERSON_INVITED = "person invited"
    SHARED_LOGIN_CREATED = "shared login created"
    ROLES_CHANGED = "roles changed"
    PERSON_DEACTIVATED = "person deactivated"
    PERSON_REACTIVATED = "person reactivated"
    TWO_FACTOR_RESET = "2fa reset"
    PASSWORD_LINK_ISSUED = "password link issued"
    SHARED_PASSWORD_SET = "shared password set"
    OPERATORS_CHANGED = "operators changed"
    TEAM_CREATED = "team created"
    TEAM_MEMBERS_CHANGED = "team members changed"
    # The audit log itself
    AUDIT_VIEWED = "audit viewed"
    AUDIT_EXPORTED = "audit exported"
    AUDIT_VERIFIED = "audit verified"
    AUDIT_PRUNED = "audit pruned"


def known_action(name: str) -> Action:
    """The member called ``name``; ValueError for a name nobody declared."""
    try:
        return Action(name)
    except ValueError:
        raise ValueError(f"unknown audit action {name!r}: declare it in audit/actions.py") from None
