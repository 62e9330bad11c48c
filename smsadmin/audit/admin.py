from typing import cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import pgettext_lazy

from smsadmin.audit.actions import Action
from smsadmin.audit.forms import action_choices
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditVerification
from smsadmin.audit.recorder import record
from smsadmin.http import query_int


class ActionFilter(admin.SimpleListFilter):
    """The actions, without Django's SELECT DISTINCT over the whole table."""

    title = pgettext_lazy("audit: the admin's filter", "action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return action_choices()[1:]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ChainLengthPaginator(Paginator):
    """Counts the unfiltered log from the chain head instead of COUNT(*) over every row."""

    @cached_property
    def count(self) -> int:
        if cast(QuerySet, self.object_list).query.where:
            return super().count
        head = AuditChainHead.objects.filter(pk=1).first()
        return head.last_seq - head.anchor_seq if head else 0


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The log, read-only; looking at it is itself an audited read."""

    list_display = (
        "seq",
        "created_at",
        "actor_username",
        "operator_name",
        "action",
        "outcome",
        "target",
    )
    list_display_links = ("seq",)
    list_filter = (ActionFilter, "outcome")
    search_fields = ("actor_username", "operator_name", "target")
    show_full_result_count = False
    paginator = ChainLengthPaginator
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        record(
            Action.AUDIT_VIEWED,
            request=request,
            details={"via": "django admin", "query": request.GET.urlencode()[:500]},
        )
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        seq = (
            AuditEvent.objects.filter(pk=object_id).values_list("seq", flat=True).first()
            if query_int(object_id)
            else None
        )
        record(
            Action.AUDIT_VIEWED,
            request=request,
            target=f"audit:{seq}" if seq else "",
            details={"via": "django admin", "id": object_id[:20]},
        )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "ok", "events_checked", "through_seq", "first_bad_seq", "problem")
    readonly_fields = [field.name for field in AuditVerification._meta.fields]
