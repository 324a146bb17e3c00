"""The dispute figures on a built example, each figure worked out here by hand.

The example (2025; the city tree's three grids: ``grid`` and ``grid2`` of the community, ``third`` of community2):

- screenings: February ``grid`` (1 entry found 02-10); March ``grid`` (2 entries found 03-05) and ``third``
  (nothing found); ``grid2`` never.
- cases (registered → concluded, China time):
  A ``grid``     03-02 10:00 → 03-12 10:00 agreement (10 days), session 03-04, agreement signed 03-12, follow-ups
                 03-20 partly and 04-10 performed;
  B ``grid2``    03-03 08:00 → 03-08 20:00 failed (5.5 days), session 03-05, referred 03-09;
  C community    03-10 10:00 → 03-20 10:00 partial (10 days), sessions 03-11 and 03-15, agreement signed 03-20,
                 follow-up 03-25 not performed (no grid known: counts in the community, in no grid);
  D ``grid``     02-20 10:00 → 03-01 10:00 withdrawn (9 days), session 02-25;
  E ``third``    03-15 registered, nothing else;
  F ``grid``     04-02 registered.

March 2025 for the city: found 2; registered A B C E = 4; mediated A B C = 3 (C's two sessions count once; D's was in
February); agreements A C = 2; concluded A B C D = 4, successful A C = 2 → 50.0 %; performed (to 2025-04-30): A = 1;
referrals B = 1; days (10 + 5.5 + 10 + 9) / 4 = 8.625 → 8.6; coverage 2 of 3 grids → 66.7 %.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.analytics.periods import Period, PeriodKind
from gridwork.mediation.figures import dispute_figures, figures_table
from gridwork.mediation.models import (
    Agreement,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    FollowUp,
    MediationSession,
    Outcome,
    Performance,
    ReceivingKind,
    Referral,
)
from gridwork.mediation.tests.factories import CaseWorld, case_world
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree
from gridwork.screening.models import RiskEntry, Screening

pytestmark = pytest.mark.django_db

MARCH = Period.containing(PeriodKind.MONTH, date(2025, 3, 1))
Q1 = Period.containing(PeriodKind.QUARTER, date(2025, 3, 1))
YEAR = Period.containing(PeriodKind.YEAR, date(2025, 3, 1))
TODAY = date(2025, 4, 30)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


class Example:
    def __init__(self, world: CaseWorld) -> None:
        self.world = world
        tree = world.tree
        self.grid, self.grid2, self.community = tree.grid, tree.grid2, tree.community
        self.third = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
        self.number = 0
        self.screen(self.grid, date(2025, 2, 10), entries=1)
        self.screen(self.grid, date(2025, 3, 5), entries=2)
        self.screen(self.third, date(2025, 3, 6), entries=0)

        self.a = self.case(self.grid, at(3, 2), concluded=at(3, 12), outcome=Outcome.AGREEMENT)
        self.session(self.a, at(3, 4))
        agreement_a = self.agreement(self.a, date(2025, 3, 12))
        self.follow_up(agreement_a, date(2025, 3, 20), Performance.PARTLY)
        self.follow_up(agreement_a, date(2025, 4, 10), Performance.PERFORMED)

        self.b = self.case(self.grid2, at(3, 3, 8), concluded=at(3, 8, 20), outcome=Outcome.FAILED)
        self.session(self.b, at(3, 5))
        Referral.objects.create(
            case=self.b,
            receiving_kind=ReceivingKind.COURT,
            receiving_body="东湖区人民法院",
            reason="调解不成",
            referred_by=world.staff,
            referred_at=at(3, 9),
        )
        DisputeCase.objects.filter(pk=self.b.pk).update(state=CaseState.REFERRED, referred=True)

        self.c = self.case(self.community, at(3, 10), concluded=at(3, 20), outcome=Outcome.PARTIAL)
        self.session(self.c, at(3, 11))
        self.session(self.c, at(3, 15))
        agreement_c = self.agreement(self.c, date(2025, 3, 20))
        self.follow_up(agreement_c, date(2025, 3, 25), Performance.NOT_PERFORMED)

        self.d = self.case(self.grid, at(2, 20), concluded=at(3, 1), outcome=Outcome.WITHDRAWN)
        self.session(self.d, at(2, 25))
        self.e = self.case(self.third, at(3, 15))
        self.f = self.case(self.grid, at(4, 2))

    def screen(self, grid: Place, on: date, *, entries: int) -> None:
        screening = Screening.objects.create(
            grid=grid,
            month=on.replace(day=1),
            screened_on=on,
            households_visited=10,
            found_nothing=not entries,
            screened_by=self.world.staff,
        )
        for _index in range(entries):
            RiskEntry.objects.create(
                screening=screening,
                dispute_type=DisputeType.NEIGHBOUR,
                summary="漏水",
                parties="王某",
                location="1号楼",
                found_on=on,
                recorded_by=self.world.staff,
            )

    def case(self, place: Place, registered: datetime, *, concluded: datetime | None = None, outcome: str = "") -> Any:
        self.number += 1
        community = place if place.level == PlaceLevel.COMMUNITY else place.parent
        assert community is not None
        return DisputeCase.objects.create(
            number=f"调-2025-{self.number:06d}",
            title="纠纷",
            dispute_type=DisputeType.NEIGHBOUR,
            facts="事实",
            place=place,
            community=community,
            source=CaseSource.STAFF,
            state=CaseState.CONCLUDED if outcome else CaseState.REGISTERED,
            outcome=outcome,
            concluded_at=concluded,
            registered_by=self.world.staff,
            registered_at=registered,
        )

    def session(self, case: DisputeCase, held: datetime) -> None:
        MediationSession.objects.create(
            case=case, held_at=held, location="调解室", participants="双方", notes="调解", recorded_by=self.world.staff
        )

    def agreement(self, case: DisputeCase, signed: date) -> Agreement:
        return Agreement.objects.create(
            case=case,
            number=f"调协-2025-{case.pk:06d}",
            facts="事实",
            terms="条款",
            performance="一次付清",
            signed_on=signed,
            created_by=self.world.staff,
        )

    def follow_up(self, agreement: Agreement, done: date, result: str) -> None:
        FollowUp.objects.create(agreement=agreement, due_on=done, done_on=done, result=result, done_by=self.world.staff)


@pytest.fixture
def example(tree: CityTree) -> Example:
    return Example(case_world(tree))


def test_march_for_the_city(example: Example) -> None:
    figures = dispute_figures(user=example.world.city_staff, place=example.world.tree.city, period=MARCH, today=TODAY)
    assert figures.disputes_found == 2
    assert figures.cases_registered == 4
    assert figures.mediated == 3
    assert figures.agreements == 2
    assert (figures.concluded, figures.successful, figures.success_rate) == (4, 2, Decimal("50.0"))
    assert (figures.agreements_performed, figures.agreements_followed_up) == (1, 2)
    assert figures.referrals == 1
    assert figures.average_days_to_settle == Decimal("8.6")
    assert (figures.grid_months, figures.grid_months_screened, figures.screening_coverage) == (3, 2, Decimal("66.7"))


def test_performed_is_as_of_today(example: Example) -> None:
    # On 31 March, A's latest follow-up is the one of 20 March: partly performed.
    figures = dispute_figures(
        user=example.world.city_staff, place=example.world.tree.city, period=MARCH, today=date(2025, 3, 31)
    )
    assert (figures.agreements_performed, figures.agreements_followed_up) == (0, 2)


def test_the_quarter_and_the_year(example: Example) -> None:
    city, staff = example.world.tree.city, example.world.city_staff
    quarter = dispute_figures(user=staff, place=city, period=Q1, today=TODAY)
    assert quarter.disputes_found == 3
    assert quarter.cases_registered == 5  # A B C D E
    assert quarter.mediated == 4  # D's February session counts now
    assert (quarter.concluded, quarter.success_rate, quarter.average_days_to_settle) == (
        4,
        Decimal("50.0"),
        Decimal("8.6"),
    )
    # January–March × 3 grids = 9 grid-months; February grid, March grid and third screened.
    assert (quarter.grid_months, quarter.grid_months_screened, quarter.screening_coverage) == (9, 3, Decimal("33.3"))

    year = dispute_figures(user=staff, place=city, period=YEAR, today=TODAY)
    assert year.cases_registered == 6  # F in April
    # Only the months begun by 30 April count: January–April × 3 grids.
    assert (year.grid_months, year.grid_months_screened, year.screening_coverage) == (12, 3, Decimal("25.0"))


def test_the_community_and_its_grids(example: Example) -> None:
    rows = figures_table(user=example.world.staff, area=example.community, period=MARCH, today=TODAY)
    assert [row.place for row in rows] == [example.community, example.grid, example.grid2]
    total, grid, grid2 = (row.figures for row in rows)
    assert rows[0].is_total
    assert not rows[1].is_total
    assert (total.cases_registered, total.mediated, total.agreements, total.concluded) == (3, 3, 2, 4)
    assert (total.referrals, total.success_rate, total.screening_coverage) == (1, Decimal("50.0"), Decimal("50.0"))
    # C has no grid: in the community's row, in no grid's.
    assert (grid.cases_registered, grid.mediated, grid.agreements, grid.concluded) == (1, 1, 1, 2)
    assert (grid.success_rate, grid.average_days_to_settle, grid.screening_coverage) == (
        Decimal("50.0"),
        Decimal("9.5"),
        Decimal("100.0"),
    )
    assert (grid2.cases_registered, grid2.concluded, grid2.success_rate, grid2.referrals) == (1, 1, Decimal("0.0"), 1)
    assert (grid2.average_days_to_settle, grid2.screening_coverage, grid2.disputes_found) == (
        Decimal("5.5"),
        Decimal("0.0"),
        0,
    )


def test_nothing_to_divide_by_is_none(example: Example) -> None:
    rows = figures_table(user=example.world.city_staff, area=example.world.tree.city, period=MARCH, today=TODAY)
    by_place = {row.place: row.figures for row in rows}
    empty = by_place[example.world.tree.district2]
    assert (empty.cases_registered, empty.success_rate, empty.average_days_to_settle, empty.screening_coverage) == (
        0,
        None,
        None,
        None,
    )
    assert by_place[example.world.tree.city].cases_registered == by_place[example.world.tree.district].cases_registered


def test_figures_are_scoped(example: Example) -> None:
    # community2's staff: only their community (E; ``third`` screened in March).
    staff2 = example.world.staff2
    theirs = dispute_figures(user=staff2, place=example.world.tree.city, period=MARCH, today=TODAY)
    assert (theirs.cases_registered, theirs.concluded, theirs.screening_coverage) == (1, 0, Decimal("100.0"))
    worker = dispute_figures(user=example.world.grid_worker, place=example.world.tree.city, period=MARCH, today=TODAY)
    assert (worker.cases_registered, worker.disputes_found, worker.grid_months) == (1, 2, 1)


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_page_shows_the_table_and_the_definitions(example: Example) -> None:
    client = _client(example.world.staff)
    page = client.get(reverse("mediation:figures"), {"period": "month", "on": "2025-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="figures-definitions"' in html
    assert "partial agreement" in html
    total = page.context["table"][0]
    assert total["row"].place == example.community  # the community staff's own unit by default
    cells = {column.key: value for value, column in total["cells"]}
    assert cells["success_rate"] == "50.0%"
    assert cells["average_days_to_settle"] == "8.6"
    assert f'data-place="{example.grid.code}"' in html


def test_a_wrong_period_is_named(example: Example) -> None:
    client = _client(example.world.staff)
    assert client.get(reverse("mediation:figures"), {"period": "week"}).status_code == 400
    refused = client.get(reverse("mediation:figures-export"), {"period": "month", "on": "March"})
    assert refused.status_code == 400
    assert refused.content.decode().startswith("on:")


@pytest.mark.parametrize("who", ["grid_worker2", "staff2", "street2_staff"])
def test_a_unit_outside_the_scope_is_not_found(example: Example, who: str) -> None:
    client = _client(getattr(example.world, who))
    assert client.get(reverse("mediation:figures"), {"place": example.grid.code}).status_code == 404
    assert client.get(reverse("mediation:figures-export"), {"place": example.grid.code}).status_code == 404


def test_the_export_has_the_figures(example: Example) -> None:
    client = _client(example.world.city_staff)
    response = client.get(
        reverse("mediation:figures-export"),
        {"place": example.world.tree.city.code, "period": "month", "on": "2025-03-15"},
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Dispute figures", "Definitions", "About this export"]
    rows = list(workbook["Dispute figures"].iter_rows(values_only=True))
    header, total = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Success rate" in header
    assert total["Unit"] == example.world.tree.city.name
    assert total["Cases registered"] == 4
    assert total["Referrals"] == 1
    assert total["Success rate"] == 50.0
    assert total["Average days to settle"] == 8.6
    assert len(rows) == 4  # the header, the city, then its two districts
