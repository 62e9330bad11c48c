from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from smsadmin.accounts.admin import AuditedAdminMixin
from smsadmin.keys.models import ApiKey


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["label", "owner", "team"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].help_text = gettext(
            "A team's key may be used by every member of the team."
        )

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if bool(cleaned.get("owner")) == bool(cleaned.get("team")):
            raise forms.ValidationError(
                gettext("A key belongs to one person or to one team: pick exactly one.")
            )
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Key records without key material: the ciphertext is in no form, list or page.

    Keys are added on the site, where they are checked with Sociostacks first.
    """

    form = ApiKeyAdminForm
    list_display = ("label", "owner", "team", "key", "account_name", "verified_at")
    list_filter = ("team",)
    search_fields = ("label", "owner__username", "team__name", "account_name")
    fields = (
        "label",
        "owner",
        "team",
        "key",
        "account_name",
        "account_time_zone",
        "verified_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "key",
        "account_name",
        "account_time_zone",
        "verified_at",
        "created_by",
        "created_at",
        "updated_at",
    )

    @admin.display(description=gettext_lazy("key"))
    def key(self, obj: ApiKey) -> str:
        return obj.masked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
