"""Organisation life on a fixed clock: each required meeting's status per period (held, a gap once the period has
ended, due in its last seven days, open before, not yet), what counts as held (the branch's own activity of that kind
with minutes; a party group's meeting for 党小组会; not a planned or cancelled one, nor another branch's), and the
daily job that warns the community's staff of each gap once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.activities.life import LifeStatus, branch_life, last_ended, period_status, recent_gaps
from gridwork.activities.models import ActivityKind, LifeGapWarning
from gridwork.activities.services.life import life_warn_gaps
from gridwork.activities.tests.factories import ActivityWorld, activity_world, local, party_meeting
from gridwork.notifications.models import Notification
from gridwork.party.periods import Period, PeriodKind
from gridwork.places.tests.factories import CityTree

MARCH = Period(PeriodKind.MONTH, 2031, 3)
Q1 = Period(PeriodKind.QUARTER, 2031, 1)


@pytest.mark.parametrize(
    ("period", "today", "status"),
    [
        (MARCH, date(2031, 2, 28), LifeStatus.FUTURE),
        (MARCH, date(2031, 3, 1), LifeStatus.OPEN),
        (MARCH, date(2031, 3, 24), LifeStatus.OPEN),
        (MARCH, date(2031, 3, 25), LifeStatus.DUE),  # the last seven days: 25th–31st
        (MARCH, date(2031, 3, 31), LifeStatus.DUE),
        (MARCH, date(2031, 4, 1), LifeStatus.GAP),
        (Period(PeriodKind.MONTH, 2031, 2), date(2031, 2, 21), LifeStatus.OPEN),
        (Period(PeriodKind.MONTH, 2031, 2), date(2031, 2, 22), LifeStatus.DUE),
        (Q1, date(2031, 3, 24), LifeStatus.OPEN),
        (Q1, date(2031, 3, 25), LifeStatus.DUE),
        (Q1, date(2031, 4, 1), LifeStatus.GAP),
        (Period(PeriodKind.QUARTER, 2030, 4), date(2030, 12, 31), LifeStatus.DUE),
        (Period(PeriodKind.QUARTER, 2030, 4), date(2031, 1, 1), LifeStatus.GAP),
    ],
)
def test_period_status_on_a_fixed_clock(period: Period, today: date, status: str) -> None:
    assert period_status(period, held=0, today=today) == status
    assert period_status(period, held=1, today=today) == LifeStatus.HELD


def test_before_the_branch_was_founded_nothing_is_required() -> None:
    assert period_status(MARCH, held=0, today=date(2031, 6, 1), founded_on=date(2031, 4, 1)) == LifeStatus.NOT_REQUIRED
    assert period_status(MARCH, held=0, today=date(2031, 6, 1), founded_on=date(2031, 3, 31)) == LifeStatus.GAP


def test_last_ended() -> None:
    assert last_ended(PeriodKind.MONTH, date(2031, 1, 1)) == Period(PeriodKind.MONTH, 2030, 12)
    assert last_ended(PeriodKind.MONTH, date(2031, 3, 31)) == Period(PeriodKind.MONTH, 2031, 2)
    assert last_ended(PeriodKind.QUARTER, date(2031, 4, 1)) == Q1
    assert last_ended(PeriodKind.QUARTER, date(2031, 3, 31)) == Period(PeriodKind.QUARTER, 2030, 4)


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


def _cells(lives: list[Any], kind: str) -> dict[str, str]:
    (life,) = lives
    (row,) = [row for row in life.rows if row.requirement.kind == kind]
    return {cell.period.code: cell.status for cell in row.cells}


@pytest.mark.django_db
def test_what_counts_as_held(world: ActivityWorld) -> None:
    # Committee meetings: January held, February planned but no minutes, March not at all.
    party_meeting(world, ActivityKind.BRANCH_COMMITTEE_MEETING, starts_at=local("2031-01-15 19:00"))
    party_meeting(world, ActivityKind.BRANCH_COMMITTEE_MEETING, starts_at=local("2031-02-15 19:00"), held=False)
    # Another branch's committee meeting in March does not count for this one.
    party_meeting(
        world, ActivityKind.BRANCH_COMMITTEE_MEETING, starts_at=local("2031-03-05 19:00"), organiser=world.branch2
    )
    # A party group meeting of the branch's group counts; a theme party day on 1 April 00:30 China time is April's.
    party_meeting(world, ActivityKind.PARTY_GROUP_MEETING, starts_at=local("2031-03-31 20:00"), organiser=world.group)
    party_meeting(world, ActivityKind.THEME_PARTY_DAY, starts_at=local("2031-04-01 00:30"))
    party_meeting(world, ActivityKind.BRANCH_GENERAL_MEETING, starts_at=local("2031-02-20 09:00"))
    lives = branch_life([world.branch], year=2031, today=date(2031, 3, 28))
    committee = _cells(lives, ActivityKind.BRANCH_COMMITTEE_MEETING)
    assert (committee["2031-01"], committee["2031-02"], committee["2031-03"], committee["2031-04"]) == (
        LifeStatus.HELD,
        LifeStatus.GAP,
        LifeStatus.DUE,
        LifeStatus.FUTURE,
    )
    groups = _cells(lives, ActivityKind.PARTY_GROUP_MEETING)
    assert (groups["2031-02"], groups["2031-03"]) == (LifeStatus.GAP, LifeStatus.HELD)
    theme = _cells(lives, ActivityKind.THEME_PARTY_DAY)
    assert (theme["2031-03"], theme["2031-04"]) == (LifeStatus.DUE, LifeStatus.HELD)
    general = _cells(lives, ActivityKind.BRANCH_GENERAL_MEETING)
    assert (general["2031-Q1"], general["2031-Q2"]) == (LifeStatus.HELD, LifeStatus.FUTURE)
    lecture = _cells(lives, ActivityKind.PARTY_LECTURE)
    assert lecture["2031-Q1"] == LifeStatus.DUE
    # Gaps: committee Feb; groups Jan, Feb; theme Jan, Feb.
    assert lives[0].gaps == 5
    other = branch_life([world.branch2], year=2031, today=date(2031, 3, 28))
    assert _cells(other, ActivityKind.BRANCH_COMMITTEE_MEETING)["2031-03"] == LifeStatus.HELD


@pytest.mark.django_db
def test_recent_gaps_are_those_of_the_periods_ended_last(world: ActivityWorld) -> None:
    party_meeting(world, ActivityKind.BRANCH_COMMITTEE_MEETING, starts_at=local("2031-03-15 19:00"))
    party_meeting(world, ActivityKind.PARTY_LECTURE, starts_at=local("2031-01-15 19:00"))
    gaps = recent_gaps([world.branch], today=date(2031, 4, 2))
    assert sorted((gap.requirement.kind, gap.period.code) for gap in gaps) == [
        (ActivityKind.BRANCH_GENERAL_MEETING, "2031-Q1"),
        (ActivityKind.PARTY_GROUP_MEETING, "2031-03"),
        (ActivityKind.THEME_PARTY_DAY, "2031-03"),
    ]


@pytest.mark.django_db
def test_the_job_warns_the_community_staff_of_each_gap_once(world: ActivityWorld) -> None:
    colleague = make_staff(role=Role.COMMUNITY_STAFF, place=world.tree.community, username="chunhui2")
    party_meeting(world, ActivityKind.BRANCH_COMMITTEE_MEETING, starts_at=local("2031-03-15 19:00"))
    party_meeting(world, ActivityKind.PARTY_GROUP_MEETING, starts_at=local("2031-03-15 19:00"))
    party_meeting(world, ActivityKind.THEME_PARTY_DAY, starts_at=local("2031-03-15 19:00"))
    party_meeting(world, ActivityKind.BRANCH_GENERAL_MEETING, starts_at=local("2031-02-15 19:00"))
    today = date(2031, 4, 2)
    # This branch misses only its Q1 party lecture; 秋实's branch misses everything.
    assert life_warn_gaps(on=today) == 1 + 5
    texts = list(Notification.objects.filter(recipient=world.staff).values_list("text", flat=True))
    assert len(texts) == 1
    assert "春晖社区第一网格党支部" in texts[0]
    assert "Party lecture" in texts[0]
    assert Notification.objects.filter(recipient=colleague).count() == 1
    assert Notification.objects.filter(recipient=world.staff2).count() == 5
    assert not Notification.objects.filter(recipient__in=[world.grid_worker, world.street_staff]).exists()
    assert LifeGapWarning.objects.count() == 6
    assert life_warn_gaps(on=today) == 0
    assert life_warn_gaps(on=today + timedelta(days=5)) == 0
    assert Notification.objects.count() == 1 + 1 + 5


@pytest.mark.django_db
def test_without_community_staff_the_street_is_told(tree: CityTree) -> None:
    from gridwork.party.models import PartyOrganisation, PartyOrgKind

    street_staff = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    PartyOrganisation.objects.create(code="P-X", name="某支部", kind=PartyOrgKind.BRANCH, place=tree.grid)
    assert life_warn_gaps(on=date(2031, 4, 2)) == 5
    assert Notification.objects.filter(recipient=street_staff).count() == 5
