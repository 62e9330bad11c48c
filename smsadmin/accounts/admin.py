from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from smsadmin.accounts.models import User


@admin.register(User)
class SmsAdminUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_shared", "is_staff", "is_active", "last_login")
    list_filter = ("is_shared", "is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "smsadmin",
            {
                "fields": (
                    "is_shared",
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
