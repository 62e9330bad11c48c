"""Sending later: a date and time in a zone as one moment, and that moment shown in three zones.

The person picks a wall time in their own zone; it is checked here (clocks
skipping or repeating an hour, the past, the horizon) and kept as a UTC
moment. Sociostacks is then given it as a wall time in the account's zone
(``sociostacks.client.scheduled_wall_time``); the confirmation shows the
person's zone, the account's and UTC, so each can see what was understood.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from smsadmin.sociostacks.client import repeated_wall_time, scheduled_wall_time
from smsadmin.sociostacks.errors import InvalidRequest

# Upstream takes any date; a year ahead is as far as anyone plans an SMS, and
# further is almost always a typo in the year.
SCHEDULE_HORIZON = timedelta(days=365)


def scheduled_moment(
    day: date, clock: time, zone: ZoneInfo, now: datetime
) -> tuple[datetime | None, str]:
    """The moment a date and time in ``zone`` name, or why they cannot be sent at."""
    local = datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=zone)
    if repeated_wall_time(local):
        # The clocks show it twice; Sociostacks reads such a time as the second
        # one, and so does this form (the confirmation says which it is).
        local = local.replace(fold=1)
    shown = {"time": f"{date_format(local, 'SHORT_DATETIME_FORMAT')} ({zone.key})"}
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None, gettext(
            "There is no %(time)s: the clocks skip that hour. Pick another time."
        ) % shown
    if moment <= now:
        return None, gettext("%(time)s is in the past. Pick a time in the future.") % shown
    if moment - now > SCHEDULE_HORIZON:
        days = SCHEDULE_HORIZON.days
        return None, ngettext(
            "%(time)s is more than %(days)s day ahead. Pick a time within a year.",
            "%(time)s is more than %(days)s days ahead. Pick a time within a year.",
            days,
        ) % {**shown, "days": days}
    return moment, ""


@dataclass(frozen=True)
class When:
    """A scheduled moment as the confirmation shows it."""

    person: str
    person_zone: str
    account: str
    account_zone: str
    utc: str
    # Set when a clock shows the time twice that night: which of the two it is.
    repeated_hour: str = ""
    # Why Sociostacks could not be given this moment at all.
    account_problem: str = ""


def when_shown(moment: datetime, person_zone: ZoneInfo, account_zone: ZoneInfo | None) -> When:
    """``moment`` in the person's zone, the account's (None: not known now) and UTC."""
    account, account_zone_name, account_problem = (
        gettext("not known right now"),
        gettext("the account's zone"),
        "",
    )
    if account_zone is not None:
        account, account_zone_name = clock(moment, account_zone), account_zone.key
        try:
            scheduled_wall_time(moment, account_zone)
        except InvalidRequest as refusal:
            account_problem = str(refusal)
    return When(
        person=clock(moment, person_zone),
        person_zone=person_zone.key,
        account=account,
        account_zone=account_zone_name,
        utc=clock(moment, ZoneInfo("UTC")),
        repeated_hour=which_of_two(moment, person_zone),
        account_problem=account_problem,
    )


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` on the clocks of ``zone``, in the language's SHORT_DATETIME_FORMAT."""
    local = moment.astimezone(zone)
    shown = date_format(local, "SHORT_DATETIME_FORMAT")
    # A time the clocks show twice needs its zone's name to say which one.
    return f"{shown} {local.tzname()}" if repeated_wall_time(local) else shown


def which_of_two(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if not repeated_wall_time(local):
        return ""
    values = {
        "time": date_format(local, "TIME_FORMAT"),
        "zone": zone.key,
        "zone_time": f"{date_format(local, 'TIME_FORMAT')} {local.tzname()}",
        "offset": f"UTC{local:%z}",
    }
    if local.fold:
        return (
            gettext(
                "%(time)s happens twice that night in %(zone)s, because the clocks go back: "
                "this is the second time, %(zone_time)s (%(offset)s)."
            )
            % values
        )
    return (
        gettext(
            "%(time)s happens twice that night in %(zone)s, because the clocks go back: "
            "this is the first time, %(zone_time)s (%(offset)s)."
        )
        % values
    )
