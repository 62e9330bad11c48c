"""Managing people from the site: invitations, roles, deactivation, resets, shared logins, teams.

Every change is made by an admin (``who.actor``) and recorded as one audit
event saying what was before and what is after; a change the rules refuse is
recorded as denied, with the reason, and raises ``Refused``. The rules keep the
site manageable by someone:

- nobody removes their own admin role or deactivates themself,
- the last admin stays an admin,
- only a superuser changes a superuser's account.

Changes that touch the admins run with the admin role's group row locked, so
two admins demoting each other at the same moment cannot leave none.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from smsadmin.accounts import invites, operators, twofactor
from smsadmin.accounts.models import Operator, PasswordLink, Team, User
from smsadmin.accounts.roles import Role, granting_groups, has_role, role_label, roles_given
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record


class Refused(Exception):
    """A change the rules do not allow; the message tells the admin why, in their language."""


@dataclass(frozen=True)
class _Reason:
    """Why a rule refuses: recorded in English in the audit log, told translated to the admin."""

    text: str  # the English sentence, marked with gettext_noop
    values: dict[str, str] = field(default_factory=dict)

    def english(self) -> str:
        return self.text % self.values

    def translated(self) -> str:
        return gettext(self.text) % self.values


def target_of(person: User) -> str:
    return f"user:{person.username}"


def holding(role: Role) -> Q:
    """People who have ``role``, through any group that includes it or as a superuser."""
    return Q(is_superuser=True) | Q(groups__name__in=granting_groups(role))


def _active_admins() -> QuerySet[User]:
    return User.objects.filter(holding(Role.ADMIN), is_active=True).distinct()


def _lock_admins() -> None:
    Group.objects.select_for_update().get(name=Role.ADMIN)


def _refuse(who: Who, action: Action, person: User, reason: _Reason, details: dict) -> None:
    record(
        action,
        who=who,
        outcome=Outcome.DENIED,
        target=target_of(person),
        details={**details, "reason": reason.english()},
    )
    raise Refused(reason.translated())


def _unchanged(who: Who, action: Action, target: str, details: dict) -> None:
    """An admin's request that found nothing to change is still on record, as such."""
    record(action, who=who, target=target, details={**details, "changed": False})


def _superuser_rule(who: Who, person: User) -> _Reason | None:
    if person.is_superuser and not (who.actor and who.actor.is_superuser):
        return _Reason(
            gettext_noop(
                "%(username)s is a superuser: only another superuser changes that account, "
                "in the Django admin."
            ),
            {"username": person.username},
        )
    return None


def _last_admin_rule(person: User, *, deactivating: bool) -> _Reason | None:
    if _active_admins().exclude(pk=person.pk).exists():
        return None
    if deactivating:
        text = gettext_noop(
            "%(username)s is the only admin, so deactivating them would leave nobody to manage "
            "people and team keys. Give someone else the admin role first."
        )
    else:
        text = gettext_noop(
            "%(username)s is the only admin, so taking the admin role away would leave nobody "
            "to manage people and team keys. Give someone else the admin role first."
        )
    return _Reason(text, {"username": person.username})


# --- Reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One person as the People page shows them."""

    person: User
    roles: list[Role]
    teams: list[str]
    two_factor: str  # "on", "off" or "missing" (required but not set up)
    open_link: PasswordLink | None

    @property
    def role_labels(self) -> list[str]:
        """The roles as the reader's language names them."""
        return [role_label(role) for role in self.roles]

    @property
    def status(self) -> str:
        if not self.person.is_active:
            return "deactivated"
        if not self.person.has_usable_password():
            return "invited" if self.open_link else "no password"
        return "active"


def people(role: Role | None = None, person_id: int | None = None) -> list[PersonRow]:
    """Everyone (or those with ``role``, or the one person), in a fixed number of queries."""
    found = User.objects.order_by("username").prefetch_related("groups", "teams")
    if role is not None:
        found = found.filter(pk__in=User.objects.filter(holding(role)).values("pk"))
    if person_id is not None:
        found = found.filter(pk=person_id)
    everyone = list(found)
    second_factor = twofactor.with_second_factor(everyone)
    links = invites.open_links_by_user(everyone)
    return [
        PersonRow(
            person=person,
            roles=roles_given(person),
            teams=[team.name for team in person.teams.all()],
            two_factor=_two_factor_state(person, person.pk in second_factor),
            open_link=links.get(person.pk),
        )
        for person in everyone
    ]


def _two_factor_state(person: User, has_it: bool) -> str:
    if has_it:
        return "on"
    return "missing" if person.is_active and twofactor.is_required_for(person) else "off"


# --- Inviting and making logins ----------------------------------------------------------


def _give(person: User, roles: Iterable[Role], teams: Iterable[Team]) -> None:
    person.groups.add(*Group.objects.filter(name__in=[role.value for role in roles]))
    for team in teams:
        team.members.add(person)


