"""The rollup (``analytics.rollup``) as the services write it: which rows each event adds to, with which keys, and
that a refused move, a move that counts nothing and a repeated sweep add nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gridwork.analytics.models import COUNTERS, DailyRollup, UnitKind
from gridwork.analytics.tests.factories import Town, moment, nonzero, total_row
from gridwork.matters.models import Category, Matter
from gridwork.matters.services import matter_transition
from gridwork.matters.workflow import Action, MatterKind, Satisfaction, TransitionRefused

pytestmark = pytest.mark.django_db

Key = tuple[date, str, int, bool, int, str, str]


def table() -> dict[Key, dict[str, int]]:
    """Every row of the rollup by its key, with its non-zero counters."""
    return {
        (row.day, row.unit_kind, row.unit_id, row.detail, row.category_id, row.kind, row.channel): nonzero(
            {name: getattr(row, name) for name in COUNTERS}
        )
        for row in DailyRollup.objects.all()
    }


def category(root_code: str) -> Category:
    """A third-level category under the first-level category ``root_code``."""
    found = Category.objects.filter(level=3, code__startswith=f"{root_code}.", is_active=True).order_by("code").first()
    assert found is not None
    return found


def root_id(code: str) -> int:
    return Category.objects.get(code=code).pk


def test_a_filing_adds_a_detail_and_a_total_row_for_each_level_of_its_area(town: Town) -> None:
    tree = town.tree
    street_lights = category("T01")
    matter = town.file(at="2026-11-02 08:30", channel="hotline", category=street_lights)
    day = date(2026, 11, 2)
    units = [
        (UnitKind.CITY, 0),
        (UnitKind.DISTRICT, tree.district.pk),
        (UnitKind.STREET, tree.street.pk),
        (UnitKind.COMMUNITY, tree.community.pk),
        (UnitKind.GRID, tree.grid.pk),
    ]
    expected: dict[Key, dict[str, int]] = {}
    for unit_kind, unit_id in units:
        # the detail row keys the first-level category (T01), the kind and the channel; the total row none of them
        expected[(day, unit_kind, unit_id, True, root_id("T01"), MatterKind.PROFESSIONAL, "hotline")] = {"received": 1}
        expected[(day, unit_kind, unit_id, False, 0, "", "")] = {"received": 1}
    assert matter.category_id == street_lights.pk
    assert table() == expected  # 5 units × 2 rows; the filing has no department


def test_events_of_one_day_add_to_the_same_rows(town: Town) -> None:
    for _n in range(3):
        town.file(at="2026-11-02 08:30")
    assert DailyRollup.objects.filter(unit_kind=UnitKind.CITY, detail=False).count() == 1
    assert total_row(town.tree.city, "2026-11-02")["received"] == 3


def test_detail_rows_add_up_to_the_total_row_of_their_unit_and_day(town: Town) -> None:
    first = town.file(at="2026-11-02 08:30", channel="hotline", category=category("T01"))
    second = town.file(at="2026-11-02 08:40", channel="patrol", category=category("T04"), kind=MatterKind.PERSONAL)
    town.file(at="2026-11-02 08:50", where="grid2")
    town.dispatch(first, at="2026-11-02 09:00", to=town.tree.department)
    town.dispatch(second, at="2026-11-02 09:00")
    town.accept(first, at="2026-11-02 09:30")
    town.accept(second, at="2026-11-02 11:30")
    town.close_by_agreement(second, at="2026-11-03 10:00")
    town.rated_and_closed(
        first,
        replied="2026-11-03 10:00",
        rating=Satisfaction.BASICALLY,
        rated="2026-11-03 11:00",
        closed="2026-11-03 14:00",
    )
    details: dict[tuple[date, str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    totals: dict[tuple[date, str, int], dict[str, int]] = {}
    for key, counts in table().items():
        day, unit_kind, unit_id, detail, *_dims = key
        if detail:
            for name, value in counts.items():
                details[(day, unit_kind, unit_id)][name] += value
        else:
            totals[(day, unit_kind, unit_id)] = counts
    assert set(details) == set(totals)
    assert len(totals) == 2 * (5 + 1) + 1  # 2 days × (5 levels + the department), plus grid2's own row on day 1
    for unit, counts in totals.items():
        assert nonzero(details[unit]) == counts, unit


def test_counts_after_a_recategorising_dispatch_go_under_the_new_first_level_category(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30", category=category("T01"))
    other = category("T04")
    matter_transition(
        actor=town.operator,
        matter_id=matter.pk,
        action=Action.DISPATCH,
        data={"kind": MatterKind.PROFESSIONAL, "category_id": other.pk, "lead_place_id": town.tree.community.pk},
        now=moment("2026-11-02 09:00"),
    )
    city_details = {key[4]: counts for key, counts in table().items() if key[1] == UnitKind.CITY and key[3]}
    assert city_details == {root_id("T01"): {"received": 1}, root_id("T04"): {"dispatched": 1}}


def test_a_refused_move_adds_nothing(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")
    before = table()
    with pytest.raises(TransitionRefused):  # a reply before accepting
        town.reply(matter, at="2026-11-02 09:10")
    with pytest.raises(ValidationError):  # a return without its reason
        matter_transition(
            actor=town.handler(matter), matter_id=matter.pk, action=Action.RETURN, now=moment("2026-11-02 09:20")
        )
    assert table() == before
    assert Matter.objects.get(pk=matter.pk).version == 2


def test_moves_that_count_nothing_write_no_row(town: Town) -> None:
    matter = town.accepted(filed="2026-11-02 08:30", dispatched="2026-11-02 09:00", accepted="2026-11-02 09:30")
    before = table()
    town.move(matter, Action.PROGRESS, at="2026-11-03 09:00", note="已联系施工队")
    town.request_extension(matter, 2, at="2026-11-03 10:00")
    town.decide_extension(matter, approved=False, days=0, at="2026-11-03 11:00")  # refused: no extension
    assert table() == before
    town.reply(matter, at="2026-11-04 10:00")
    after_reply = table()
    town.rate(matter, Satisfaction.SATISFIED, at="2026-11-04 11:00")  # the rating counts when the matter closes
    assert table() == after_reply


def test_the_sweep_counts_a_red_alert_once_and_a_yellow_one_never(town: Town) -> None:
    matter = town.file(at="2026-11-02 08:30")
    town.dispatch(matter, at="2026-11-02 09:00")
    before = table()
    assert town.sweep("2026-11-02 10:45").yellow == 1  # the warning (from 10:30) counts nothing
    assert table() == before
    assert town.sweep("2026-11-02 11:05").red == 1
    # the passed accept deadline: overdue 1 and a (late) answer, on the day of the sweep
    assert {name: total_row(town.tree.grid, "2026-11-02")[name] for name in ("overdue", "responded")} == {
        "overdue": 1,
        "responded": 1,
    }
    once = table()
    assert town.sweep("2026-11-02 11:30").red == 0
    assert table() == once


def test_a_total_row_cannot_carry_dimensions() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyRollup.objects.create(
            day=date(2026, 11, 2), unit_kind=UnitKind.CITY, unit_id=0, detail=False, category_id=1, received=1
        )
