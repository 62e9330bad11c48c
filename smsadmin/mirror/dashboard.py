"""The home page's figures, all from the mirror: no upstream call when someone looks.

The counts come from the tallies the database keeps as messages are stored
(tallies.py), not from a scan of the messages: the same figures at a
thousand messages and at a million.

Days are the viewer's own (their time zone), counted by upstream's
``datetime``: when a message was sent, failed or received, or created while
it is still pending.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Sum, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext, npgettext, pgettext

from smsadmin.mirror import tallies
from smsadmin.mirror.models import (
    LIVE,
    MirroredMessage,
    Status,
    StatusTally,
    SyncState,
    UsageTally,
)

DAYS = 30
TOP_ERRORS = 5
UPCOMING = 10
# Stacked bottom to top in this order; each has a pattern as well as a colour.
SERIES = (Status.SENT, Status.FAILED, Status.PENDING, Status.RECEIVED)

# Chart geometry, in SVG user units (the SVG scales to the page width).
BAR_WIDTH = 16
BAR_GAP = 6
PLOT_LEFT = 44
PLOT_TOP = 10
PLOT_HEIGHT = 180
LABEL_EVERY_DAYS = 5


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Segment:
    series: str
    count: int
    y: float
    height: float
    title: str = ""  # the bar's day and this count in words, for the SVG <title>


def _chart_day(day: date) -> str:
    """A bar's day as its tooltip names it: weekday and day of the month ("Tue 10 Jun")."""
    return pgettext("chart", "%(weekday)s %(month_day)s") % {
        "weekday": date_format(day, "D"),
        "month_day": date_format(day, "MONTH_DAY_FORMAT"),
    }


def _segment_title(series: str, day: date, count: int) -> str:
    """One stacked piece of a bar in words: "Tue 10 Jun: 3 sent"."""
    values = {"day": _chart_day(day), "count": count}
    if series == Status.SENT:
        text = npgettext("chart", "%(day)s: %(count)s sent", "%(day)s: %(count)s sent", count)
    elif series == Status.FAILED:
        text = npgettext("chart", "%(day)s: %(count)s failed", "%(day)s: %(count)s failed", count)
    elif series == Status.PENDING:
        text = npgettext("chart", "%(day)s: %(count)s pending", "%(day)s: %(count)s pending", count)
    else:
        text = npgettext(
            "chart", "%(day)s: %(count)s received", "%(day)s: %(count)s received", count
        )
    return text % values


@dataclass(frozen=True)
class Bar:
    day: DayCounts
    x: float
    segments: list[Segment]
    label: str  # the day under the bar, only every few days

    @property
    def width(self) -> int:
        return BAR_WIDTH

    @property
    def center(self) -> float:
        return self.x + BAR_WIDTH / 2


@dataclass(frozen=True)
class Tick:
    value: int
    y: float

    @property
    def label_y(self) -> float:
        return self.y + 4  # the label's baseline, so the text sits centred on the line


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    width: float
    height: float
    plot_bottom: float
    plot_right: float

    @property
    def plot_left(self) -> int:
        return PLOT_LEFT

    @property
    def label_y(self) -> float:
        return self.plot_bottom + 16