def invite(
    who: Who,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[Role],
    teams: list[Team],
    site_url: str,
) -> tuple[User, invites.IssuedLink]:
    """A new person without a password yet, and the link with which they choose it."""
    with transaction.atomic():
        person = User(username=username, first_name=first_name, last_name=last_name, email=email)
        person.set_unusable_password()
        person.save()
        _give(person, roles, teams)
    issued = invites.issue(person, PasswordLink.Purpose.INVITE, by=who.actor, site_url=site_url)
    record(
        Action.PERSON_INVITED,
        who=who,
        target=target_of(person),
        details={
            "before": None,
            "after": _summary(person, roles, teams),
            **issued.audit_details(),
        },
    )
    return person, issued


def create_shared_login(
    who: Who,
    *,
    username: str,
    roles: list[Role],
    teams: list[Team],
    operators: list[str],
    may_type_a_name: bool,
    password: str,
) -> User:
    """A login several people use; each picks their name from ``operators`` on signing in."""
    with transaction.atomic():
        login = User(username=username, is_shared=True, operators_may_type_a_name=may_type_a_name)
        login.set_password(password)
        login.save()
        _give(login, roles, teams)
        Operator.objects.bulk_create(Operator(login=login, name=name) for name in operators)
        record(
            Action.SHARED_LOGIN_CREATED,
            who=who,
            target=target_of(login),
            details={
                "before": None,
                "after": {
                    **_summary(login, roles, teams),
                    "operators": operators,
                    "may_type_a_name": may_type_a_name,
                },
            },
        )
    return login


def _summary(person: User, roles: Iterable[Role], teams: Iterable[Team]) -> dict[str, object]:
    return {
        "name": person.get_full_name(),
        "email": person.email,
        "roles": [role.value for role in roles],
        "teams": [team.name for team in teams],
    }


# --- Changing a person ------------------------------------------------------------------


def change_roles(who: Who, person: User, roles: Iterable[Role]) -> bool:
    """Give the person exactly ``roles``; False when they already had them."""
    wanted = set(roles)
    after = [role.value for role in Role if role in wanted]
    with transaction.atomic():
        _lock_admins()
        before = [role.value for role in roles_given(person)]
        refusal = _superuser_rule(who, person)
        demoted = Role.ADMIN in before and Role.ADMIN not in after and not person.is_superuser
        if not refusal and demoted:
            refusal = _last_admin_rule(person, deactivating=False)
            if not refusal and person == who.actor:
                refusal = _Reason(
                    gettext_noop(
                        "You cannot take away your own admin role, so you do not lock yourself "
                        "out by mistake: another admin can."
                    )
                )
        if not refusal and before != after:
            role_groups = Group.objects.filter(name__in=[role.value for role in Role])
            person.groups.remove(*[group for group in role_groups if group.name not in after])
            person.groups.add(*[group for group in role_groups if group.name in after])
            record(
                Action.ROLES_CHANGED,
                who=who,
                target=target_of(person),
                details={"before": before, "after": after},
            )
    if refusal:
        _refuse(who, Action.ROLES_CHANGED, person, refusal, {"before": before, "wanted": after})
    if before == after:
        _unchanged(who, Action.ROLES_CHANGED, target_of(person), {"roles": after})
    return before != after


def deactivate(who: Who, person: User) -> bool:
    """Stop the person signing in, end all their sessions at once, close their links.

    Their audit history stays as it is, and their own API keys are no longer
    used (ApiKey.objects.usable_by and in_service leave them out).
    """
    with transaction.atomic():
        _lock_admins()
        person.refresh_from_db()
        refusal = _superuser_rule(who, person)
        if not refusal and person == who.actor:
            refusal = _Reason(gettext_noop("You cannot deactivate yourself: another admin can."))
        if not refusal and person.is_active and has_role(person, Role.ADMIN):
            refusal = _last_admin_rule(person, deactivating=True)
        changed = not refusal and person.is_active
        if changed:
            User.objects.filter(pk=person.pk).update(
                is_active=False, session_epoch=F("session_epoch") + 1
            )
            closed = invites.close_open_links(person)
            record(
                Action.PERSON_DEACTIVATED,
                who=who,
                target=target_of(person),
                details={
                    "before": {"active": True},
                    "after": {"active": False},
                    "sessions_ended": True,
                    "links_closed": closed,
                },
            )
    if refusal:
        _refuse(who, Action.PERSON_DEACTIVATED, person, refusal, {})
    if not changed:
        _unchanged(who, Action.PERSON_DEACTIVATED, target_of(person), {"active": False})
    person.refresh_from_db()
    return changed


def reactivate(who: Who, person: User) -> bool:
    """Let a deactivated person sign in again (old sessions stay ended)."""
    refusal = _superuser_rule(who, person)
    if refusal:
        _refuse(who, Action.PERSON_REACTIVATED, person, refusal, {})
    with transaction.atomic():
        changed = User.objects.filter(pk=person.pk, is_active=False).update(is_active=True) == 1
        if changed:
            record(
                Action.PERSON_REACTIVATED,
                who=who,
                target=target_of(person),
                details={"before": {"active": False}, "after": {"active": True}},
            )
        else:
            _unchanged(who, Action.PERSON_REACTIVATED, target_of(person), {"active": True})
    person.refresh_from_db()
    return changed


