"""Retention: messages older than SMSADMIN_MESSAGE_RETENTION_DAYS are deleted upstream, daily.

Off by default (0). Once a day a worker starts one delete job per Sociostacks
account, paid by a key in service that opens it, listing the account's
mirrored messages older than the limit (scheduled ones still to go out are
left alone). The jobs are smsadmin's own: on the Jobs page for admins.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from smsadmin.audit.recorder import Who
from smsadmin.jobs import titles
from smsadmin.jobs.bulk import Selection, start_deleting
from smsadmin.jobs.models import Job
from smsadmin.keys.models import ApiKey
from smsadmin.mirror.models import LIVE, KeyAccount, MirroredMessage


def start_retention_jobs(now=None) -> list[Job]:
    days = settings.SMSADMIN_MESSAGE_RETENTION_DAYS
    if days <= 0:
        return []
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    started = []
    seen: set[int] = set()
    links = KeyAccount.objects.filter(key__in=ApiKey.objects.in_service()).select_related("key")
    for link in links.order_by("key_id"):
        if link.account_id in seen or link.fingerprint != link.key.client().fingerprint:
            continue
        seen.add(link.account_id)
        if Job.objects.active().filter(kind=Job.Kind.RETENTION, api_key=link.key).exists():
            continue  # yesterday's is still going
        old = (
            MirroredMessage.objects.filter(LIVE, account_id=link.account_id, happened_at__lt=cutoff)
            .exclude(status="pending", scheduled_at__gt=now)
            .order_by("happened_at", "sms_id")
            .values_list("sms_id", flat=True)
        )
        selection = Selection(tuple((sms_id, False) for sms_id in old))
        if not selection.count:
            continue
        started.append(
            start_deleting(
                owner=None,
                api_key=link.key,
                selection=selection,
                title_words={"kind": titles.RETENTION, "count": selection.count, "days": days},
                who=Who(),
                details={"retention_days": days, "account_id": link.account_id},
                kind=Job.Kind.RETENTION,
            )
        )
    return started
