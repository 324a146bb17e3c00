"""The demo's deliberation (``manage.py demo_deliberation``) on the small demo city: deliberations at every step in
each community, their decisions filed as a matter and proposed as a project, last year's programme done and this
year's under way; every history follows its flow; and a second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from gridwork.deliberation import selectors
from gridwork.deliberation.flows import DELIBERATION_FLOW, PROGRAMME_FLOW, PROPOSAL_FLOW
from gridwork.deliberation.models import (
    Deliberation,
    DeliberationState,
    OutcomeKind,
    Programme,
    ProgrammePhase,
    ProgressPhoto,
    Proposal,
    ProposalState,
    ProposalVote,
)
from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.demo.tests.test_demo_volunteering import flow_problems
from gridwork.matters.models import Channel
from gridwork.places import locating

COMMUNITIES = 2


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
            call_command("demo_deliberation", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_deliberations_at_every_step(self, demo_output: str) -> None:
        communities = set(Deliberation.objects.values_list("community", flat=True))
        assert len(communities) == COMMUNITIES
        states = list(Deliberation.objects.values_list("state", flat=True))
        assert states.count(DeliberationState.CLOSED) == 2 * COMMUNITIES
        assert states.count(DeliberationState.OPEN) == 2 * COMMUNITIES
        assert states.count(DeliberationState.CANCELLED) == 1
        assert "Deliberations:" in demo_output

    def test_decisions_became_a_matter_and_a_proposal(self) -> None:
        to_matter = Deliberation.objects.filter(outcome=OutcomeKind.MATTER).select_related("matter")
        assert to_matter.count() == COMMUNITIES
        for deliberation in to_matter:
            assert deliberation.matter is not None
            assert (deliberation.matter.channel, deliberation.matter.external_ref) == (
                Channel.MEETING,
                deliberation.number,
            )
        assert Proposal.objects.filter(deliberation__isnull=False).count() == COMMUNITIES

    def test_closed_ones_have_a_tally_and_open_ones_none(self) -> None:
        for deliberation in Deliberation.objects.all():
            rows = selectors.tally(deliberation)
            if deliberation.state == DeliberationState.CLOSED:
                assert rows is not None
                assert sum(row.votes for row in rows) == selectors.turnout(deliberation) > 0
            else:
                assert rows is None

    def test_one_is_due_for_its_meeting_and_reminded(self) -> None:
        due = Deliberation.objects.filter(state=DeliberationState.OPEN, meeting_reminded_at__isnull=False)
        assert due.count() == COMMUNITIES

    def test_programmes_of_last_year_done_and_this_year_under_way(self) -> None:
        programmes = list(Programme.objects.order_by("year", "place__code"))
        assert len(programmes) == 2 * COMMUNITIES
        last_year = [p for p in programmes if p.year == programmes[0].year]
        assert {p.state for p in last_year} == {ProgrammePhase.DONE}
        this_year = [p for p in programmes if p.year != programmes[0].year]
        assert sorted(p.state for p in this_year) == sorted(
            [ProgrammePhase.VOTING] + [ProgrammePhase.PROPOSALS] * (COMMUNITIES - 1)
        )
        for programme in last_year:
            states = list(programme.proposals.values_list("state", flat=True))
            assert states.count(ProposalState.DONE) == 2
            assert states.count(ProposalState.REJECTED) == 1
            assert programme.proposals.get(state=ProposalState.REJECTED).screening_reason
        assert ProgressPhoto.objects.exists()
        assert ProposalVote.objects.exists()

    def test_every_history_follows_its_flow(self) -> None:
        problems: list[str] = []
        for deliberation in Deliberation.objects.all():
            problems += flow_problems(deliberation, DELIBERATION_FLOW)
        for programme in Programme.objects.all():
            problems += flow_problems(programme, PROGRAMME_FLOW)
        for proposal in Proposal.objects.all():
            problems += flow_problems(proposal, PROPOSAL_FLOW)
        assert problems == []

    def test_a_second_run_refuses_or_adds_nothing(self) -> None:
        with pytest.raises(CommandError):
            call_command("demo_deliberation", allow_without_debug=True, stdout=StringIO())
        before = Deliberation.objects.count()
        output = StringIO()
        call_command("demo_deliberation", allow_without_debug=True, if_empty=True, stdout=output)
        assert Deliberation.objects.count() == before
