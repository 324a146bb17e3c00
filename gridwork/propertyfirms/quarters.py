"""Quarters (季度) as pure functions of a date, so rules and tests can use a fixed clock."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_of(day: date) -> tuple[int, int]:
    """The (year, quarter) a day falls in: 15 May 2026 → (2026, 2)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter, both included."""
    first = date(year, 3 * (quarter - 1) + 1, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def last_quarters(day: date, count: int) -> list[tuple[int, int]]:
    """The ``count`` whole quarters before the one ``day`` falls in, latest first."""
    found: list[tuple[int, int]] = []
    current = quarter_of(day)
    for _ in range(count):
        current = previous_quarter(*current)
        found.append(current)
    return found


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def parse_quarter(text: str) -> tuple[int, int] | None:
    """``2026Q2`` → (2026, 2); anything else → ``None``."""
    text = text.strip().upper()
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        return None
    year = int(text[:4])
    if not 2000 <= year <= 2100:
        return None
    return year, int(text[5])
