"""The numbers of messages whose contact Sociostacks will not show.

A message sent through the API to a number that was not yet a contact points
at a contact nobody can read (sociostacks-api.md): its number is known only
from what smsadmin wrote down. Two places know such numbers: ``SentMessage``
(every message smsadmin created, with the number it went to) and the mirror
(a number once read from the contact list stays there when the contact goes).
"""

from collections.abc import Collection

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
    sent = SentMessage.objects.filter(sms_id__in=sms_ids)
    if account_id is not None:
        sent = sent.filter(account_id=account_id)
    found = dict(sent.values_list("sms_id", "phone"))
    missing = [sms_id for sms_id in sms_ids if sms_id not in found]
    if account_id is not None and missing:
        mirrored = MirroredMessage.objects.filter(account_id=account_id, sms_id__in=missing)
        found |= dict(mirrored.exclude(phone="").values_list("sms_id", "phone"))
    return found
