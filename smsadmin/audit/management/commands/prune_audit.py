from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smsadmin.audit.prune import PruneRefused, cutoff_for, prune_before


def _utc_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"--before takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Remove audit events created before a date (UTC midnight), or older than "
        "SMSADMIN_AUDIT_RETENTION_DAYS. Records what it removed and keeps the chain verifiable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before",
            metavar="YYYY-MM-DD",
            help="Remove events created before 00:00 UTC on this day. "
            "Default: the retention setting.",
        )

    def handle(self, *args: object, before: str | None, **options: object) -> None:
        try:
            cutoff = cutoff_for(_utc_date(before) if before else None)
        except PruneRefused as refusal:
            raise CommandError(str(refusal)) from None
        result = prune_before(cutoff)
        if result.removed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Removed {result.removed} audit events created before "
                    f"{cutoff:%Y-%m-%d %H:%M} UTC; the chain now starts after "
                    f"#{result.anchor_seq}."
                )
            )
        else:
            self.stdout.write(f"No audit events created before {cutoff:%Y-%m-%d %H:%M} UTC.")
