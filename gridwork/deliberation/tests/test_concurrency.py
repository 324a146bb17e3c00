"""Real threads, each with its own database connection, on committed data: one resident's two votes sent at once
make one vote (the other refused with the clear message); one resident's votes for two proposals sent at once for the
last slot make one; two staff turning one decision into a matter at once file one matter. Must pass on SQLite and on
PostgreSQL (scripts/with-postgres.sh).

"In lockstep", both threads have passed the services' friendly checks (no earlier vote, a slot left) before either
writes, so only the database's unique constraints can tell them apart: without them both votes would be stored."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.deliberation import selectors, services
from gridwork.deliberation.flows import ProgrammeAction
from gridwork.deliberation.models import Deliberation, DeliberationVote, Proposal, ProposalVote
from gridwork.deliberation.services import AlreadyDecided, AlreadyVoted, NotNow
from gridwork.deliberation.services import deliberations as deliberation_services
from gridwork.deliberation.services import programmes as programme_services
from gridwork.deliberation.tests.factories import (
    World,
    close_deliberation,
    make_world,
    open_deliberation,
    open_programme,
    propose,
)
from gridwork.matters.models import Matter
from gridwork.matters.workflow import MatterKind
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)


MODES = ["at once", "in lockstep"]


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _hold_first_call(patch: pytest.MonkeyPatch, module: Any, name: str) -> threading.Barrier:
    """Hold each thread after its first call of ``module.name`` (a read, outside any transaction) until both threads
    have made it; later calls (the services' second look after the database refused) pass straight through."""
    gate = threading.Barrier(2)
    real = getattr(module, name)
    seen = threading.local()

    def then_wait(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            gate.wait(timeout=30)
        return result

    patch.setattr(module, name, then_wait)
    return gate


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("same_option", [True, False])
def test_two_votes_by_one_resident_at_once_make_one(
    world: World, same_option: bool, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliberation = open_deliberation(world)
    options = selectors.options_of(deliberation)
    voter = world.residents[0]
    gates = [_hold_first_call(monkeypatch, deliberation_services, "earlier_vote")] if mode == "in lockstep" else []

    def vote(i: int, _: Any) -> DeliberationVote:
        option = options[0] if same_option else options[i]
        return services.deliberation_vote(
            actor=voter, deliberation=Deliberation.objects.get(pk=deliberation.pk), option=option
        )

    outcomes = race(vote, threads=2, gates=gates)
    cast = [outcome for outcome in outcomes if isinstance(outcome, DeliberationVote)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, AlreadyVoted)]
    assert len(cast) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert "You already voted" in str(refused[0])
    assert DeliberationVote.objects.filter(deliberation=deliberation).count() == 1
    assert DeliberationVote.objects.get().option_id == cast[0].option_id


def test_votes_of_two_residents_at_once_both_count(world: World) -> None:
    deliberation = open_deliberation(world)
    option = selectors.options_of(deliberation)[0]

    def vote(i: int, _: Any) -> DeliberationVote:
        return services.deliberation_vote(actor=world.residents[i], deliberation=deliberation, option=option)

    outcomes = race(vote, threads=2)
    assert all(isinstance(outcome, DeliberationVote) for outcome in outcomes), outcomes
    assert DeliberationVote.objects.count() == 2


@pytest.mark.parametrize("mode", MODES)
def test_two_votes_at_once_for_the_last_slot_make_one(world: World, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    programme = open_programme(world, votes=2)
    proposals = [
        propose(world, programme, world.residents[1], title)
        for title in ("修缮小区路面", "增设休闲座椅", "加装楼道照明")
    ]
    for action in (ProgrammeAction.START_SCREENING,):
        programme.refresh_from_db()
        services.programme_move(
            actor=world.staff, programme=programme, action=action, expected_version=programme.version
        )
    for proposal in proposals:
        proposal.refresh_from_db()
        services.proposal_screen(
            actor=world.staff, proposal=proposal, accept=True, reason="", expected_version=proposal.version
        )
    programme.refresh_from_db()
    services.programme_move(
        actor=world.staff, programme=programme, action=ProgrammeAction.START_VOTING, expected_version=programme.version
    )
    voter = world.residents[0]
    services.proposal_vote(actor=voter, proposal=proposals[0])  # one of two votes used
    gates = [_hold_first_call(monkeypatch, programme_services, "votes_used")] if mode == "in lockstep" else []

    def vote(i: int, _: Any) -> ProposalVote:
        return services.proposal_vote(actor=voter, proposal=Proposal.objects.get(pk=proposals[i + 1].pk))

    outcomes = race(vote, threads=2, gates=gates)
    assert sum(isinstance(outcome, ProposalVote) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, NotNow) for outcome in outcomes) == 1, outcomes
    assert ProposalVote.objects.filter(resident=voter.resident).count() == 2
    assert sorted(ProposalVote.objects.filter(resident=voter.resident).values_list("slot", flat=True)) == [1, 2]


def test_one_decision_turned_into_a_matter_twice_at_once_files_one(world: World) -> None:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    deliberation.refresh_from_db()

    def file(i: int, _: Any) -> Matter:
        return services.deliberation_to_matter(
            actor=world.staff,
            deliberation=Deliberation.objects.get(pk=deliberation.pk),
            building=world.tree.microgrid,
            text=f"议事会决定加装电梯，第{i}次提交。",
            kind=MatterKind.COMMUNITY,
            expected_version=deliberation.version,
        )

    outcomes = race(file, threads=2)
    assert sum(isinstance(outcome, Matter) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, StaleState | AlreadyDecided) for outcome in outcomes) == 1, outcomes
    assert Matter.objects.count() == 1
    deliberation.refresh_from_db()
    assert deliberation.matter == Matter.objects.get()
