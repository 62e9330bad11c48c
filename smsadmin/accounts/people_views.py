"""The People pages (admins only) and the page a set-password link opens (anyone with the link)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts import invites, operators, people
from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.models import Team, User
from smsadmin.accounts.people_forms import (
    InviteForm,
    OperatorsForm,
    RoleFilterForm,
    RolesForm,
    SharedLoginForm,
    TeamForm,
    TeamMembersForm,
)
from smsadmin.accounts.roles import Role, role_label
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import Who, record

admin_only = role_required(Role.ADMIN)
Change = Callable[[Who, User], bool]


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _person(user_id: int) -> people.PersonRow:
    rows = people.people(person_id=user_id)
    if not rows:
        raise Http404(gettext("No such person."))
    return rows[0]


def _shared_login(user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, is_shared=True)


def _to_person(person: User) -> HttpResponse:
    return redirect("people:person", user_id=person.pk)


@admin_only
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    form = RoleFilterForm(request.GET)
    chosen = form.cleaned_data["role"] if form.is_valid() else ""
    role = Role(chosen) if chosen else None
    record(Action.PEOPLE_VIEWED, request=request, details={"role": role.value if role else ""})
    return TemplateResponse(
        request,
        "accounts/people/list.html",
        {
            "rows": people.people(role),
            "form": form,
            "role": role,
            "role_label": role_label(role) if role else "",
        },
    )


@admin_only
@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    return _render_person(request, _person(user_id))


def _render_person(
    request: HttpRequest,
    row: people.PersonRow,
    *,
    roles_form: RolesForm | None = None,
    operators_form: OperatorsForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    subject = row.person
    if operators_form is None and subject.is_shared:
        operators_form = OperatorsForm(
            initial={
                "operators": "\n".join(operators.allowed_names(subject)),
                "may_type_a_name": subject.operators_may_type_a_name,
            }
        )
    return TemplateResponse(
        request,
        "accounts/people/person.html",
        {
            "row": row,
            "subject": subject,
            "is_self": subject == request.user,
            "roles_form": roles_form or RolesForm(initial={"roles": row.roles}),
            "operators_form": operators_form,
        },
        status=status,
    )


@admin_only
@require_http_methods(["GET", "POST"])
@never_cache
def invite(request: HttpRequest) -> HttpResponse:
    """Invite a person: the page that answers shows their one-time link, this once."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invited, issued = people.invite(
            Who.from_request(request),
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            roles=form.cleaned_data["roles"],
            teams=list(form.cleaned_data["teams"]),
            site_url=_site_url(request),
        )
        return TemplateResponse(
            request,
            "accounts/people/link.html",
            {"subject": invited, "issued": issued, "invited": True},
        )
    return TemplateResponse(
        request,
        "accounts/people/invite.html",
        {"form": form, "email_links": settings.SMSADMIN_EMAIL_LINKS},
    )


@sensitive_post_parameters("password1", "password2")
@admin_only
@require_http_methods(["GET", "POST"])
def new_shared_login(request: HttpRequest) -> HttpResponse:
    form = SharedLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login = people.create_shared_login(
            Who.from_request(request),
            username=form.cleaned_data["username"],
            roles=form.cleaned_data["roles"],
            teams=list(form.cleaned_data["teams"]),
            operators=form.cleaned_data["operators"],
            may_type_a_name=form.cleaned_data["may_type_a_name"],
            password=form.cleaned_data["password1"],
        )
        messages.success(
            request, gettext("The shared login %(login)s is ready.") % {"login": login.username}
        )
        return _to_person(login)
    return TemplateResponse(request, "accounts/people/shared_new.html", {"form": form})


@admin_only
@require_POST
def change_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    row = _person(user_id)
    form = RolesForm(request.POST)
    if not form.is_valid():
        return _render_person(request, row, roles_form=form, status=400)
    try:
        changed = people.change_roles(
            Who.from_request(request), row.person, form.cleaned_data["roles"]
        )
    except people.Refused as refusal:
        messages.error(request, str(refusal))
        return _to_person(row.person)
    if changed:
        messages.success(
            request,
            gettext("%(username)s's roles are changed.") % {"username": row.person.username},
        )
    else:
        messages.info(
            request,
            gettext("%(username)s already had exactly these roles.")
            % {"username": row.person.username},
        )
    return _to_person(row.person)


def _change(
    request: HttpRequest, person: User, change: Change, *, done: str, unchanged: str
) -> HttpResponse:
    """Make a change to a person and say on their page what happened, or why not."""
    try:
        changed = change(Who.from_request(request), person)
    except people.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        if changed:
            messages.success(request, done)
        else:
            messages.info(request, unchanged)
    return _to_person(person)


def _confirm(request: HttpRequest, template: str, row: people.PersonRow) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {"row": row, "subject": row.person, "is_self": row.person == request.user},
    )


@admin_only
@require_http_methods(["GET", "POST"])
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    row = _person(user_id)
    if request.method == "GET":
        return _confirm(request, "accounts/people/deactivate.html", row)
    return _change(
        request,
        row.person,
        people.deactivate,
        done=gettext(
            "%(username)s is deactivated: signed out everywhere, and they can no longer sign in."
        )
        % {"username": row.person.username},
        unchanged=gettext("%(username)s was already deactivated.")
        % {"username": row.person.username},
    )