@dataclass(frozen=True)
class Usage:
    """Messages by device or SIM over the chart's days."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Dashboard:
    days: list[DayCounts]
    chart: Chart
    totals: dict[str, int]
    devices: list[Usage]
    sims: list[Usage]
    top_errors: list[tuple[str, int]]
    upcoming: list[MirroredMessage]
    upcoming_count: int

    @property
    def failure_rate(self) -> float | None:
        """Failed out of sent and failed, in percent; None when nothing went out."""
        attempted = self.totals[Status.SENT] + self.totals[Status.FAILED]
        return 100 * self.totals[Status.FAILED] / attempted if attempted else None


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def summary(state: SyncState, zone: ZoneInfo, now: datetime) -> Dashboard:
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=DAYS - 1 - offset) for offset in range(DAYS)]
    # Bounds computed here, in the person's zone (DST included), so the
    # database only compares timestamps: the same SQL on SQLite and PostgreSQL.
    # Every zone's midnight is a UTC quarter hour, so the tallies answer exactly.
    bounds = [_day_start(day, zone) for day in [*days, today + timedelta(days=1)]]
    day_index = Case(
        *[When(quarter__lt=bounds[i + 1], then=Value(i)) for i in range(DAYS)],
        output_field=IntegerField(),
    )
    per_day: dict[int, Counter[str]] = defaultdict(Counter)
    for index, status, count in (
        StatusTally.objects.filter(
            account_id=state.account_id, quarter__gte=bounds[0], quarter__lt=bounds[-1]
        )
        .annotate(day=day_index)
        .values_list("day", "status")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        per_day[index][status] += count
    day_counts = [
        DayCounts(day, {series: per_day[i][series] for series in SERIES})
        for i, day in enumerate(days)
    ]
    totals = {series: sum(day.counts[series] for day in day_counts) for series in SERIES}
    usage = _usage_tallies(state.account_id, bounds[0], bounds[-1])
    devices, sims = _usage(usage, state)
    errors: Counter[str] = Counter()
    for (_device, _sim, status, error), count in usage.items():
        if status == Status.FAILED and error:
            errors[error] += count
    top_errors = sorted(errors.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_ERRORS]
    upcoming_rows = MirroredMessage.objects.filter(
        LIVE, account_id=state.account_id, status=Status.PENDING, scheduled_at__gt=now
    )
    return Dashboard(
        days=day_counts,
        chart=_chart(day_counts),
        totals=totals,
        devices=devices,
        sims=sims,
        top_errors=top_errors,
        upcoming=list(upcoming_rows.order_by("scheduled_at", "sms_id")[:UPCOMING]),
        upcoming_count=upcoming_rows.count(),
    )


UsageKey = tuple[int | None, int | None, str, str]  # device, SIM, status, error


def _usage_tallies(account_id: int, start: datetime, end: datetime) -> Counter[UsageKey]:
    """Live messages in [start, end) by device, SIM, status and error, from the tallies.

    Whole UTC days inside the window are read from the day counts; the pieces
    before the first and after the last whole day from the quarter-hour counts.
    """
    first_day = _utc_midnight(start)
    if first_day < start:
        first_day += timedelta(days=1)
    last_day = _utc_midnight(end)
    if first_day < last_day:
        pieces = [
            (tallies.DAY, first_day, last_day),
            (tallies.QUARTER, start, first_day),
            (tallies.QUARTER, last_day, end),
        ]
    else:
        pieces = [(tallies.QUARTER, start, end)]
    counts: Counter[UsageKey] = Counter()
    # One query per piece: each is a range of the unique index, where an OR
    # of the three had SQLite read the whole table.
    for span, begin, until in pieces:
        if begin >= until:
            continue
        for device_id, sim_id, status, error, count in (
            UsageTally.objects.filter(
                account_id=account_id, span=span, start__gte=begin, start__lt=until
            )
            .values_list("device_id", "sim_id", "status", "error")
            .annotate(total=Sum("n"))
            .order_by()
        ):
            if count:
                counts[(device_id or None, sim_id or None, status, error)] += count
    return counts


def _utc_midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)


def _usage(usage: Counter[UsageKey], state: SyncState) -> tuple[list[Usage], list[Usage]]:
    names = state.device_names()
    labels = state.sim_labels()
    devices: dict[int | None, Counter[str]] = defaultdict(Counter)
    sims: dict[tuple[int | None, int | None], Counter[str]] = defaultdict(Counter)
    for (device_id, sim_id, status, _error), count in usage.items():
        devices[device_id][status] += count
        sims[(device_id, sim_id)][status] += count

    def device_name(device_id: int | None) -> str:
        if not device_id:
            return gettext("no device")
        return names.get(device_id) or gettext("device %(id)s") % {"id": device_id}

    device_usage = [Usage(device_name(d), dict(c)) for d, c in devices.items()]
    sim_usage = [
        Usage(
            pgettext("SIM in device", "%(sim)s (%(device)s)")
            % {"sim": labels.get((d, s)) or f"SIM {s}", "device": device_name(d)},
            dict(c),
        )
        for (d, s), c in sims.items()
    ]
    return sorted(device_usage, key=_busiest_first), sorted(sim_usage, key=_busiest_first)


def _busiest_first(usage: Usage) -> tuple[int, str]:
    return -usage.total, usage.name


def _nice_ceiling(value: int) -> int:
    """A round number at or above ``value`` for the top of the scale: 1, 2, 5, 10, 20…"""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _chart(days: list[DayCounts]) -> Chart:
    top = _nice_ceiling(max((day.total for day in days), default=0) or 1)
    scale = PLOT_HEIGHT / top
    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    bars = []
    for index, day in enumerate(days):
        x = PLOT_LEFT + BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        y = plot_bottom
        segments = []
        for series in SERIES:
            count = day.counts[series]
            if count:
                height = count * scale
                y -= height
                title = _segment_title(series, day.day, count)
                segments.append(Segment(series, count, round(y, 2), round(height, 2), title))
        last = index == len(days) - 1
        labelled = index % LABEL_EVERY_DAYS == 0 or last
        label = date_format(day.day, "MONTH_DAY_FORMAT") if labelled else ""
        bars.append(Bar(day, x, segments, label))
    ticks = [
        Tick(value, round(plot_bottom - value * scale, 2)) for value in sorted({0, top // 2, top})
    ]
    plot_right = PLOT_LEFT + BAR_GAP + len(days) * (BAR_WIDTH + BAR_GAP)
    return Chart(bars, ticks, plot_right + 10, plot_bottom + 26, plot_bottom, plot_right)
