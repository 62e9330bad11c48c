from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy, ngettext

from smsadmin.audit.verify import verify_chain


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Walk the audit chain from its anchor and report the first altered, inserted or "
        "missing event. Exits with status 1 when the chain is broken."
    )

    def handle(self, *args: object, **options: object) -> None:
        verification = verify_chain()
        values = {
            "count": verification.events_checked,
            "seq": verification.first_bad_seq if not verification.ok else verification.through_seq,
            "id": verification.first_bad_event_id,
            "problem": verification.problem,
        }
        if not verification.ok:
            if verification.first_bad_event_id:
                failure = ngettext(
                    "Audit chain broken after %(count)s good event. "
                    "First bad event: #%(seq)s (id %(id)s). %(problem)s",
                    "Audit chain broken after %(count)s good events. "
                    "First bad event: #%(seq)s (id %(id)s). %(problem)s",
                    verification.events_checked,
                )
            else:
                failure = ngettext(
                    "Audit chain broken after %(count)s good event. "
                    "First bad event: #%(seq)s. %(problem)s",
                    "Audit chain broken after %(count)s good events. "
                    "First bad event: #%(seq)s. %(problem)s",
                    verification.events_checked,
                )
            raise CommandError(failure % values)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Audit chain intact: %(count)s event checked through #%(seq)s.",
                    "Audit chain intact: %(count)s events checked through #%(seq)s.",
                    verification.events_checked,
                )
                % values
            )
        )
