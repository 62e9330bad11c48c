from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, gettext_lazy, ngettext

from smsadmin.audit.verify import available_cpus, verify_chain


def _workers(value: str) -> int:
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise CommandError(
        gettext("--workers takes a whole number, 1 or more, not %(value)s.")
        % {"value": repr(value)}
    )


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Walk the audit chain from its anchor and report the first altered, inserted or "
        "missing event. Exits with status 1 when the chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=_workers,
            default=available_cpus(),
            help=str(
                gettext_lazy(
                    "Processes that walk the chain at the same time. Default: one per CPU "
                    "(%(default)s here). 1 walks it in this process alone, as Verify now does."
                )
            ),
        )

    def handle(self, *args: object, **options: int) -> None:
        verification = verify_chain(workers=options["workers"])
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
