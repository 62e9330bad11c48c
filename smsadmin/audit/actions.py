"""The names of the things people do, as ``record(action, ...)`` writes them.

The review page offers exactly these in its action filter, so an action that
is recorded but missing here cannot be filtered for: add new names here.
"""

SIGN_IN = ("login", "failed login", "logout", "lockout", "session expired", "operator named")
MESSAGES = ("list", "list scheduled", "view", "send", "schedule", "delete", "cancel")
KEYS = (
    "keys viewed",
    "key added",
    "key replaced",
    "key renamed",
    "key deleted",
    "key verified",
    "key activated",
    "key rotation",
)
PEOPLE = (
    "role granted",
    "role revoked",
    "team joined",
    "team left",
    "permission denied",
    "preferences changed",
    "admin added",
    "admin changed",
    "admin deleted",
)
AUDIT = ("audit viewed", "audit exported", "audit verified", "audit pruned")

KNOWN_ACTIONS: tuple[str, ...] = SIGN_IN + MESSAGES + KEYS + PEOPLE + AUDIT
