from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "smsadmin.accounts"
    label = "accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from smsadmin.accounts import signals  # noqa: F401  (connects audit receivers)
        from smsadmin.accounts.twofactor import check_requirement_setting

        checks.register(check_requirement_setting)


class TwoFactorAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with a site that needs a session verified by a second factor."""

    # Named in INSTALLED_APPS instead of django.contrib.admin; never this module's default.
    default = False
    default_site = "smsadmin.accounts.admin_site.TwoFactorAdminSite"
