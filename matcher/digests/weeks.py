"""ISO week labels ("2026-W48"): digests are built, reviewed and sent once per week and audience."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from matcher.errors import CodedValueError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
DEFAULT_ZONE = "Africa/Casablanca"


def parse_week(week: str) -> tuple[int, int]:
    """(year, week number) of a 'YYYY-Www' label; a clear ValueError otherwise."""
    match = _WEEK.match(week.strip()) if isinstance(week, str) else None
    if not match:
        raise CodedValueError(f"week {week!r} is not an ISO week like '2026-W48'", "v_week_invalid", week=str(week))
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise CodedValueError(
            f"week {week!r} does not exist: {year} has no week {number}", "v_week_missing", year=year, number=number
        ) from None
    return year, number


def normalize_week(week: str) -> str:
    year, number = parse_week(week)
    return f"{year:04d}-W{number:02d}"


def week_of(moment: datetime, zone: str = DEFAULT_ZONE) -> str:
    """The ISO week that contains `moment` as seen in `zone` (Monday starts the week)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(zone)).date()
    year, number, _ = local.isocalendar()
    return f"{year:04d}-W{number:02d}"


def current_week(zone: str = DEFAULT_ZONE, now: datetime | None = None) -> str:
    return week_of(now or datetime.now(UTC), zone)


def week_bounds(week: str, zone: str = DEFAULT_ZONE) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the week in `zone`, returned in UTC."""
    year, number = parse_week(week)
    monday = date.fromisocalendar(year, number, 1)
    tz = ZoneInfo(zone)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    following = monday + timedelta(days=7)
    end = datetime(following.year, following.month, following.day, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
