"""The Django admin site, open only to sessions verified by a second factor."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django_otp.admin import OTPAdminSite

from smsadmin.accounts import twofactor
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import safe_next


class TwoFactorAdminSite(OTPAdminSite):
    """django-otp's admin site (staff *and* a verified second factor), signed in through ours.

    The admin's own login form would be a second way in, beside the site's
    sign-in with its lockout, second step and audit trail; it only sends people
    there instead.
    """

    def __init__(self, name: str = "admin") -> None:
        # Keeps the "admin:" URL namespace that templates and Django expect.
        super().__init__(name)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        next_url = safe_next(request, reverse("admin:index"))
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("login"))
        if self.has_permission(request):
            return redirect(next_url)
        if not user.is_verified():
            if twofactor.has_second_factor(user):
                step = "twofactor_verify"
            else:
                step = "twofactor_setup"
                messages.info(
                    request, gettext("The Django admin needs two-factor sign-in: set it up first.")
                )
            return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
        record(
            Action.PERMISSION_DENIED,
            request=request,
            outcome=Outcome.DENIED,
            target=request.path[:255],
            details={"needed": "staff"},
        )
        return TemplateResponse(request, "403.html", status=403)
