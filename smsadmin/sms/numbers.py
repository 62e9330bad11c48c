"""The numbers of messages whose contact Sociostacks will not show.

A message sent through the API to a number that was not yet a contact points
at a contact nobody can read (sociostacks-api.md): its number is known only
from what smsadmin wrote down. Two places know such numbers: ``SentMessage``
(every message smsadmin created, with the number it went to) and the mirror
(a number once read from the contact list stays there when the contact goes).
"""

from collections.abc import Collection

from django.db.models import Q

from smsadmin.mirror.models import MirroredMessage
from smsadmin.sms.models import SentMessage


def known_numbers(account_id: int | None, sms_ids: Collection[int]) -> dict[int, str]:
    """sms_id → number for every message of ``sms_ids`` whose number smsadmin knows.

    Without the account (it could not be read just now), the messages
    smsadmin sent are still found by id alone: upstream's ids are unique
    across its accounts, and these ids came from this very key's answers.
    """
    if not sms_ids:
        return {}
    wanted = set(sms_ids)
    sent = SentMessage.objects.filter(_among(wanted))
    if account_id is not None:
        sent = sent.filter(account_id=account_id)
    found = {i: phone for i, phone in sent.values_list("sms_id", "phone") if i in wanted}
    missing = wanted - found.keys()
    if account_id is not None and missing:
        mirrored = MirroredMessage.objects.filter(_among(missing), account_id=account_id)
        rows = mirrored.exclude(phone="").values_list("sms_id", "phone")
        found |= {i: phone for i, phone in rows if i in missing}
    return found


def _among(sms_ids: set[int]) -> Q:
    """Rows whose id may be one of ``sms_ids`` (the caller keeps only those).

    A page's ids lie close together: a range is one index scan, where an IN of
    a thousand values costs Django more to build than the database to answer.
    """
    low, high = min(sms_ids), max(sms_ids)
    if high - low < 2 * len(sms_ids):
        return Q(sms_id__gte=low, sms_id__lte=high)
    return Q(sms_id__in=sms_ids)
