"""The demo's dispute resolution (``manage.py demo_mediation``) on the small demo city: a roster per street, this
month's screenings with gaps, cases at every state (an agreement with its PDF and a follow-up due, a referral with its
result), last year's three-zero applications reviewed every way; the histories follow the flows; and a second run
refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.demo.tests.test_demo_volunteering import flow_problems
from gridwork.mediation.flows import case_target
from gridwork.mediation.models import Agreement, CaseState, DisputeCase, FollowUp, Mediator, Referral
from gridwork.places import locating
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening.models import Screening
from gridwork.threezero.flows import APPLICATION_FLOW
from gridwork.threezero.models import Application, ApplicationState

COMMUNITIES = 3


def case_problems(case: DisputeCase) -> list[str]:
    """What is wrong with a case's events: the sequence, each move from the state before it to the state the cases'
    table gives (``case_target``: record-only moves keep the state), the last landing in the case's state."""
    events = list(case.events.order_by("sequence"))
    problems = []
    if [e.sequence for e in events] != list(range(1, len(events) + 1)) or case.version != len(events):
        problems.append(f"{case.pk}: sequences")
    for before, event in itertools.pairwise(events):
        if event.from_state != before.to_state:
            problems.append(f"{case.pk}#{event.sequence}: from {event.from_state}, was {before.to_state}")
        if case_target(event.from_state, event.action, event.data) != event.to_state:
            problems.append(f"{case.pk}#{event.sequence}: {event.action} to {event.to_state}")
    if events and events[-1].to_state != case.state:
        problems.append(f"{case.pk}: ends in {events[-1].to_state}, is {case.state}")
    return problems


@pytest.fixture(scope="class")
def demo_output(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    media: Path = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_mediation", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_every_street_has_a_roster(self) -> None:
        streets = Place.objects.filter(level=PlaceLevel.STREET)
        assert set(Mediator.objects.filter(place__level=PlaceLevel.STREET).values_list("place", flat=True)) == set(
            streets.values_list("pk", flat=True)
        )
        assert Mediator.objects.filter(place__level=PlaceLevel.COMMUNITY).count() == 3 * COMMUNITIES

    def test_this_months_screenings_leave_gaps(self) -> None:
        month = timezone.localdate().replace(day=1)
        screened = Screening.objects.filter(month=month)
        communities = {s.grid.parent_id for s in screened.select_related("grid")}
        grids = Place.objects.filter(level=PlaceLevel.GRID, parent__in=communities)
        assert 0 < screened.count() < grids.count()
        assert screened.filter(found_nothing=False).exists()

    def test_cases_at_every_state(self) -> None:
        assert set(DisputeCase.objects.values_list("state", flat=True)) == set(CaseState.values)
        for case in DisputeCase.objects.all():
            assert case_problems(case) == []

    def test_an_agreement_with_its_pdf_and_a_follow_up_due(self) -> None:
        agreement = Agreement.objects.filter(case__state=CaseState.CONCLUDED).first()
        assert agreement is not None
        assert len(agreement.pdf_sha256) == 64
        assert agreement.pdf.name
        assert FollowUp.objects.filter(due_on__lte=timezone.localdate(), done_on__isnull=True).exists()
        assert FollowUp.objects.filter(done_on__isnull=False, result="performed").exists()

    def test_a_referral_with_its_result_and_one_awaiting(self) -> None:
        assert Referral.objects.exclude(result="").filter(case__state=CaseState.CLOSED).exists()
        assert Referral.objects.filter(result="", case__state=CaseState.REFERRED).exists()

    def test_three_zero_applications_reviewed_every_way(self) -> None:
        last_year = timezone.localdate().year - 1
        applications = Application.objects.filter(year=last_year)
        assert set(applications.values_list("state", flat=True)) == {
            ApplicationState.GRANTED,
            ApplicationState.REFUSED,
            ApplicationState.APPLIED,
        }
        assert applications.filter(state=ApplicationState.GRANTED, overridden=True).exists()
        refused = applications.get(state=ApplicationState.REFUSED)
        assert refused.petitions_count == 1
        for application in applications:
            assert flow_problems(application, APPLICATION_FLOW) == []

    def test_a_second_run_adds_nothing(self, demo_output: str) -> None:
        assert "Dispute cases:" in demo_output
        before = (DisputeCase.objects.count(), Mediator.objects.count(), Application.objects.count())
        output = StringIO()
        call_command("demo_mediation", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
        with pytest.raises(CommandError):
            call_command("demo_mediation", allow_without_debug=True, stdout=StringIO())
        assert (DisputeCase.objects.count(), Mediator.objects.count(), Application.objects.count()) == before
