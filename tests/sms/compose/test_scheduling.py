"""Sending later: the moment a picked date and time name, and how the confirmation shows it."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from smsadmin.sms.compose.scheduling import scheduled_moment, when_shown

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_time_in_the_persons_zone_is_kept_as_the_utc_moment():
    moment, problem = scheduled_moment(date(2026, 3, 20), time(15, 30), BERLIN, NOW)
    assert (moment, problem) == (datetime(2026, 3, 20, 14, 30, tzinfo=UTC), "")


def test_an_hour_the_clocks_skip_is_refused():
    moment, problem = scheduled_moment(date(2026, 3, 29), time(2, 30), BERLIN, NOW)
    assert moment is None and "the clocks skip that hour" in problem


def test_the_past_and_beyond_a_year_are_refused():
    assert "in the past" in scheduled_moment(date(2026, 3, 1), time(9), BERLIN, NOW)[1]
    assert "more than 365 days ahead" in scheduled_moment(date(2027, 6, 1), time(9), BERLIN, NOW)[1]


def test_an_hour_the_clocks_repeat_is_read_as_the_second_one():
    moment, _ = scheduled_moment(date(2026, 10, 25), time(2, 30), BERLIN, NOW)
    assert moment == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, not CEST
    shown = when_shown(moment, BERLIN, ZoneInfo("America/New_York"))
    assert "this is the second time" in shown.repeated_hour


def test_the_three_zones_and_an_account_zone_not_known():
    moment = datetime(2026, 3, 20, 14, 30, tzinfo=UTC)
    shown = when_shown(moment, BERLIN, ZoneInfo("America/New_York"))
    assert (shown.person, shown.account, shown.utc) == (
        "2026-03-20 15:30",
        "2026-03-20 10:30",
        "2026-03-20 14:30",
    )
    unknown = when_shown(moment, BERLIN, None)
    assert (unknown.account, unknown.account_zone) == ("not known right now", "the account's zone")
