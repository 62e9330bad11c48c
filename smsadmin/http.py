"""What the site believes of a request's own words: where to go next, and numbers.

The two questions every view asks of hostile input, answered once:

- ``safe_next`` (and ``own_path`` under it): a redirect target from a ``next``
  or ``back`` parameter, or a header, is used only as a path on this site.
- ``query_int``: a number from the query string or a form is ASCII digits of a
  bounded length within a bounded range (``str.isdigit`` also accepts ``²``
  and ``٣``, and ``int()`` of 4,400 digits is refused by Python itself).
- ``DayField``: a day a filter can use, far enough from the calendar's edges
  that the day after it, and its midnight in any zone, still exist.
"""

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from smsadmin import problems

if TYPE_CHECKING:  # annotations only: this module is imported before the apps are ready
    from django_htmx.middleware import HtmxDetails

    from smsadmin.accounts.models import User
    from smsadmin.keys.models import ApiKey


class SignedInRequest(HttpRequest):
    """A request as a signed-in view sees it: our ``User``, and django-htmx's ``htmx``.

    For the type checker only (nothing is added at run time): the login
    middleware lets no anonymous request reach a view, and HtmxMiddleware
    sets ``htmx`` on every request.
    """

    user: "User"
    htmx: "HtmxDetails"


class KeyedRequest(SignedInRequest):
    """A request past ``keys.decorators.api_key_required``: ``api_key`` is the active key."""

    api_key: "ApiKey"


# The largest id both databases store (a signed 64-bit integer).
MAX_ID = 2**63 - 1
# 19 digits hold MAX_ID; anything longer is refused before int() sees it.
_DIGITS = re.compile(r"[0-9]{1,19}")
# Longer redirect targets are nobody's bookmark.
_MAX_PATH_LENGTH = 2000


def query_int(value: object, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """``value`` as a whole number in [low, high], or None when it is anything else."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def is_storable_id(number: int) -> bool:
    """An id upstream could have given and the database can store."""
    return 1 <= number <= MAX_ID


def own_path(url: str | None, request: HttpRequest) -> str | None:
    """``url`` reduced to a path on this site, or None when it could lead anywhere else.

    Django's own check comes first; on top of it only an absolute path (or a
    full URL naming this very host) passes, with no backslash, no control or
    space character and no second slash at the start, which some browsers
    read as another host.
    """
    if not url or len(url) > _MAX_PATH_LENGTH:
        return None
    if "\\" in url or any(char.isspace() or not char.isprintable() for char in url):
        return None
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket, say
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def safe_next(request: HttpRequest, default: str, *, param: str = "next") -> str:
    """Where to go after this request: the posted or queried ``param`` if it stays here."""
    for candidate in (request.POST.get(param), request.GET.get(param)):
        path = own_path(candidate, request)
        if path is not None:
            return path
    return default


FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)


class DayField(forms.DateField):
    """A date filter's day. 9999-12-31 has no next day and 0001-01-01 in Tokyo no UTC time."""

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(problems.day_out_of_range(FIRST_DAY, LAST_DAY))
