"""One-time links that let a person set their own password: invitations and resets.

A link holds a random token; the database keeps only its SHA-256, so neither
a copy of the database nor the audit log opens an account. A link works once,
for 72 hours; a newer link for the same person, or their deactivation, closes
it. The admin who made it sees it once, and it is e-mailed when the site has
e-mail (``EMAIL_URL``); without, nothing is sent, so no link lands in a log.
"""

import hashlib
import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from smsadmin.accounts.models import PasswordLink, User
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record

LINK_LIFETIME = timedelta(hours=72)


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    CLOSED = "closed"


# English here; the page translates them (gettext) when it shows one.
PROBLEM_EXPLANATIONS = {
    LinkProblem.UNKNOWN: gettext_noop(
        "This link is not one smsadmin made: it may have been cut short "
        "or changed when it was copied. Copy the whole link again, or ask an admin for a new one."
    ),
    LinkProblem.EXPIRED: gettext_noop(
        "This link has expired: links work for 72 hours. Ask an admin for a new one."
    ),
    LinkProblem.USED: gettext_noop(
        "This link has already been used, and each link works once. "
        "If you set your password with it, sign in; if not, ask an admin for a new link."
    ),
    LinkProblem.CLOSED: gettext_noop(
        "This link no longer works: a newer link was made for this account, "
        "or the account was deactivated. Use the newest link, or ask an admin."
    ),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def problem_with(link: PasswordLink, now: datetime | None = None) -> LinkProblem | None:
    """Why ``link`` cannot be used now; None when it can."""
    if link.used_at is not None:
        return LinkProblem.USED
    if link.closed_at is not None or not link.user.is_active:
        return LinkProblem.CLOSED
    if link.expires_at <= (now or timezone.now()):
        return LinkProblem.EXPIRED
    return None


def find(token: str) -> tuple[PasswordLink | None, LinkProblem | None]:
    """The link a token opens and why it cannot be used (None: it can)."""
    link = PasswordLink.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if link is None:
        return None, LinkProblem.UNKNOWN
    return link, problem_with(link)


def open_links_by_user(users: list[User]) -> dict[int, PasswordLink]:
    """Each person's newest usable link, for those among ``users`` who have one."""
    links = PasswordLink.objects.filter(
        user__in=users, used_at__isnull=True, closed_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("created_at")
    return {link.user_id: link for link in links}


def close_open_links(person: User) -> int:
    """Close every link of the person that could still be used; how many there were."""
    return PasswordLink.objects.filter(
        user=person, used_at__isnull=True, closed_at__isnull=True
    ).update(closed_at=timezone.now())


@dataclass(frozen=True)
class IssuedLink:
    """A new link as its maker sees it, once: the address and whether it went by e-mail."""

    url: str
    expires_at: datetime
    emailed_to: str = ""
    email_problem: str = ""

    def audit_details(self) -> dict[str, object]:
        """What the audit log may say about the link: never the address itself."""
        details: dict[str, object] = {
            "link_expires_at": self.expires_at.isoformat(),
            "emailed": bool(self.emailed_to),
        }
        if self.email_problem:
            details["email_problem"] = self.email_problem
        return details


def issue(
    person: User, purpose: PasswordLink.Purpose, *, by: User | None, site_url: str
) -> IssuedLink:
    """A new link for ``person`` (older ones close), e-mailed when the site has e-mail.

    The caller records the event it belongs to, with ``IssuedLink.audit_details``.
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        close_open_links(person)
        link = PasswordLink.objects.create(
            user=person,
            purpose=purpose,
            token_hash=_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    url = urljoin(site_url, reverse("set_password", args=[token]))
    return _deliver(link, url, by)


def _deliver(link: PasswordLink, url: str, by: User | None) -> IssuedLink:
    person = link.user
    if not settings.SMSADMIN_EMAIL_LINKS or not person.email:
        return IssuedLink(url, link.expires_at)
    # In the person's own language when they have one, else the site's.
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject, body = _email(link, url, by)
    try:
        send_mail(subject, body, None, [person.email])
    except (smtplib.SMTPException, OSError) as error:
        return IssuedLink(url, link.expires_at, email_problem=type(error).__name__)
    return IssuedLink(url, link.expires_at, emailed_to=person.email)


def _email(link: PasswordLink, url: str, by: User | None) -> tuple[str, str]:
    """The e-mail's subject and body, in the active language."""
    person = link.user
    values = {
        "inviter": (by.get_full_name() or by.get_username()) if by else gettext("An admin"),
        "name": person.get_full_name() or person.get_username(),
        "username": person.get_username(),
        "until": date_format(link.expires_at.astimezone(UTC), "SHORT_DATETIME_FORMAT"),
        "url": url,
    }
    if link.purpose == PasswordLink.Purpose.INVITE:
        subject = gettext("Your smsadmin account")
        body = gettext(
            "Hello %(name)s,\n\n"
            "%(inviter)s made you an smsadmin account. Your username is %(username)s.\n\n"
            "Choose your password here. The link works once, until %(until)s UTC:\n\n"
            "%(url)s\n\n"
            "If you did not expect this, ignore it and tell your admin.\n"
        )
    else:
        subject = gettext("A new smsadmin password")
        body = gettext(
            "Hello %(name)s,\n\n"
            "%(inviter)s asked smsadmin to let you choose a new password. "
            "Your username is %(username)s.\n\n"
            "Choose your password here. The link works once, until %(until)s UTC:\n\n"
            "%(url)s\n\n"
            "If you did not expect this, ignore it and tell your admin.\n"
        )
    return subject, body % values


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def record_refusal(who: Who, link: PasswordLink | None, problem: LinkProblem) -> None:
    record(
        Action.PASSWORD_LINK_REFUSED,
        who=who,
        outcome=Outcome.DENIED,
        target=f"user:{link.user.username}" if link else "",
        details={"reason": problem.value, **({"purpose": link.purpose} if link else {})},
    )


def set_password(who: Who, link: PasswordLink, password: str) -> User:
    """Set the person's password (already checked by the site's rules) and use up the link.

    The link row is locked and checked again, so two submissions of one link
    cannot both pass. Raises LinkRefused, recorded, when it is no longer usable.
    """
    with transaction.atomic():
        locked = PasswordLink.objects.select_for_update().select_related("user").get(pk=link.pk)
        problem = problem_with(locked)
        if problem is None:
            person = locked.user
            person.set_password(password)
            person.save(update_fields=["password"])
            locked.used_at = timezone.now()
            locked.save(update_fields=["used_at"])
            record(
                Action.PASSWORD_SET_BY_LINK,
                who=who,
                target=f"user:{person.username}",
                details={"purpose": locked.purpose},
            )
            return person
    record_refusal(who, locked, problem)
    raise LinkRefused(problem)
