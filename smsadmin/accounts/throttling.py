"""Per-account sign-in throttling, beside django-axes' lockout per username and address.

Axes stops one address guessing one account. An attacker with many addresses
is stopped here, per account, without handing them a way to lock a shared
team login out (ASVS 2.2.1: at most 100 failures an hour per account):

- Every browser that signs in successfully gets a signed *device cookie*
  naming the account. An attacker cannot make one without SECRET_KEY.
- Wrong passwords from browsers without that cookie count against the
  account; past ``SMSADMIN_SIGNIN_UNKNOWN_FAILURES`` in the last hour, such
  browsers are refused before the password is even checked (no oracle left).
- Browsers with the cookie keep signing in as usual: the attack does not
  touch them. Each has its own allowance (``SMSADMIN_SIGNIN_DEVICE_FAILURES``
  an hour) after which it is treated like an unknown browser.
- The hour is sliding, so the refusal fades within an hour of the attack
  stopping; a team member on a new browser waits at most that long, and any
  colleague's browser that signed in before works throughout.

So an hour holds at most the unknown allowance plus each known browser's.
"""

import hashlib
import secrets
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

HOUR = 60 * 60
_DEVICE_SALT = "smsadmin.accounts.throttling.device"
_DEVICE_COOKIE_AGE = 365 * 24 * HOUR
# One browser is signed in to a few accounts at most; the cookie stays small.
_ACCOUNTS_PER_DEVICE = 5


def device_cookie_name() -> str:
    # As for the session cookie: the __Host- prefix wherever cookies are Secure.
    return "__Host-smsadmin-device" if settings.SESSION_COOKIE_SECURE else "smsadmin_device"


def _account(username: str) -> str:
    # As Django's sign-in form reads it, so look-alike spellings count as one.
    return unicodedata.normalize("NFKC", username)


def _device(request: HttpRequest) -> tuple[str, list[str]]:
    """This browser's device id and the accounts it signed in to; ("", []) for none."""
    try:
        found = signing.loads(
            request.COOKIES.get(device_cookie_name(), ""),
            salt=_DEVICE_SALT,
            max_age=_DEVICE_COOKIE_AGE,
        )
        return str(found["device"]), [str(name) for name in found["accounts"]]
    except (signing.BadSignature, KeyError, TypeError):
        return "", []


def _key(kind: str, name: str, hour: int) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"signin:{kind}:{digest}:{hour}"


def _failures(kind: str, name: str) -> float:
    """Failures in the last hour: this hour's count plus the share of the last one."""
    now = time.time()
    hour = int(now // HOUR)
    counts = cache.get_many([_key(kind, name, hour), _key(kind, name, hour - 1)])
    past = counts.get(_key(kind, name, hour - 1), 0)
    return counts.get(_key(kind, name, hour), 0) + past * (1 - (now % HOUR) / HOUR)


def _count_failure(kind: str, name: str) -> None:
    key = _key(kind, name, int(time.time() // HOUR))
    if not cache.add(key, 1, 2 * HOUR):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, 2 * HOUR)


def _known_device(request: HttpRequest, account: str) -> str:
    """The device id when this browser signed in to ``account`` before and may still try."""
    device, accounts = _device(request)
    if not device or account not in accounts:
        return ""
    if _failures("device", device) >= settings.SMSADMIN_SIGNIN_DEVICE_FAILURES:
        return ""
    return device


def refusal(request: HttpRequest, username: str) -> float | None:
    """The account's recent failures when this attempt must not even be checked, else None."""
    account = _account(username)
    if not account or _known_device(request, account):
        return None
    failures = _failures("account", account)
    return failures if failures >= settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES else None


def note_failure(request: HttpRequest | None, username: str) -> None:
    """Count a wrong password against the browser that knows the account, else the account."""
    account = _account(username)
    if not account:
        return
    device = _known_device(request, account) if request is not None else ""
    if device:
        _count_failure("device", device)
    else:
        _count_failure("account", account)


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a right password: this browser may sign in to the account even under attack."""
    device, accounts = _device(request)
    account = _account(username)
    accounts = [account, *(name for name in accounts if name != account)][:_ACCOUNTS_PER_DEVICE]
    response.set_cookie(
        device_cookie_name(),
        signing.dumps(
            {"device": device or secrets.token_urlsafe(16), "accounts": accounts},
            salt=_DEVICE_SALT,
        ),
        max_age=_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
