from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy, pgettext_lazy

from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.roles import Role, has_role
from smsadmin.keys.selection import active_key


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation shows: only what the person may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {role: has_role(user, role) for role in Role}
    operator_name = request.session.get(OPERATOR_SESSION_KEY, "")
    return {
        "can_view": roles[Role.VIEWER],
        "can_send": roles[Role.SENDER],
        "can_audit": roles[Role.AUDITOR],
        "is_admin": roles[Role.ADMIN],
        "operator_name": operator_name,
        # Read by both copies of the navigation (top bar and menu): built once.
        "nav_links": SimpleLazyObject(lambda: nav_links(request, roles, operator_name)),
        # The header names the Sociostacks account every page works with.
        "working_key": SimpleLazyObject(lambda: _working_key(request)),
    }


@dataclass(frozen=True)
class NavLink:
    url: str
    label: Promise
    current: bool
    # The unread badge the top bar's Inbox link polls (not the menu's copy).
    badge_url: str = ""


def _is(match: ResolverMatch | None, namespace: str | None = None, url_name: str = "") -> bool:
    if match is None:
        return False
    return (namespace is None or match.namespace == namespace) and (
        not url_name or match.url_name == url_name
    )


def nav_links(request: HttpRequest, roles: dict[Role, bool], operator_name: str) -> list[NavLink]:
    """The main navigation's links, in order, the page's own marked current."""
    match = request.resolver_match
    links = []
    if roles[Role.VIEWER]:
        inbox_current = _is(match, "conversations") and not _is(match, url_name="saved_texts")
        # A shared login polls for unread messages only once it has said who works on it.
        polls = not getattr(request.user, "is_shared", False) or bool(operator_name)
        links += [
            NavLink(reverse("sms:list"), gettext_lazy("Messages"), _is(match, "sms", "list")),
            NavLink(
                reverse("conversations:inbox"),
                gettext_lazy("Inbox"),
                inbox_current,
                reverse("conversations:badge") if polls else "",
            ),
        ]
    if roles[Role.SENDER]:
        links.append(
            NavLink(reverse("sms:compose"), gettext_lazy("Compose"), _is(match, url_name="compose"))
        )
    if roles[Role.VIEWER]:
        links += [
            NavLink(
                reverse("sms:scheduled"),
                pgettext_lazy("navigation", "Scheduled"),
                _is(match, url_name="scheduled"),
            ),
            NavLink(reverse("mirror:search"), gettext_lazy("Search"), _is(match, "mirror")),
            NavLink(reverse("jobs:list"), gettext_lazy("Jobs"), _is(match, "jobs")),
        ]
    if roles[Role.AUDITOR]:
        links.append(
            NavLink(
                reverse("audit:review"),
                pgettext_lazy("navigation", "Audit"),
                _is(match, "audit"),
            )
        )
    links.append(NavLink(reverse("keys:list"), gettext_lazy("Keys"), _is(match, "keys")))
    if roles[Role.ADMIN]:
        links.append(NavLink(reverse("people:list"), gettext_lazy("People"), _is(match, "people")))
    return links


def _working_key(request: HttpRequest) -> object:
    # A view behind api_key_required has looked it up already.
    if not request.user.is_authenticated:
        return ""
    return getattr(request, "api_key", None) or active_key(request.user) or ""
