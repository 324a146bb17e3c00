"""The figures other apps read: the staffing formula (seed 001's edge cases), training hours, 以星定酬."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gridwork.places.codes import child_code, place_path
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.workforce import services
from gridwork.workforce.models import Post, StaffingRule
from gridwork.workforce.selectors import (
    pay_grade_for,
    required_workers,
    reserve_pools,
    secretary_training,
    staffing_for,
    staffing_list,
    training_hours,
)
from gridwork.workforce.tests.factories import city_staff, make_course, make_ladder, make_worker

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("households", "minimum", "maximum"),
    [
        (0, 8, 10),
        (1999, 8, 10),
        (2000, 8, 10),  # at the threshold: the base only
        (2001, 9, 11),  # one household above: a started block of 300–400 counts
        (2300, 9, 11),  # 300 above: one block of 300 (max) and of 400 (min)
        (2301, 9, 12),
        (2400, 9, 12),  # 400 above: ceil(400/400)=1, ceil(400/300)=2
        (2401, 10, 12),
        (3200, 11, 14),
    ],
)
def test_required_workers_on_the_seed_formula(households: int, minimum: int, maximum: int) -> None:
    required = required_workers(households, StaffingRule())
    assert (required.minimum, required.maximum) == (minimum, maximum)


def test_required_workers_follow_a_changed_rule() -> None:
    rule = StaffingRule(base_min=6, base_max=7, threshold=1000, per_extra_low=200, per_extra_high=250)
    required = required_workers(1500, rule)
    assert (required.minimum, required.maximum) == (8, 10)


def _households(microgrid: Place, count: int) -> None:
    Place.objects.bulk_create(
        Place(
            code=(code := child_code(PlaceLevel.HOUSEHOLD, microgrid.code, n)),
            name=f"{n}室",
            level=PlaceLevel.HOUSEHOLD,
            parent=microgrid,
            path=place_path(microgrid.path, code),
        )
        for n in range(2, count + 2)
    )


@pytest.mark.parametrize(
    ("households", "minimum", "maximum"), [(2000, 8, 10), (2001, 9, 11), (2300, 9, 11), (2400, 9, 12)]
)
def test_staffing_for_counts_household_places(tree: CityTree, households: int, minimum: int, maximum: int) -> None:
    community = make_place(PlaceLevel.COMMUNITY, tree.street, 7, "新建社区")
    grid = make_place(PlaceLevel.GRID, community, 1, "一网格")
    microgrid = make_place(PlaceLevel.MICROGRID, grid, 1, "1号楼")
    _households(microgrid, households)
    actor = city_staff(tree)
    for n in range(3):
        make_worker(actor, community, f"社工{n}", cert="assistant" if n == 0 else "none")
    staffing = staffing_for(community)
    assert staffing.households == households
    assert (staffing.minimum, staffing.maximum) == (minimum, maximum)
    assert staffing.actual == 3
    assert staffing.gap == minimum - 3
    assert staffing.certified_share == Decimal("33.33")
    listed = {line.community.pk: line for line in staffing_list(user=actor)}
    assert listed[community.pk] == staffing


def test_staffing_uses_the_recorded_figure_when_larger_and_counts_serving_workers(tree: CityTree) -> None:
    actor = city_staff(tree)
    for n in range(10):
        make_worker(actor, tree.community, f"社工{n}")
    gone = make_worker(actor, tree.community, "离职者")
    services.worker_leave(actor=actor, worker=gone, on=date(2025, 1, 1), reason="辞职", expected_version=1)
    staffing = staffing_for(tree.community)  # 2,100 households recorded, one household place
    assert staffing.households == 2100
    assert (staffing.minimum, staffing.maximum, staffing.actual, staffing.gap) == (9, 11, 10, 0)
    assert staffing.certified_share == Decimal("0.00")
    empty = staffing_for(tree.community2)
    assert (empty.actual, empty.gap, empty.certified_share) == (0, 8, None)


def test_training_hours_count_courses_ending_in_the_period(tree: CityTree) -> None:
    actor = city_staff(tree)
    worker = make_worker(actor, tree.community, "李书记", post=Post.HEAD, is_secretary=True)
    other = make_worker(actor, tree.community2, "别人")
    spring = make_course(actor, tree.city, hours="24", end=date(2026, 3, 5))
    autumn = make_course(actor, tree.city, hours="40", end=date(2026, 10, 9), title="秋季班")
    last_year = make_course(actor, tree.city, hours="30", end=date(2025, 12, 31), title="去年")
    services.training_record_add(actor=actor, course=spring, worker=worker, hours=Decimal(24), passed=True)
    services.training_record_add(actor=actor, course=autumn, worker=worker, hours=Decimal("20.5"), passed=False)
    services.training_record_add(actor=actor, course=last_year, worker=worker, hours=Decimal(30), passed=True)
    services.training_record_add(actor=actor, course=spring, worker=other, hours=Decimal(24), passed=True)
    assert training_hours(worker=worker, start=date(2026, 1, 1), end=date(2026, 12, 31)) == Decimal("44.5")
    assert training_hours(worker=worker, start=date(2026, 3, 5), end=date(2026, 3, 5)) == Decimal(24)
    assert training_hours(worker=worker, start=date(2027, 1, 1), end=date(2027, 12, 31)) == Decimal(0)
    lines = secretary_training(user=actor, year=2026)
    assert [(line.worker, line.hours, line.below, line.short) for line in lines] == [
        (worker, Decimal("44.5"), True, Decimal("11.5"))
    ]


def test_pay_grade_for_maps_stars_to_the_grade_of_the_workers_post(tree: CityTree) -> None:
    actor = city_staff(tree)
    ladder = make_ladder(tree, actor, "three_posts_11")
    secretary = make_worker(actor, tree.community, "李书记", post=Post.HEAD, is_secretary=True, ladder=ladder, grade=5)
    deputy = make_worker(actor, tree.community, "副主任", post=Post.DEPUTY, ladder=ladder, grade=5)
    four = pay_grade_for(worker=secretary, stars=4)
    assert four is not None
    assert (four.ladder, four.post, four.grade, four.monthly_pay) == (ladder, Post.HEAD, 9, Decimal(7000))
    deputy_four = pay_grade_for(worker=deputy, stars=4)
    assert deputy_four is not None
    assert (deputy_four.post, deputy_four.monthly_pay) == (Post.DEPUTY, Decimal(6160))
    services.star_rules_set(actor=actor, ladder=ladder, grades={4: None})
    assert pay_grade_for(worker=secretary, stars=4) is None
    unladdered = make_worker(actor, tree.community2, "无级别")
    assert pay_grade_for(worker=unladdered, stars=5) is None


def test_reserve_pool_against_the_ratio(tree: CityTree) -> None:
    actor = city_staff(tree)
    for n in range(2):
        services.reserve_add(
            actor=actor, street=tree.street, fields=services.CandidateFields(name=f"后备{n}"), added_at=date(2025, 1, 1)
        )
    left = services.reserve_add(
        actor=actor, street=tree.street, fields=services.CandidateFields(name="已任用"), added_at=date(2025, 1, 1)
    )
    services.reserve_leave(actor=actor, candidate=left, on=date(2025, 6, 1), reason="任社区副书记")
    pools = {pool.street: pool for pool in reserve_pools(user=actor, on=date(2026, 1, 1))}
    street = pools[tree.street]  # two communities → ceil(1.2 × 2) = 3
    assert (street.communities, street.required, street.size, street.gap) == (2, 3, 2, 1)
    assert pools[tree.street2].required == 0
    before = {pool.street: pool for pool in reserve_pools(user=actor, on=date(2025, 3, 1))}
    assert before[tree.street].size == 3