def reset_two_factor(who: Who, person: User) -> bool:
    """Remove the person's authenticator app and recovery codes, and end their sessions.

    They sign in again with their password and, where two-factor sign-in is
    required of them, must set it up before anything else.
    """
    refusal = _superuser_rule(who, person)
    if not refusal and person == who.actor:
        refusal = _Reason(
            gettext_noop(
                "Your own two-factor sign-in is changed on the Two-factor sign-in page, "
                "with a code from your app."
            )
        )
    if refusal:
        _refuse(who, Action.TWO_FACTOR_RESET, person, refusal, {})
    if not twofactor.has_second_factor(person):
        _unchanged(who, Action.TWO_FACTOR_RESET, target_of(person), {"two_factor": "off"})
        return False
    with transaction.atomic():
        twofactor.remove_second_factor(person)
        User.objects.filter(pk=person.pk).update(session_epoch=F("session_epoch") + 1)
        record(
            Action.TWO_FACTOR_RESET,
            who=who,
            target=target_of(person),
            details={
                "before": {"two_factor": "on"},
                "after": {"two_factor": "off"},
                "required": twofactor.is_required_for(person),
                "sessions_ended": True,
            },
        )
    person.refresh_from_db()
    return True


def reset_password(who: Who, person: User, *, site_url: str) -> invites.IssuedLink:
    """A new set-password link for a person; the old password works until it is used."""
    refusal = _superuser_rule(who, person)
    if not refusal and not person.is_active:
        refusal = _Reason(
            gettext_noop("%(username)s is deactivated: reactivate them first."),
            {"username": person.username},
        )
    if not refusal and person.is_shared:
        refusal = _Reason(
            gettext_noop(
                "A shared login has no one person to send a link to: set its password here."
            )
        )
    if refusal:
        _refuse(who, Action.PASSWORD_LINK_ISSUED, person, refusal, {})
    issued = invites.issue(person, PasswordLink.Purpose.RESET, by=who.actor, site_url=site_url)
    record(
        Action.PASSWORD_LINK_ISSUED,
        who=who,
        target=target_of(person),
        details={"purpose": PasswordLink.Purpose.RESET.value, **issued.audit_details()},
    )
    return issued


# --- Shared logins ------------------------------------------------------------------------


def set_operators(who: Who, login: User, names: list[str], *, may_type_a_name: bool) -> bool:
    """The names operators pick from on the shared login, and whether they may type another."""
    with transaction.atomic():
        before: dict[str, Any] = {
            "operators": sorted(operators.allowed_names(login)),
            "may_type_a_name": login.operators_may_type_a_name,
        }
        after = {"operators": sorted(names), "may_type_a_name": may_type_a_name}
        if before == after:
            _unchanged(who, Action.OPERATORS_CHANGED, target_of(login), after)
            return False
        login.operators.exclude(name__in=names).delete()
        Operator.objects.bulk_create(
            [Operator(login=login, name=name) for name in names if name not in before["operators"]]
        )
        login.operators_may_type_a_name = may_type_a_name
        login.save(update_fields=["operators_may_type_a_name"])
        record(
            Action.OPERATORS_CHANGED,
            who=who,
            target=target_of(login),
            details={"before": before, "after": after},
        )
    return True


def set_shared_password(who: Who, login: User, password: str) -> None:
    """A shared login's new password; everyone signed in to it is signed out."""
    refusal = _superuser_rule(who, login)
    if refusal:
        _refuse(who, Action.SHARED_PASSWORD_SET, login, refusal, {})
    with transaction.atomic():
        login.set_password(password)
        login.save(update_fields=["password"])
        record(
            Action.SHARED_PASSWORD_SET,
            who=who,
            target=target_of(login),
            details={"sessions_ended": True},
        )


# --- Teams --------------------------------------------------------------------------------


def create_team(who: Who, name: str) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name)
        record(
            Action.TEAM_CREATED,
            who=who,
            target=f"team:{team.pk}",
            details={"before": None, "after": {"team": name, "members": []}},
        )
    return team


def set_team_members(who: Who, team: Team, members: Iterable[User]) -> bool:
    """Exactly ``members`` may use the team's keys; False when nothing changed."""
    wanted = {member.pk: member for member in members}
    with transaction.atomic():
        current = {member.pk: member for member in team.members.all()}
        if current.keys() == wanted.keys():
            _unchanged(
                who,
                Action.TEAM_MEMBERS_CHANGED,
                f"team:{team.pk}",
                {"team": team.name, "members": sorted(m.username for m in current.values())},
            )
            return False
        team.members.set(wanted.values())
        record(
            Action.TEAM_MEMBERS_CHANGED,
            who=who,
            target=f"team:{team.pk}",
            details={
                "team": team.name,
                "before": sorted(member.username for member in current.values()),
                "after": sorted(member.username for member in wanted.values()),
            },
        )
    return True
