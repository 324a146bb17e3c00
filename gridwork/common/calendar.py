"""Terms that last whole calendar years: a term renewed across 29 February keeps its length in years, not in days."""

from __future__ import annotations

from datetime import date, timedelta


def years_later(day: date, years: int) -> date:
    """The same day ``years`` whole calendar years later (earlier when negative); 29 February falls on 28 February
    in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def calendar_length(first_day: date, last_day: date) -> tuple[int, int]:
    """How long the term ``first_day``–``last_day`` (both days included) lasts: whole calendar years, then days."""
    after = last_day + timedelta(days=1)
    years = max(after.year - first_day.year, 0)
    while years > 0 and years_later(first_day, years) > after:
        years -= 1
    return years, (after - years_later(first_day, years)).days


def calendar_shift(day: date, length: tuple[int, int]) -> date:
    """``day`` moved on by ``length`` (whole calendar years, then days: ``calendar_length``)."""
    years, days = length
    return years_later(day, years) + timedelta(days=days)


def term_after(first_day: date, last_day: date, *, max_years: int) -> tuple[date, date]:
    """The term that follows ``first_day``–``last_day`` and lasts as long in calendar years (a term of whole years
    stays one whether or not 29 February falls in it), within ``max_years``: (its first day, its last day)."""
    start = last_day + timedelta(days=1)
    end = calendar_shift(start, calendar_length(first_day, last_day)) - timedelta(days=1)
    return start, min(end, years_later(start, max_years) - timedelta(days=1))
