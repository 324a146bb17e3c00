"""The rollup under real concurrency: threads filing and moving matters at once add to the same rows (the same day,
grid, community, street, district, city and department) and no count is lost or doubled; a move that loses its
compare-and-set adds nothing. Runs on SQLite and on PostgreSQL (scripts/with-postgres.sh)."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.models import COUNTERS, DailyRollup, UnitKind
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.common.tests.racing import race
from gridwork.matters import services
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.tests.test_concurrency import THREADS, _file, _fresh, _gates, lockstep
from gridwork.matters.workflow import Action, MatterKind
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def _totals(unit_kind: str, unit_id: int) -> dict[str, int]:
    rows = DailyRollup.objects.filter(unit_kind=unit_kind, unit_id=unit_id, detail=False)
    return {name: sum(getattr(row, name) for row in rows) for name in COUNTERS}


def _all_rows() -> dict[tuple[Any, ...], tuple[int, ...]]:
    return {
        (r.day, r.unit_kind, r.unit_id, r.detail, r.category_id, r.kind, r.channel): tuple(
            getattr(r, name) for name in COUNTERS
        )
        for r in DailyRollup.objects.all()
    }


def test_filings_at_once_are_each_counted_once_at_every_level(tree: CityTree) -> None:
    outcomes = race(lambda i, _prepared: _file(tree), threads=THREADS, gates=_gates)
    assert all(isinstance(outcome, services.FilingReceipt) for outcome in outcomes), outcomes
    for unit_kind, unit_id in (
        (UnitKind.GRID, tree.grid.pk),
        (UnitKind.COMMUNITY, tree.community.pk),
        (UnitKind.STREET, tree.street.pk),
        (UnitKind.DISTRICT, tree.district.pk),
        (UnitKind.CITY, 0),
    ):
        assert _totals(unit_kind, unit_id)["received"] == THREADS, unit_kind
    detail = DailyRollup.objects.filter(unit_kind=UnitKind.CITY, detail=True)
    assert sum(row.received for row in detail) == THREADS
    kept = _all_rows()
    rebuild_rollup()
    assert _all_rows() == kept


def test_a_department_accepting_many_matters_at_once_counts_each_answer(tree: CityTree, staff: LoopStaff) -> None:
    handlers = [
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username=f"h{i}")
        for i in range(THREADS)
    ]
    matter_ids = []
    for _ in range(THREADS):
        matter_id = _file(tree).matter_id
        services.matter_transition(
            actor=staff.dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk},
        )
        matter_ids.append(matter_id)

    def accept(i: int, handler: User) -> Matter:
        return services.matter_transition(actor=handler, matter_id=matter_ids[i], action=Action.ACCEPT)

    outcomes = race(accept, lambda i: _fresh(handlers[i]), threads=THREADS, gates=_gates)
    assert all(isinstance(outcome, Matter) for outcome in outcomes), outcomes
    department = _totals(UnitKind.DEPARTMENT, tree.department.pk)
    assert (department["dispatched"], department["responded"]) == (THREADS, THREADS)
    kept = _all_rows()
    rebuild_rollup()
    assert _all_rows() == kept


@pytest.mark.parametrize("mode", ["at once", "in lockstep"])
def test_a_move_that_loses_the_race_adds_nothing(tree: CityTree, staff: LoopStaff, mode: str) -> None:
    handlers = [
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username=f"h{i}")
        for i in range(THREADS)
    ]
    matter_id = _file(tree).matter_id
    services.matter_transition(
        actor=staff.dispatcher,
        matter_id=matter_id,
        action=Action.DISPATCH,
        data={"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk},
    )

    def accept(_i: int, handler: User) -> Matter:
        return services.matter_transition(actor=handler, matter_id=matter_id, action=Action.ACCEPT)

    with lockstep(mode, THREADS):
        outcomes = race(accept, lambda i: _fresh(handlers[i]), threads=THREADS, gates=_gates)
    assert sum(isinstance(outcome, Matter) for outcome in outcomes) == 1
    assert _totals(UnitKind.DEPARTMENT, tree.department.pk)["responded"] == 1
    assert _totals(UnitKind.CITY, 0)["responded"] == 1
