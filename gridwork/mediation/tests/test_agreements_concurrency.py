"""Real threads, each with its own database connection, on committed data: two agreements written for one case at
once make one (the other refused, its PDF not left behind), and one follow-up recorded twice at once is recorded
once. Must pass on SQLite and on PostgreSQL (scripts/with-postgres.sh)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.mediation.models import Agreement, CaseEvent, CaseState, DisputeCase, FollowUp, Performance
from gridwork.mediation.services.agreements import agreement_create, followup_record
from gridwork.mediation.tests.factories import CaseWorld, case_world, fresh, mediating_case
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

REFUSALS = (ValidationError, StaleState, MoveRefused)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def _write(world: CaseWorld, case: DisputeCase, terms: str) -> Agreement:
    today = timezone.localdate()
    return agreement_create(
        actor=world.staff,
        case=DisputeCase.objects.get(pk=case.pk),
        facts=case.facts,
        terms=terms,
        performance="十日内履行。",
        signed_on=today,
        follow_up_on=[today + timedelta(days=7)],
        expected_version=case.version,
    )


def test_two_agreements_for_one_case_at_once_make_one(world: CaseWorld, tmp_path: Path) -> None:
    case = mediating_case(world)
    outcomes = race(lambda i, _: _write(world, case, f"条款{i}"), threads=2)
    written = [outcome for outcome in outcomes if isinstance(outcome, Agreement)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, REFUSALS)]
    assert len(written) == 1, outcomes
    assert len(refused) == 1, outcomes
    agreement = Agreement.objects.get()
    assert agreement.pk == written[0].pk
    assert FollowUp.objects.filter(agreement=agreement).count() == 1
    assert fresh(case).state == CaseState.CONCLUDED
    assert CaseEvent.objects.filter(subject=case, action="conclude").count() == 1
    pdfs = sorted(path.name for path in (tmp_path / "media").rglob("*.pdf"))
    assert pdfs == [Path(agreement.pdf.name).name]


def test_agreements_of_two_cases_at_once_take_two_numbers(world: CaseWorld) -> None:
    cases = [mediating_case(world), mediating_case(world)]
    outcomes = race(lambda i, _: _write(world, cases[i], "条款"), threads=2)
    assert all(isinstance(outcome, Agreement) for outcome in outcomes), outcomes
    assert sorted(Agreement.objects.values_list("number", flat=True)) == [
        f"调协-{timezone.localdate().year}-000001",
        f"调协-{timezone.localdate().year}-000002",
    ]


def test_one_follow_up_recorded_twice_at_once_is_recorded_once(world: CaseWorld) -> None:
    case = mediating_case(world)
    agreement = _write(world, case, "条款")
    follow_up = agreement.follow_ups.get()
    today = timezone.localdate()

    def record(i: int, _: Any) -> FollowUp:
        result = Performance.PERFORMED if i == 0 else Performance.PARTLY
        return followup_record(actor=world.staff, follow_up=follow_up, result=result, note=f"回访{i}", done_on=today)

    outcomes = race(record, threads=2)
    assert sum(isinstance(outcome, FollowUp) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, REFUSALS) for outcome in outcomes) == 1, outcomes
    assert CaseEvent.objects.filter(subject=case, action="follow_up").count() == 1
