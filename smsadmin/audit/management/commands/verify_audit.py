from django.core.management.base import BaseCommand, CommandError

from smsadmin.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit chain from its anchor and report the first altered, inserted or "
        "missing event. Exits with status 1 when the chain is broken."
    )

    def handle(self, *args: object, **options: object) -> None:
        verification = verify_chain()
        if not verification.ok:
            raise CommandError(
                f"Audit chain broken after {verification.events_checked} good events. "
                f"First bad event: #{verification.first_bad_seq}"
                + (
                    f" (id {verification.first_bad_event_id})"
                    if verification.first_bad_event_id
                    else ""
                )
                + f". {verification.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {verification.events_checked} events checked "
                f"through #{verification.through_seq}."
            )
        )
