"""ISO week labels: parsing, the current week in Casablanca, and week bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matcher.digests.weeks import current_week, normalize_week, parse_week, week_bounds, week_of


def test_week_labels_are_parsed_and_bad_ones_named() -> None:
    assert parse_week("2026-W48") == (2026, 48)
    assert normalize_week(" 2026-W09 ") == "2026-W09"
    with pytest.raises(ValueError, match="'2026-48' is not an ISO week"):
        parse_week("2026-48")
    with pytest.raises(ValueError, match="2025 has no week 53"):
        parse_week("2025-W53")


def test_week_is_seen_from_casablanca() -> None:
    # Sunday 23:30 UTC is already Monday 00:30 in Casablanca (UTC+1): the next ISO week there.
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert week_of(sunday_night, "UTC") == "2026-W48"
    assert week_of(sunday_night, "Africa/Casablanca") == "2026-W49"
    assert current_week(now=sunday_night) == "2026-W49"


def test_week_bounds_are_monday_to_monday_local_time() -> None:
    start, end = week_bounds("2026-W48", "Africa/Casablanca")
    assert start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert week_of(start, "Africa/Casablanca") == "2026-W48"
