"""The service day's calendar on a fixed clock: each stage opens on its date and is due on its date, at every boundary
(14th/15th/16th, 25th/26th, 4th/5th/6th, 10th/11th, 15th/16th), across December → January, and late flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridwork.serviceday.calendar import (
    completable_from,
    current_stage,
    late_stages,
    months_running,
    stage_dates,
    stage_late,
)
from gridwork.serviceday.models import STAGES, CycleState

C, SO, SE, E, SU = (CycleState.COLLECT, CycleState.SORT, CycleState.SERVE, CycleState.EVALUATE, CycleState.SUMMARY)


@dataclass
class Cycle:
    """What the calendar reads of a cycle: its month and the days its stages were completed."""

    year: int
    month: int
    collect_done_on: date | None = None
    sort_done_on: date | None = None
    serve_done_on: date | None = None
    evaluate_done_on: date | None = None
    summary_done_on: date | None = None


MARCH = Cycle(2026, 3)
DECEMBER = Cycle(2025, 12)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (date(2026, 2, 28), None),  # before the month: not open yet
        (date(2026, 3, 1), C),
        (date(2026, 3, 14), C),
        (date(2026, 3, 15), C),  # due day: still collecting
        (date(2026, 3, 16), SO),
        (date(2026, 3, 25), SO),
        (date(2026, 3, 26), SE),  # preparing the day
        (date(2026, 3, 31), SE),
        (date(2026, 4, 4), SE),
        (date(2026, 4, 5), SE),  # the service day
        (date(2026, 4, 6), E),
        (date(2026, 4, 10), E),
        (date(2026, 4, 11), SU),
        (date(2026, 4, 15), SU),
        (date(2026, 4, 16), None),  # over
    ],
)
def test_the_stage_open_on_each_boundary(day: date, stage: str | None) -> None:
    assert current_stage(MARCH, day) == stage


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (date(2025, 11, 30), None),
        (date(2025, 12, 1), C),
        (date(2025, 12, 15), C),
        (date(2025, 12, 16), SO),
        (date(2025, 12, 25), SO),
        (date(2025, 12, 26), SE),
        (date(2025, 12, 31), SE),
        (date(2026, 1, 1), SE),
        (date(2026, 1, 4), SE),
        (date(2026, 1, 5), SE),
        (date(2026, 1, 6), E),
        (date(2026, 1, 10), E),
        (date(2026, 1, 11), SU),
        (date(2026, 1, 15), SU),
        (date(2026, 1, 16), None),
    ],
)
def test_december_runs_into_january(day: date, stage: str | None) -> None:
    assert current_stage(DECEMBER, day) == stage


def test_the_dates_of_december() -> None:
    dates = stage_dates(date(2025, 12, 20))
    assert [(w.stage, w.opens, w.due) for w in dates.windows] == [
        (C, date(2025, 12, 1), date(2025, 12, 15)),
        (SO, date(2025, 12, 16), date(2025, 12, 25)),
        (SE, date(2025, 12, 26), date(2026, 1, 5)),
        (E, date(2026, 1, 6), date(2026, 1, 10)),
        (SU, date(2026, 1, 11), date(2026, 1, 15)),
    ]
    assert dates.service_day == date(2026, 1, 5)
    assert stage_dates((2025, 12)) == dates


def test_february_of_a_leap_year_and_a_common_year() -> None:
    assert stage_dates((2028, 2)).window(SE).opens == date(2028, 2, 26)
    assert stage_dates((2027, 2)).window(SE).due == date(2027, 3, 5)


def test_a_month_that_is_no_month_is_refused() -> None:
    with pytest.raises(ValueError, match="month"):
        stage_dates((2026, 13))


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (date(2026, 3, 1), [(2026, 2), (2026, 3)]),
        (date(2026, 3, 15), [(2026, 2), (2026, 3)]),
        (date(2026, 3, 16), [(2026, 3)]),
        (date(2026, 1, 10), [(2025, 12), (2026, 1)]),
    ],
)
def test_two_cycles_run_side_by_side_until_the_15th(day: date, months: list[tuple[int, int]]) -> None:
    assert months_running(day) == months


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)))
def test_every_day_of_a_cycle_has_exactly_one_stage_and_they_follow_each_other(day: date) -> None:
    dates = stage_dates(day)
    for before, after in zip(dates.windows, dates.windows[1:], strict=False):
        assert after.opens == before.due + timedelta(days=1)
    assert sum(window.contains(day) for window in dates.windows) == 1
    cycle = Cycle(day.year, day.month)
    assert current_stage(cycle, day) in (C, SO, SE)


@pytest.mark.parametrize(
    ("stage", "due"),
    [
        (C, date(2026, 3, 15)),
        (SO, date(2026, 3, 25)),
        (SE, date(2026, 4, 5)),
        (E, date(2026, 4, 10)),
        (SU, date(2026, 4, 15)),
    ],
)
def test_a_stage_not_completed_is_late_the_day_after_it_is_due(stage: str, due: date) -> None:
    assert not stage_late(MARCH, stage, due)
    assert stage_late(MARCH, stage, due + timedelta(days=1))


def test_a_stage_completed_on_its_due_day_is_not_late_and_one_completed_after_it_stays_late() -> None:
    on_time = Cycle(2026, 3, collect_done_on=date(2026, 3, 15))
    late = Cycle(2026, 3, collect_done_on=date(2026, 3, 16))
    assert not stage_late(on_time, C, date(2026, 5, 1))
    assert stage_late(late, C, date(2026, 3, 16))
    assert stage_late(late, C, date(2026, 5, 1))


def test_late_stages_in_order() -> None:
    cycle = Cycle(2026, 3, collect_done_on=date(2026, 3, 14))
    assert late_stages(cycle, date(2026, 3, 25)) == []
    assert late_stages(cycle, date(2026, 3, 26)) == [SO]
    cycle.sort_done_on = date(2026, 3, 27)
    assert late_stages(cycle, date(2026, 3, 27)) == [SO]
    assert late_stages(cycle, date(2026, 4, 6)) == [SO, SE]
    assert late_stages(cycle, date(2026, 4, 16)) == [SO, SE, E, SU]
    done = Cycle(2025, 12, *(stage_dates((2025, 12)).window(stage).due for stage in STAGES))
    assert late_stages(done, date(2026, 6, 1)) == []


def test_when_each_stage_may_be_completed() -> None:
    assert completable_from(MARCH, C) == date(2026, 3, 15)  # the public's window runs in full
    assert completable_from(MARCH, SO) == date(2026, 3, 16)
    assert completable_from(MARCH, SE) == date(2026, 4, 5)  # results from the day itself
    assert completable_from(MARCH, E) == date(2026, 4, 10)  # the rating runs in full
    assert completable_from(MARCH, SU) == date(2026, 4, 11)
    assert completable_from(DECEMBER, SE) == date(2026, 1, 5)
