"""The community performance record (社区表现档案): the pure fold on plain rows, then the figures computed from real
rows of orders, wishes and the points ledger, for each kind of period, at the bounds of a period in China time, and
across a move to another community."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.party.periods import Period, PeriodKind
from gridwork.party.records import (
    EntryRow,
    OrderRow,
    RecordFigures,
    Span,
    WishRow,
    evaluable_in,
    fold_record,
    record_figures_for,
    record_of,
)
from gridwork.party.registrations import registration_withdraw
from gridwork.party.tests.factories import (
    World,
    at,
    claimed_wish,
    confirmed,
    done_order,
    earn,
    make_world,
    point_rules,
    registered_since,
    submit,
)
from gridwork.places.tests.factories import CityTree
from gridwork.points.models import EntryKind, PointBasis
from gridwork.points.services import Source, points_spend
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.wishes.models import WishState

H1 = Period(PeriodKind.HALF, 2025, 1)
H2 = Period(PeriodKind.HALF, 2025, 2)
YEAR = Period(PeriodKind.YEAR, 2025)
JUNE = Period(PeriodKind.MONTH, 2025, 6)
Q3 = Period(PeriodKind.QUARTER, 2025, 3)


# --- the fold, on plain rows -----------------------------------------------------------------------------------------


def test_the_fold_counts_orders_completed_in_the_period_their_hours_and_ratings() -> None:
    orders = [
        OrderRow(OrderState.RATED, at("2025-06-30 23:59"), Decimal("2"), 5),  # the last minute of the half
        OrderRow(OrderState.COMPLETED, at("2025-03-01 10:00"), Decimal("1.25"), None),  # not rated yet
        OrderRow(OrderState.RATED, at("2025-01-01 00:00"), Decimal("1"), 4),  # the first moment
        OrderRow(OrderState.RATED, at("2025-07-01 00:00"), Decimal("3"), 1),  # the next half
        OrderRow(OrderState.TAKEN, None, None, None),  # not done
    ]
    figures = fold_record(period=H1, orders=orders, wishes=[])
    assert (figures.services, figures.hours, figures.ratings, figures.rating_total) == (3, Decimal("4.25"), 2, 9)
    assert figures.rating_average == Decimal("4.5")
    assert fold_record(period=H2, orders=orders, wishes=[]).services == 1


def test_the_fold_counts_wishes_fulfilled_and_confirmed_each_in_its_own_period() -> None:
    wishes = [
        WishRow(WishState.CONFIRMED, at("2025-06-30 20:00"), at("2025-07-02 09:00")),
        WishRow(WishState.FULFILLED, at("2025-05-01 09:00"), None),
        WishRow(WishState.CLAIMED, None, None),
    ]
    first = fold_record(period=H1, orders=[], wishes=wishes)
    second = fold_record(period=H2, orders=[], wishes=wishes)
    assert (first.wishes_fulfilled, first.wishes_confirmed) == (2, 0)
    assert (second.wishes_fulfilled, second.wishes_confirmed) == (0, 1)


def test_the_fold_counts_the_registrations_own_earnings_by_their_day() -> None:
    made = at("2026-01-05 10:00")
    entries = [
        EntryRow(EntryKind.EARN, 20, date(2025, 6, 30), made, "order", 1),  # our order, last day of H1
        EntryRow(EntryKind.EARN, 15, date(2025, 7, 1), made, "order", 1),  # a day later: H2
        EntryRow(EntryKind.EARN, 30, date(2025, 6, 1), made, "order", 2),  # another registration's order
        EntryRow(EntryKind.EARN, 10, date(2025, 6, 1), made, "wish", 7),  # our wish
        EntryRow(EntryKind.EARN, 5, date(2025, 6, 1), made, "activity", 3),  # while we held
        EntryRow(EntryKind.EARN, 5, date(2025, 6, 1), at("2024-01-01 00:00"), "activity", 4),  # before we held
        EntryRow(EntryKind.SPEND, -40, date(2025, 6, 1), made, "exchange", 1),  # spending is not earning
    ]
    figures = fold_record(
        period=H1,
        orders=[],
        wishes=[],
        entries=entries,
        own_orders={1},
        own_wishes={7},
        span=Span(start=at("2025-01-01 00:00")),
        balance=99,
    )
    assert (figures.points_earned, figures.points_balance) == (35, 99)


def test_nothing_rated_has_no_average_and_a_snapshot_comes_back_whole() -> None:
    assert RecordFigures().rating_average is None
    figures = RecordFigures(services=3, hours=Decimal("4.5"), ratings=2, rating_total=7, points_earned=60)
    assert figures.snapshot()["rating_average"] == "3.5"
    assert RecordFigures.from_snapshot(figures.snapshot()) == figures


# --- the record, from rows in the database ---------------------------------------------------------------------------


@pytest.fixture
def world(tree: CityTree) -> World:
    point_rules()
    return make_world(tree)


@pytest.mark.django_db
def test_the_record_counts_what_the_member_did_in_each_period(world: World) -> None:
    member = confirmed(world)
    other = confirmed(world, user=make_resident_user(phone="13900002222"), name="王五", phone="13900002222")
    last_day = done_order(member, completed_at=at("2025-06-30 23:30"), hours="2", rating=5)
    next_day = done_order(member, completed_at=at("2025-07-01 00:30"), hours="1.5", rating=3)
    done_order(member, completed_at=at("2025-03-10 15:00"), hours="1")
    done_order(other, completed_at=at("2025-06-30 10:00"), hours="5", rating=1)  # someone else's
    ServiceOrder.objects.create(  # taken, not done: counts nothing
        ordered_by=make_resident_user(phone="13600009999"),
        for_name="王大爷",
        for_phone="13812345678",
        community=member.community,
        building=member.building,
        text="修水管",
        wanted_on=date(2025, 6, 1),
        state=OrderState.TAKEN,
        taker=member,
    )
    wish = claimed_wish(member, fulfilled_at=at("2025-06-30 22:00"), confirmed_at=at("2025-07-02 09:00"))
    claimed_wish(member)  # claimed, not fulfilled
    claimed_wish(other, fulfilled_at=at("2025-05-01 10:00"))
    earn(
        member,
        basis=PointBasis.SERVICE_HOUR,
        quantity=Decimal("2"),
        source=Source("order", last_day.pk),
        on=date(2025, 6, 30),
    )
    earn(
        member,
        basis=PointBasis.SERVICE_HOUR,
        quantity=Decimal("1.5"),
        source=Source("order", next_day.pk),
        on=date(2025, 7, 1),
    )
    earn(member, basis=PointBasis.WISH, quantity=1, source=Source("wish", wish.pk), on=date(2025, 7, 2))
    earn(member, basis=PointBasis.ACTIVITY, quantity=1, source=Source("activity", 1), on=date(2025, 5, 1))
    earn(other, basis=PointBasis.ACTIVITY, quantity=10, source=Source("activity", 2), on=date(2025, 5, 1))
    points_spend(member=member, points=10, source=Source("exchange", 1), actor=None)

    first, second, year = (record_figures_for([member], p)[member.pk] for p in (H1, H2, YEAR))
    assert (first.services, first.hours, first.ratings, first.rating_average) == (2, Decimal("3"), 1, Decimal("5.0"))
    assert (second.services, second.hours, second.ratings, second.rating_average) == (
        1,
        Decimal("1.5"),
        1,
        Decimal("3.0"),
    )
    assert (year.services, year.hours, year.ratings, year.rating_average) == (3, Decimal("4.5"), 2, Decimal("4.0"))
    assert (first.wishes_fulfilled, first.wishes_confirmed) == (1, 0)
    assert (second.wishes_fulfilled, second.wishes_confirmed) == (0, 1)
    assert (first.points_earned, second.points_earned, year.points_earned) == (20 + 5, 15 + 20, 60)
    assert {first.points_balance, second.points_balance, year.points_balance} == {50}
    june, third_quarter = (record_figures_for([member], p)[member.pk] for p in (JUNE, Q3))
    assert (june.services, june.points_earned) == (1, 20)  # completed on the last day of June: counts
    assert (third_quarter.services, third_quarter.points_earned) == (1, 35)  # a day later: the next quarter
    assert record_figures_for([other], H1)[other.pk].services == 1
    assert record_figures_for([other], H1)[other.pk].points_earned == 50


@pytest.mark.django_db
def test_a_page_of_members_costs_a_handful_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    members = [
        confirmed(world, user=make_resident_user(phone=f"1390000{i:04d}"), name=f"党员{i}", phone=f"1390000{i:04d}")
        for i in range(5)
    ]
    for member in members:
        done_order(member, completed_at=at("2025-04-01 10:00"), rating=4)
        claimed_wish(member, fulfilled_at=at("2025-04-02 10:00"))
    with django_assert_max_num_queries(8):
        figures = record_figures_for(members, H1)
    assert [figures[m.pk].services for m in members] == [1] * 5


@pytest.mark.django_db
def test_after_a_move_each_community_keeps_what_was_done_for_it(world: World) -> None:
    old = confirmed(world)
    before = done_order(old, completed_at=at("2025-03-01 10:00"), hours="1")
    earn(old, basis=PointBasis.SERVICE_HOUR, quantity=1, source=Source("order", before.pk), on=date(2025, 3, 1))
    earn(old, basis=PointBasis.ACTIVITY, quantity=1, source=Source("activity", 1), on=date(2025, 4, 1))
    new = confirmed(world, community=world.tree.community2, building=world.building2)
    old.refresh_from_db()
    assert old.state == RegistrationState.TRANSFERRED
    after = done_order(new, completed_at=at("2025-09-01 10:00"), hours="2")
    earn(new, basis=PointBasis.SERVICE_HOUR, quantity=2, source=Source("order", after.pk), on=date(2025, 9, 1))
    earn(new, basis=PointBasis.ACTIVITY, quantity=1, source=Source("activity", 2), on=date(2025, 10, 1))

    figures = record_figures_for([old, new], YEAR)
    assert (figures[old.pk].services, figures[old.pk].points_earned) == (1, 10 + 5)
    assert (figures[new.pk].services, figures[new.pk].points_earned) == (1, 20 + 5)
    assert figures[old.pk].points_balance == figures[new.pk].points_balance == 40  # one person, one account
    record = record_of(new, YEAR)
    assert [entry.registration.pk for entry in record.history] == [new.pk, old.pk]
    assert record.history[1].ended_at is not None
    assert record.attendance_available is False


@pytest.mark.django_db
def test_who_held_during_a_period_is_evaluable(world: World) -> None:
    member = registered_since(confirmed(world), at("2025-03-01 09:00"))
    late = confirmed(world, user=make_resident_user(phone="13900002222"), name="王五", phone="13900002222")
    never = submit(world, user=make_resident_user(phone="13900003333"), name="赵六", phone="13900003333")
    registration_withdraw(actor=never.user, registration=never)  # withdrawn before anyone confirmed it
    everyone = MemberRegistration.objects.filter(community=world.tree.community)
    assert set(evaluable_in(everyone, YEAR)) == {member}  # ``late`` was confirmed only this year
    assert set(evaluable_in(everyone, Period(PeriodKind.HALF, 2024, 2))) == set()
    this_year = Period.of(PeriodKind.YEAR, late.confirmed_at.date())  # type: ignore[union-attr]
    assert set(evaluable_in(everyone, this_year)) == {member, late}
    registration_withdraw(actor=member.user, registration=member)  # ended now: still held during 2025
    assert set(evaluable_in(everyone, YEAR)) == {member}
