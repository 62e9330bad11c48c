from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, gettext_lazy, ngettext

from smsadmin.audit.prune import PruneRefused, cutoff_for, prune_before


def _utc_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(
            gettext("--before takes a date as YYYY-MM-DD, not %(value)s.") % {"value": repr(value)}
        ) from None


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Remove audit events created before a date (UTC midnight), or older than "
        "SMSADMIN_AUDIT_RETENTION_DAYS. Records what it removed and keeps the chain verifiable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before",
            metavar="YYYY-MM-DD",
            help=str(
                gettext_lazy(
                    "Remove events created before 00:00 UTC on this day. "
                    "Default: the retention setting."
                )
            ),
        )

    def handle(self, *args: object, before: str | None, **options: object) -> None:
        try:
            cutoff = cutoff_for(_utc_date(before) if before else None)
        except PruneRefused as refusal:
            raise CommandError(str(refusal)) from None
        result = prune_before(cutoff)
        # The cut-off is written as --before takes it, in UTC.
        values = {
            "count": result.removed,
            "cutoff": f"{cutoff:%Y-%m-%d %H:%M}",
            "seq": result.anchor_seq,
        }
        if result.removed:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Removed %(count)s audit event created before %(cutoff)s UTC; "
                        "the chain now starts after #%(seq)s.",
                        "Removed %(count)s audit events created before %(cutoff)s UTC; "
                        "the chain now starts after #%(seq)s.",
                        result.removed,
                    )
                    % values
                )
            )
        else:
            self.stdout.write(gettext("No audit events created before %(cutoff)s UTC.") % values)
