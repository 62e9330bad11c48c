from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from smsadmin.accounts.models import AppDevice, RecoveryCodes, Team, User
from smsadmin.audit.actions import Action
from smsadmin.audit.recorder import record


def _target(obj: Model) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


# The mixin goes in front of a ModelAdmin; the type checker is told which.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class AuditedAdminMixin(_AdminBase):
    """Changes made in Django admin reach the audit log too: which fields, never their values."""

    def log_addition(self, request: HttpRequest, obj: Model, message: object):
        record(
            Action.ADMIN_ADDED, request=request, target=_target(obj), details={"object": str(obj)}
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: object):
        record(
            Action.ADMIN_CHANGED,
            request=request,
            target=_target(obj),
            details={"object": str(obj), "change": message},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet):
        for obj in queryset:
            record(
                Action.ADMIN_DELETED,
                request=request,
                target=_target(obj),
                details={"object": str(obj)},
            )
        return super().log_deletions(request, queryset)


@admin.register(User)
class SmsAdminUserAdmin(AuditedAdminMixin, UserAdmin):
    list_display = ("username", "email", "is_shared", "is_staff", "is_active", "last_login")
    list_filter = ("is_shared", "is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "smsadmin",
            {
                "fields": (
                    "is_shared",
                    "operators_may_type_a_name",
                    "time_zone",
                    "phone_region",
                    "page_size",
                    "default_device_id",
                    "default_sim_id",
                    "daily_send_cap",
                )
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """Deactivating here ends the person's sessions too, as on the People page."""
        if change and "is_active" in form.changed_data and not obj.is_active:
            obj.session_epoch += 1
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        """Role changes made here are audited like ``grant_role`` and ``revoke_role``."""
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        target = f"user:{user.username}"
        for name in sorted(after - before):
            record(Action.ROLE_GRANTED, request=request, target=target, details={"role": name})
        for name in sorted(before - after):
            record(Action.ROLE_REVOKED, request=request, target=target, details={"role": name})


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    """Django's own group admin, audited. Groups are the roles; teams are apart (Team)."""


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "created_at")


# django-otp's own device admins would show rows nothing creates any more
# (accounts/otp_devices.py replaced them); ours never show a secret.
for plain in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(plain):
        admin.site.unregister(plain)


class SecondFactorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """An admin may remove a lost phone's device, never read or set its secret."""

    list_display = ("user", "name", "confirmed", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.register(AppDevice, SecondFactorAdmin)
admin.site.register(RecoveryCodes, SecondFactorAdmin)
