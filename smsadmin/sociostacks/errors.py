"""What can go wrong when talking to Sociostacks, as exceptions a page can show.

Every upstream failure is a `SociostacksError` carrying upstream's own `title`
(kept for logs and support), the HTTP `status`, and a `user_message` written
for the person looking at the page. `InvalidRequest` is different: the client
refuses the call before anything is sent, so it is a plain `ValueError`.
"""

from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class SociostacksError(Exception):
    default_message: str | Promise = _("The SMS service could not complete the request.")

    def __init__(
        self, title: str = "", *, status: int | None = None, user_message: str | None = None
    ) -> None:
        self.title = title
        self.status = status
        # Our explanation, in the language of whoever sees it; ``title`` stays upstream's.
        self.user_message = user_message or str(self.default_message)
        super().__init__(title or self.user_message)


class AuthenticationFailed(SociostacksError):
    default_message: str | Promise = _(
        "The SMS service did not accept the API key. Check or replace the key."
    )


class ValidationRefused(SociostacksError):
    default_message: str | Promise = _(
        "The SMS service refused the request as incomplete or invalid."
    )


class SenderUnavailable(SociostacksError):
    """A send was refused for its device or SIM: not on the account (any more).

    Upstream answers an unknown device, another account's device and a SIM
    that is not in the device with 401 "You must fill all the required
    fields." (sociostacks-api.md, "Errors"), or, as its docs suggest, 404.
    """

    default_message: str | Promise = _(
        "The phone or SIM chosen to send from is no longer on the account."
    )

    def __init__(
        self,
        title: str = "",
        *,
        device_id: int,
        sim_subscription_id: int,
        status: int | None = None,
    ) -> None:
        self.device_id = device_id
        self.sim_subscription_id = sim_subscription_id
        super().__init__(title, status=status)


class PlanLimitReached(SociostacksError):
    default_message: str | Promise = _(
        "The Sociostacks plan's limits are reached. Upgrade the plan or wait."
    )


class NotFound(SociostacksError):
    default_message: str | Promise = _(
        "The SMS service has no such item, or it belongs to another account."
    )


class RateLimited(SociostacksError):
    default_message: str | Promise = _(
        "Too many requests to the SMS service this minute. Please wait."
    )

    def __init__(
        self,
        title: str = "",
        *,
        retry_after: int,
        status: int | None = 429,
        user_message: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            title,
            status=status,
            user_message=user_message
            or gettext("Too many requests to the SMS service. Try again in %(seconds)s seconds.")
            % {"seconds": retry_after},
        )


class BudgetKeptForWrites(RateLimited):
    """Reads stopped short of the per-minute limit so sends and deletes still fit.

    Nothing was asked of upstream: this is our own refusal, so it has no status.
    """

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            retry_after=retry_after,
            status=None,
            user_message=gettext(
                "This minute's remaining Sociostacks calls are kept for sends and "
                "deletes. Fresh data in %(seconds)s seconds."
            )
            % {"seconds": retry_after},
        )


class UpstreamUnavailable(SociostacksError):
    """No usable answer: no connection, no answer in time, or a 5xx (``status`` is set then).

    ``address`` is where the call went (base URL and path, never a query or a
    key), so an admin can tell a wrong SOCIOSTACKS_API_URL from an outage;
    ``waited`` the seconds allowed for the answer of a call that timed out.
    """

    default_message: str | Promise = _(
        "The SMS service is not answering right now. Try again shortly."
    )

    def __init__(
        self,
        title: str = "",
        *,
        timed_out: bool = False,
        status: int | None = None,
        user_message: str | None = None,
        address: str = "",
        waited: float | None = None,
    ) -> None:
        self.timed_out = timed_out
        self.address = address
        self.waited = waited
        super().__init__(title, status=status, user_message=user_message)


class UnreadableResponse(SociostacksError):
    default_message: str | Promise = _("The SMS service sent an answer smsadmin could not read.")


class PartialSendError(SociostacksError):
    """A batch of a large send failed after earlier batches went out.

    Nothing is resent automatically (the API has no idempotency key), so the
    caller gets exactly what went out and what did not.
    """

    def __init__(
        self,
        *,
        sent_ids: Sequence[int],
        sent_numbers: Sequence[str],
        unsent_numbers: Sequence[str],
        cause: SociostacksError,
    ) -> None:
        self.sent_ids = list(sent_ids)
        self.sent_numbers = list(sent_numbers)
        self.unsent_numbers = list(unsent_numbers)
        self.cause = cause
        super().__init__(
            cause.title,
            status=cause.status,
            user_message=gettext(
                "Only part of the send went out: %(sent)s recipients were "
                "sent, %(unsent)s were not (%(cause)s)"
            )
            % {
                "sent": len(self.sent_numbers),
                "unsent": len(self.unsent_numbers),
                "cause": cause.user_message,
            },
        )


class InvalidRequest(ValueError):
    """The client refused to call upstream: the request could never be right."""


# 66text answers several different failures with 401; only the title tells them
# apart (sociostacks-api.md, "Errors"). Matched lower-case, as substrings.
_401_TITLES: tuple[tuple[str, type[SociostacksError]], ...] = (
    ("required fields", ValidationRefused),
    ("exceeded the limits", PlanLimitReached),
)


def error_for(status: int, title: str) -> SociostacksError:
    """The exception for an upstream error answer other than 429."""
    if status == 401:
        lowered = title.lower()
        for fragment, error_class in _401_TITLES:
            if fragment in lowered:
                return error_class(title, status=status)
        return AuthenticationFailed(title, status=status)
    if status == 404:
        return NotFound(title, status=status)
    if status >= 500:
        return UpstreamUnavailable(title, status=status)
    return SociostacksError(title, status=status)
