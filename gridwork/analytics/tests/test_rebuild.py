"""The rebuild (``analytics.rebuild``): after matters went through many paths of the loop and the sweep, recounting
the rollup from the record gives exactly the rows the live counting wrote; and those rows agree with a recount
written here from the matters, their events and the deadline alerts with plain queries (not ``step_counts``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from gridwork.analytics.models import COUNTERS, DailyRollup, UnitKind
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.analytics.tests.factories import Town
from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.workflow import Action, ClosureReason, DueStage, MatterKind, MatterState, Satisfaction
from gridwork.supervision.models import AlertLevel, DeadlineAlert

pytestmark = pytest.mark.django_db

SATISFIED, BASICALLY, UNSATISFIED = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED


def varied(town: Town) -> dict[str, Matter]:
    """Ten matters through most paths of the loop, in the order the moves happened, with four sweeps:

    v1 hotline, community, satisfied · v2 department, accept deadline passed, late accept, extension approved, sent
    back, satisfied · v3 sibling community, returned at once, dispatched to another department, basically satisfied ·
    v4 personal, closed by agreement · v5 other district, discarded · v6 filed 30 Nov, accept and call-back deadlines
    passed, sent back, not satisfied again (closed in December) · v7 returned from work, overruled, closed unrated ·
    v8 filed at 23:30 and left · v9 never answered · v10 extension refused, reply deadline passed, satisfied.
    """
    tree = town.tree
    m: dict[str, Matter] = {}
    # Monday 2 November
    m["v1"] = town.file(at="2026-11-02 08:30", channel="hotline")
    m["v2"] = town.file(at="2026-11-02 08:30")
    m["v7"] = town.file(at="2026-11-02 08:30", channel="patrol")
    m["v9"] = town.file(at="2026-11-02 08:30", where="community2")
    m["v10"] = town.file(at="2026-11-02 08:30", where="street2")
    town.dispatch(m["v1"], at="2026-11-02 09:00")
    town.dispatch(m["v2"], at="2026-11-02 09:00", to=tree.department)
    town.dispatch(m["v7"], at="2026-11-02 09:00")
    town.dispatch(m["v9"], at="2026-11-02 09:00")
    town.dispatch(m["v10"], at="2026-11-02 09:00")
    town.accept(m["v1"], at="2026-11-02 09:30")
    town.accept(m["v7"], at="2026-11-02 09:30")
    town.accept(m["v10"], at="2026-11-02 09:30")  # reply due 11 Nov 09:30
    town.give_back(m["v7"], at="2026-11-02 10:00")
    town.overrule(m["v7"], at="2026-11-02 10:30")  # accept due 14:30
    assert town.sweep("2026-11-02 11:05").red == 2  # v2, v9 (accept due 11:00)
    town.accept(m["v2"], at="2026-11-02 14:00")
    town.accept(m["v7"], at="2026-11-02 14:10")
    # Tuesday 3 November
    m["v3"] = town.file(at="2026-11-03 08:30", where="community2")
    m["v4"] = town.file(at="2026-11-03 08:30", where="street2", kind=MatterKind.PERSONAL)
    m["v5"] = town.file(at="2026-11-03 08:30", where="district2")
    town.dispatch(m["v3"], at="2026-11-03 09:00")
    town.dispatch(m["v4"], at="2026-11-03 09:00")
    town.discard(m["v5"], at="2026-11-03 09:00")
    town.give_back(m["v3"], at="2026-11-03 09:30")
    town.dispatch(m["v3"], at="2026-11-03 10:00", to=town.department2)
    town.accept(m["v3"], at="2026-11-03 10:30")
    town.accept(m["v4"], at="2026-11-03 10:30")
    town.reply(m["v1"], at="2026-11-03 10:00")
    town.close_by_agreement(m["v4"], at="2026-11-03 11:00")
    # Wednesday 4 November
    town.rate(m["v1"], SATISFIED, at="2026-11-04 09:00")
    town.verify_close(m["v1"], at="2026-11-04 10:00")
    town.rated_and_closed(m["v7"], replied="2026-11-04 10:00", rating=None, closed="2026-11-04 14:00")
    town.request_extension(m["v2"], 3, at="2026-11-04 10:00")
    town.decide_extension(m["v2"], approved=True, days=3, at="2026-11-04 11:00")  # due 16 Nov 14:00
    town.request_extension(m["v10"], 2, at="2026-11-04 10:00")
    town.decide_extension(m["v10"], approved=False, days=0, at="2026-11-04 11:00")
    town.rated_and_closed(
        m["v3"], replied="2026-11-05 10:00", rating=BASICALLY, rated="2026-11-06 09:00", closed="2026-11-06 10:00"
    )
    # Wednesday 11 November
    assert town.sweep("2026-11-11 09:40").red == 1  # v10's reply deadline
    town.rated_and_closed(
        m["v10"], replied="2026-11-11 11:00", rating=SATISFIED, rated="2026-11-12 09:00", closed="2026-11-12 10:00"
    )
    town.reply(m["v2"], at="2026-11-13 10:00")
    town.rate(m["v2"], UNSATISFIED, at="2026-11-16 09:00")
    town.rated_and_closed(
        m["v2"], replied="2026-11-17 10:00", rating=SATISFIED, rated="2026-11-18 09:00", closed="2026-11-18 10:00"
    )
    # Monday 30 November, into December
    m["v6"] = town.file(at="2026-11-30 16:00", where="grid2")
    town.dispatch(m["v6"], at="2026-11-30 16:30")  # accept due 1 Dec 09:30
    m["v8"] = town.file(at="2026-11-30 23:30", where="district2")
    assert town.sweep("2026-12-01 09:45").red == 1  # v6
    town.accept(m["v6"], at="2026-12-01 11:00")
    town.reply(m["v6"], at="2026-12-02 10:00")  # call-back due 7 Dec 10:00
    assert town.sweep("2026-12-07 10:05").red == 1  # v6's call-back
    town.rate(m["v6"], UNSATISFIED, at="2026-12-07 11:00")
    town.reply(m["v6"], at="2026-12-08 10:00")
    town.rate(m["v6"], UNSATISFIED, at="2026-12-09 09:00")
    town.verify_close(m["v6"], at="2026-12-09 10:00")
    return {name: Matter.objects.get(pk=matter.pk) for name, matter in m.items()}


Key = tuple[date, str, int, bool, int, str, str]


def table() -> dict[Key, dict[str, int]]:
    return {
        (row.day, row.unit_kind, row.unit_id, row.detail, row.category_id, row.kind, row.channel): {
            name: getattr(row, name) for name in COUNTERS
        }
        for row in DailyRollup.objects.all()
    }


def test_the_scenario_went_where_it_was_meant_to(town: Town) -> None:
    m = varied(town)
    states = {name: matter.state for name, matter in m.items()}
    assert [name for name, state in states.items() if state != MatterState.CLOSED] == ["v9", "v8"]
    assert (m["v2"].overdue_count, m["v6"].overdue_count, m["v9"].overdue_count, m["v10"].overdue_count) == (1, 2, 1, 1)
    assert (m["v2"].reopen_count, m["v6"].reopen_count, m["v7"].return_count) == (1, 1, 1)
    assert (m["v4"].closure_reason, m["v5"].closure_reason) == (ClosureReason.AGREED, ClosureReason.INVALID)


def test_rebuild_gives_the_rows_the_live_counting_wrote(town: Town) -> None:
    varied(town)
    live = table()
    assert live
    report = rebuild_rollup()
    assert table() == live
    assert (report.matters, report.events, report.rows) == (
        Matter.objects.count(),
        MatterEvent.objects.count(),
        len(live),
    )
    rebuild_rollup()  # again: the same
    assert table() == live


def test_rebuild_restores_a_deleted_or_damaged_table(town: Town) -> None:
    varied(town)
    live = table()
    DailyRollup.objects.all().delete()
    rebuild_rollup()
    assert table() == live
    DailyRollup.objects.filter(unit_kind=UnitKind.CITY).update(received=F("received") + 5)
    DailyRollup.objects.create(day=date(2026, 10, 1), unit_kind=UnitKind.CITY, unit_id=0, detail=False, received=9)
    rebuild_rollup()
    assert table() == live


def test_the_rebuild_command_prints_what_it_read_and_wrote(town: Town) -> None:
    varied(town)
    live = table()
    DailyRollup.objects.all().delete()
    out = StringIO()
    call_command("analytics_rebuild", stdout=out)
    assert table() == live
    text = out.getvalue()
    assert f"matters {Matter.objects.count()}," in text
    assert f"events {MatterEvent.objects.count()}," in text
    assert f"rows {len(live)}." in text


def test_if_empty_rebuilds_only_a_database_without_a_rollup(town: Town) -> None:
    varied(town)
    live = table()
    DailyRollup.objects.filter(unit_kind=UnitKind.CITY).update(received=F("received") + 5)  # a table that is there
    tampered = table()
    call_command("analytics_rebuild", "--if-empty", stdout=StringIO())
    assert table() == tampered  # left alone
    DailyRollup.objects.all().delete()  # a database filled before the rollup existed
    call_command("analytics_rebuild", "--if-empty", stdout=StringIO())
    assert table() == live


# --- a recount written from the record, independently of the rollup's code -----------------------------------------


def local(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def month_of(moment: datetime) -> str:
    return f"{local(moment):%Y-%m}"


def rollup_sums(unit_kind: str, counter: str, by: Callable[[date], Any]) -> Counter[tuple[int, Any]]:
    """The counter summed over the total rows of ``unit_kind``, by (unit, ``by(day)``), zeros left out."""
    summed: Counter[tuple[int, Any]] = Counter()
    rows = DailyRollup.objects.filter(unit_kind=unit_kind, detail=False).values_list("unit_id", "day", counter)
    for unit_id, day, value in rows:
        summed[(unit_id, by(day))] += value
    return +summed


def by_day(day: date) -> date:
    return day


def by_month(day: date) -> str:
    return f"{day:%Y-%m}"


def counted(pairs: Iterable[tuple[int, Any]]) -> Counter[tuple[int, Any]]:
    return Counter(pairs)


CLOSING = (Action.VERIFY_CLOSE, Action.CLOSE_BY_AGREEMENT)


def _lead_department_at(matter_id: int, moment: datetime) -> int | None:
    """The lead department of a matter just after ``moment``, from its dispatch events."""
    lead = None
    for data in (
        MatterEvent.objects.filter(matter_id=matter_id, action=Action.DISPATCH, at__lte=moment)
        .order_by("sequence")
        .values_list("data", flat=True)
    ):
        lead = data.get("lead_department_id")
    return lead


def test_the_rollup_agrees_with_a_direct_recount(town: Town) -> None:
    varied(town)
    matters = {matter.pk: matter for matter in Matter.objects.all()}
    events = list(MatterEvent.objects.order_by("matter_id", "sequence"))
    red = list(DeadlineAlert.objects.filter(subject="matter", level=AlertLevel.RED))
    closings = [event for event in events if event.action in CLOSING]

    # received per street per day: the matters filed that day
    assert rollup_sums(UnitKind.STREET, "received", by_day) == counted(
        (matter.street_id, local(matter.created_at)) for matter in matters.values()
    )
    # dispatched per district per day: dispatches and overrules (the matter sent to its unit again)
    assert rollup_sums(UnitKind.DISTRICT, "dispatched", by_day) == counted(
        (matters[e.matter_id].district_id, local(e.at))
        for e in events
        if e.action in (Action.DISPATCH, Action.OVERRULE)
    )
    # dispatched per department per month: the dispatches naming it, and overrules while it led
    assert rollup_sums(UnitKind.DEPARTMENT, "dispatched", by_month) == counted(
        (department, month_of(e.at))
        for e in events
        if e.action in (Action.DISPATCH, Action.OVERRULE)
        and (department := _lead_department_at(e.matter_id, e.at)) is not None
    )
    # closed per month per department and per community: the closing events (discards are not closings)
    assert rollup_sums(UnitKind.DEPARTMENT, "closed", by_month) == counted(
        (matters[e.matter_id].lead_department_id, month_of(e.at))
        for e in closings
        if matters[e.matter_id].lead_department_id is not None
    )
    assert rollup_sums(UnitKind.COMMUNITY, "closed", by_month) == counted(
        (matters[e.matter_id].community_id, month_of(e.at)) for e in closings
    )
    # discarded, returned, replied, extended per grid per day: the events of each
    for counter, chosen in (
        ("discarded", lambda e: e.action == Action.DISCARD),
        ("returned", lambda e: e.action == Action.RETURN),
        ("replied", lambda e: e.action == Action.REPLY),
        ("extended", lambda e: e.action == Action.DECIDE_EXTENSION and e.data.get("approved") is True),
    ):
        assert rollup_sums(UnitKind.GRID, counter, by_day) == counted(
            (matters[e.matter_id].grid_id, local(e.at)) for e in events if chosen(e)
        ), counter
    # overdue per street per day and per city per month: the red alerts of matters
    assert rollup_sums(UnitKind.STREET, "overdue", by_day) == counted(
        (matters[a.matter_id].street_id, local(a.raised_at)) for a in red
    )
    assert rollup_sums(UnitKind.CITY, "overdue", by_month) == counted((0, month_of(a.raised_at)) for a in red)
    # overdue per department: the accept and reply deadlines it missed while it led (a call-back is not its own)
    assert rollup_sums(UnitKind.DEPARTMENT, "overdue", by_month) == counted(
        (department, month_of(a.raised_at))
        for a in red
        if a.stage in (DueStage.ACCEPT, DueStage.REPLY)
        and (department := _lead_department_at(a.matter_id, a.raised_at)) is not None
    )
    # the outcome of each closed matter, per community per month, from the matter's final fields
    outcomes: dict[str, Callable[[Matter], int]] = {
        "resolved": lambda m: int(
            m.closure_reason in (ClosureReason.RESOLVED, ClosureReason.AGREED)
            and (m.reopen_count == 0 or m.satisfaction in (SATISFIED, BASICALLY))
        ),
        "closed_on_time": lambda m: int(m.overdue_count == 0),
        "reopened": lambda m: int(m.reopen_count > 0),
        "rated": lambda m: int(bool(m.satisfaction)),
        "satisfied": lambda m: int(m.satisfaction == SATISFIED),
        "basically": lambda m: int(m.satisfaction == BASICALLY),
        "unsatisfied": lambda m: int(m.satisfaction == UNSATISFIED),
        "handling_seconds": lambda m: int((m.closed_at - m.created_at).total_seconds()) if m.closed_at else 0,
    }
    for counter, value in outcomes.items():
        expected: Counter[tuple[int, Any]] = Counter()
        for e in closings:
            matter = matters[e.matter_id]
            expected[(matter.community_id, month_of(e.at))] += value(matter)
        assert rollup_sums(UnitKind.COMMUNITY, counter, by_month) == +expected, counter


def _answers() -> tuple[Counter[tuple[int, Any]], Counter[tuple[int, Any]]]:
    """响应 per city and day, from the definition: each answer to a dispatch (an accept, or a return of a dispatched
    matter) on its day, on time if before the accept deadline the dispatch (or overrule) set — unless that deadline
    had already passed with a red alert, which is the (late) answer on the alert's day instead."""
    responded: Counter[tuple[int, Any]] = Counter()
    on_time: Counter[tuple[int, Any]] = Counter()
    alerted = {
        (a.matter_id, a.due_at)
        for a in DeadlineAlert.objects.filter(subject="matter", level=AlertLevel.RED, stage=DueStage.ACCEPT)
    }
    for a in DeadlineAlert.objects.filter(subject="matter", level=AlertLevel.RED, stage=DueStage.ACCEPT):
        responded[(0, local(a.raised_at))] += 1
    due: dict[int, datetime | None] = {}
    for e in MatterEvent.objects.order_by("matter_id", "sequence"):
        if e.action in (Action.DISPATCH, Action.OVERRULE):
            due[e.matter_id] = datetime.fromisoformat(e.data["deadline"]["due_at"])
        elif e.action == Action.ACCEPT or (e.action == Action.RETURN and e.from_state == MatterState.DISPATCHED):
            deadline = due.pop(e.matter_id)
            assert deadline is not None
            if (e.matter_id, deadline) in alerted:
                continue
            responded[(0, local(e.at))] += 1
            on_time[(0, local(e.at))] += int(e.at <= deadline)
    return +responded, +on_time


def test_answers_in_the_rollup_agree_with_a_recount_from_events_and_alerts(town: Town) -> None:
    varied(town)
    responded, on_time = _answers()
    # the scenario's answers: v1, v7, v7 (after the overrule), v10, v3 (its return), v3, v4 on time; v2, v9
    # and v6 as their deadlines passed = 10, of which 7 on time
    assert (sum(responded.values()), sum(on_time.values())) == (10, 7)
    assert rollup_sums(UnitKind.CITY, "responded", by_day) == responded
    assert rollup_sums(UnitKind.CITY, "responded_on_time", by_day) == on_time


def test_every_grid_row_is_counted_once_in_the_city(town: Town) -> None:
    """Each matter lies in one grid: per day, the grids' total rows add up to the city's."""
    varied(town)
    for counter in COUNTERS:
        grid_days: Counter[date] = Counter()
        for (_unit, day), n in rollup_sums(UnitKind.GRID, counter, by_day).items():
            grid_days[day] += n
        city_days = Counter({day: n for (_unit, day), n in rollup_sums(UnitKind.CITY, counter, by_day).items()})
        assert grid_days == city_days, counter
    assert sum(rollup_sums(UnitKind.CITY, "received", by_day).values()) == 10
