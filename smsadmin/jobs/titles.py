"""A job's title, stored language-neutral and put into words in the reader's language.

A job is confirmed in one person's language and read in others' (an admin's
Jobs page, the worker's audit events), so it keeps a kind of title and its
numbers (``Job.title_words``), and each page words them in its own language.
``Job.title`` keeps the English words too, for the audit event and old rows.
"""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, override

DELETE_SEARCH = "delete_search"
DELETE_SELECTED = "delete_selected"
RETENTION = "retention"
SEND_AGAIN = "send_again"
COMPOSE_SEND = "compose_send"
PERSONALISED = "personalised"


def _n(value: Any) -> str:
    return number_format(int(value), force_grouping=True)


def _deletes(words: dict[str, Any], where: str) -> str:
    deletes, cancels = int(words.get("deletes", 0)), int(words.get("cancels", 0))
    both = {"deletes": _n(deletes), "cancels": _n(cancels)}
    if where == DELETE_SEARCH:
        if deletes and cancels:
            return (
                ngettext(
                    "Delete %(deletes)s and cancel %(cancels)s message matching a search",
                    "Delete %(deletes)s and cancel %(cancels)s messages matching a search",
                    deletes + cancels,
                )
                % both
            )
        if cancels:
            return (
                ngettext(
                    "Cancel %(cancels)s scheduled message matching a search",
                    "Cancel %(cancels)s scheduled messages matching a search",
                    cancels,
                )
                % both
            )
        return (
            ngettext(
                "Delete %(deletes)s message matching a search",
                "Delete %(deletes)s messages matching a search",
                deletes,
            )
            % both
        )
    return ngettext(
        "Delete %(count)s message selected on the message list",
        "Delete %(count)s messages selected on the message list",
        deletes,
    ) % {"count": _n(deletes)}


def words_for(words: dict[str, Any]) -> str:
    """The title in the active language; "" for a kind this version does not know."""
    kind = words.get("kind")
    count = int(words.get("count", 0))
    if kind in (DELETE_SEARCH, DELETE_SELECTED):
        return _deletes(words, kind)
    if kind == RETENTION:
        return ngettext(
            "Delete %(count)s message older than %(days)s days",
            "Delete %(count)s messages older than %(days)s days",
            count,
        ) % {"count": _n(count), "days": _n(words.get("days", 0))}
    if kind == SEND_AGAIN:
        return ngettext(
            "Send %(count)s failed message again", "Send %(count)s failed messages again", count
        ) % {"count": _n(count)}
    if kind == COMPOSE_SEND:
        return ngettext("Send to %(count)s number", "Send to %(count)s numbers", count) % {
            "count": _n(count)
        }
    if kind == PERSONALISED:
        return ngettext(
            "Personalised send of %(count)s message",
            "Personalised send of %(count)s messages",
            count,
        ) % {"count": _n(count)}
    return ""


def english(words: dict[str, Any]) -> str:
    """The title as stored in ``Job.title`` and the audit event: English, whoever confirmed."""
    with override("en"):
        return words_for(words)


def shown(title: str, words: dict[str, Any]) -> str:
    """What a page shows: the words in its language, else the stored title translated if known."""
    return (words_for(words) if words else "") or (gettext(title) if title else "")
