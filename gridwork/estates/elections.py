"""The date rules of committees, as pure functions a test can run on any clock: when to warn of an election, and the
window of "recent" duty notices."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from gridwork.estates.models import WarningKind

WARNING_DAYS = 90
NOTICE_MONTHS = 3


def election_warning_kind(election: date | None, today: date) -> str | None:
    """Which warning is due on ``today`` for an election on ``election``: overdue once the date has passed, due from
    90 days before it (inclusive) up to the day itself, none before or when there is no date. The job records what
    it sent, so "from 90 days" (not "on day 90") lets a missed day be caught up."""
    if election is None:
        return None
    if today > election:
        return WarningKind.OVERDUE
    if today >= election - timedelta(days=WARNING_DAYS):
        return WarningKind.DUE
    return None


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_window_start(today: date) -> date:
    """The first day a duty notice counts as recent: three calendar months before ``today``."""
    return months_before(today, NOTICE_MONTHS)