@admin_only
@require_POST
def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = _person(user_id).person
    return _change(
        request,
        subject,
        people.reactivate,
        done=gettext("%(username)s is active again and can sign in.")
        % {"username": subject.username},
        unchanged=gettext("%(username)s was already active.") % {"username": subject.username},
    )


@admin_only
@require_http_methods(["GET", "POST"])
def reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    row = _person(user_id)
    if request.method == "GET":
        return _confirm(request, "accounts/people/reset_two_factor.html", row)
    return _change(
        request,
        row.person,
        people.reset_two_factor,
        done=gettext(
            "%(username)s's two-factor sign-in is reset: they are signed out, "
            "and set it up again at their next sign-in where it is required."
        )
        % {"username": row.person.username},
        unchanged=gettext("%(username)s had no two-factor sign-in to reset.")
        % {"username": row.person.username},
    )


@admin_only
@require_http_methods(["GET", "POST"])
@never_cache
def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new set-password link for a person, shown this once."""
    row = _person(user_id)
    if request.method == "GET":
        return _confirm(request, "accounts/people/reset_password.html", row)
    try:
        issued = people.reset_password(
            Who.from_request(request), row.person, site_url=_site_url(request)
        )
    except people.Refused as refusal:
        messages.error(request, str(refusal))
        return _to_person(row.person)
    return TemplateResponse(
        request,
        "accounts/people/link.html",
        {"subject": row.person, "issued": issued, "invited": False},
    )


@admin_only
@require_POST
def change_operators(request: HttpRequest, user_id: int) -> HttpResponse:
    login = _shared_login(user_id)
    form = OperatorsForm(request.POST)
    if not form.is_valid():
        return _render_person(request, _person(login.pk), operators_form=form, status=400)
    changed = people.set_operators(
        Who.from_request(request),
        login,
        form.cleaned_data["operators"],
        may_type_a_name=form.cleaned_data["may_type_a_name"],
    )
    if changed:
        messages.success(request, gettext("The operators are saved."))
    else:
        messages.info(request, gettext("The operators were already these."))
    return _to_person(login)


@sensitive_post_parameters("new_password1", "new_password2")
@admin_only
@require_http_methods(["GET", "POST"])
def shared_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """An admin sets a shared login's password: nobody signed in to it can."""
    login = _shared_login(user_id)
    form = SetPasswordForm(login, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.set_shared_password(
                Who.from_request(request), login, form.cleaned_data["new_password1"]
            )
        except people.Refused as refusal:
            messages.error(request, str(refusal))
            return _to_person(login)
        messages.success(
            request,
            gettext("%(login)s has a new password; everyone signed in to it is signed out.")
            % {"login": login.username},
        )
        return _to_person(login)
    return TemplateResponse(
        request, "accounts/people/shared_password.html", {"subject": login, "form": form}
    )


@admin_only
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = people.create_team(Who.from_request(request), form.cleaned_data["name"])
        messages.success(
            request, gettext("Team %(team)s is made: now choose its members.") % {"team": team.name}
        )
        return redirect("people:team", team_id=team.pk)
    return TemplateResponse(
        request,
        "accounts/people/teams.html",
        {"teams": Team.objects.prefetch_related("members", "api_keys"), "form": form},
        status=400 if form.errors else 200,
    )


@admin_only
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """Who may use the team's keys: its members, people and shared logins."""
    chosen = get_object_or_404(Team, pk=team_id)
    # An empty POST is a choice too: nobody.
    data = request.POST if request.method == "POST" else None
    form = TeamMembersForm(data, initial={"members": chosen.members.all()})
    if request.method == "POST" and form.is_valid():
        if people.set_team_members(Who.from_request(request), chosen, form.cleaned_data["members"]):
            messages.success(
                request, gettext("Team %(team)s's members are saved.") % {"team": chosen.name}
            )
        else:
            messages.info(
                request,
                gettext("Team %(team)s already had exactly these members.") % {"team": chosen.name},
            )
        return redirect("people:team", team_id=chosen.pk)
    return TemplateResponse(
        request,
        "accounts/people/team.html",
        {"team": chosen, "form": form, "keys": chosen.api_keys.all()},
    )


@login_not_required
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@never_cache
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation or reset link leads: the person chooses their password, once."""
    link, problem = invites.find(token)
    if request.user.is_authenticated:
        return TemplateResponse(request, "accounts/set_password_signed_in.html", status=409)
    if problem is not None:
        invites.record_refusal(Who.from_request(request), link, problem)
        return _refused_link(request, problem)
    assert link is not None  # find() names the problem whenever it finds no link
    person = link.user
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invites.set_password(
                Who.from_request(request, actor=person), link, form.cleaned_data["new_password1"]
            )
        except invites.LinkRefused as refused:
            return _refused_link(request, refused.problem)
        messages.success(
            request,
            gettext("Your password is set. Sign in as %(username)s.")
            % {"username": person.username},
        )
        return redirect("login")
    return TemplateResponse(
        request, "accounts/set_password.html", {"form": form, "subject": person, "link": link}
    )


def _refused_link(request: HttpRequest, problem: invites.LinkProblem) -> TemplateResponse:
    return TemplateResponse(
        request,
        "accounts/set_password_refused.html",
        {"problem": problem, "explanation": gettext(invites.PROBLEM_EXPLANATIONS[problem])},
        status=404 if problem is invites.LinkProblem.UNKNOWN else 410,
    )
