"""What a closed deliberation's decision becomes, once: a matter of the closed loop (linked both ways), a 民生实事
proposal, or a clause of a contract under negotiation; each only after the meeting, by the community's staff, at a
building of the community, on a fresh page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.cobuild.categories import ServiceField
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.contracts.models import Clause, ClauseMenu, ContractParty
from gridwork.contracts.services import ClauseValues, contract_start
from gridwork.contracts.tests.factories import make_unit
from gridwork.deliberation import services
from gridwork.deliberation.models import Deliberation, OutcomeKind, ProposalSource, ProposalState
from gridwork.deliberation.services import AlreadyDecided
from gridwork.deliberation.tests.factories import (
    World,
    close_deliberation,
    make_world,
    open_deliberation,
    open_programme,
)
from gridwork.matters.models import Channel, Matter
from gridwork.matters.workflow import MatterKind
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


@pytest.fixture
def closed(world: World) -> Deliberation:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    deliberation.refresh_from_db()
    return deliberation


def _to_matter(world: World, deliberation: Deliberation, **changes: object) -> Matter:
    values: dict[str, object] = {
        "actor": world.staff,
        "deliberation": deliberation,
        "building": world.tree.microgrid,
        "text": services.matter_text(deliberation),
        "kind": MatterKind.COMMUNITY,
        "expected_version": deliberation.version,
    }
    values.update(changes)
    return services.deliberation_to_matter(**values)  # type: ignore[arg-type]


def test_the_decision_becomes_a_matter_linked_both_ways(world: World, closed: Deliberation) -> None:
    matter = _to_matter(world, closed)
    closed.refresh_from_db()
    assert (closed.outcome, closed.matter) == (OutcomeKind.MATTER, matter)
    matter = Matter.objects.get(pk=matter.pk)
    assert matter.deliberation == closed  # the matter points back
    assert (matter.channel, matter.external_ref, matter.kind) == (Channel.MEETING, closed.number, MatterKind.COMMUNITY)
    assert (matter.community, matter.grid, matter.building) == (
        world.tree.community,
        world.tree.grid,
        world.tree.microgrid,
    )
    assert closed.number in matter.text
    assert "同意加装电梯" in matter.text
    assert matter.filed_by == world.staff
    assert closed.events.get(action="to_matter").data == {"matter": matter.number}


def test_the_decision_becomes_one_thing_once(world: World, closed: Deliberation) -> None:
    _to_matter(world, closed)
    closed.refresh_from_db()
    with pytest.raises(AlreadyDecided):
        _to_matter(world, closed)
    with pytest.raises(AlreadyDecided):
        services.deliberation_to_proposal(
            actor=world.staff,
            deliberation=closed,
            programme=open_programme(world),
            title="加装电梯",
            description="由议事会决定的加装电梯项目",
            estimated_cost="500000",
            location="1号楼",
            expected_version=closed.version,
        )
    assert Matter.objects.count() == 1


def test_a_stale_page_files_no_matter(world: World, closed: Deliberation) -> None:
    with pytest.raises(StaleState):
        _to_matter(world, closed, expected_version=closed.version - 1)
    assert not Matter.objects.exists()


def test_not_before_the_meeting(world: World) -> None:
    deliberation = open_deliberation(world)
    with pytest.raises(MoveRefused):
        _to_matter(world, deliberation)
    assert not Matter.objects.exists()


def test_a_matter_needs_a_building_of_the_community_and_words(world: World, closed: Deliberation) -> None:
    with pytest.raises(ValidationError) as refused:
        _to_matter(world, closed, building=world.other_household.parent, text="短", kind="nonsense")
    assert set(refused.value.message_dict) == {"building", "text", "kind"}
    assert not Matter.objects.exists()


def test_only_the_communitys_staff_turn_it_into_a_matter(world: World, closed: Deliberation) -> None:
    for actor in (world.other_staff, world.grid_worker, world.residents[0]):
        with pytest.raises(PermissionDenied):
            _to_matter(world, closed, actor=actor)
    assert not Matter.objects.exists()


def test_the_decision_becomes_a_proposal_screened_like_any_other(world: World, closed: Deliberation) -> None:
    programme = open_programme(world, budget=Decimal("800000"))
    proposal = services.deliberation_to_proposal(
        actor=world.staff,
        deliberation=closed,
        programme=programme,
        title="1号楼加装电梯",
        description="议事会决定加装电梯，申请列入年度民生实事。",
        estimated_cost="520000",
        location="春晖路1号1号楼",
        expected_version=closed.version,
    )
    closed.refresh_from_db()
    assert closed.outcome == OutcomeKind.PROPOSAL
    assert closed.proposal == proposal  # type: ignore[attr-defined]
    assert (proposal.source, proposal.deliberation, proposal.state, proposal.proposer) == (
        ProposalSource.DELIBERATION,
        closed,
        ProposalState.SUBMITTED,
        None,
    )


def test_a_proposal_needs_a_programme_taking_proposals(world: World, closed: Deliberation) -> None:
    with pytest.raises(ValidationError) as refused:
        services.deliberation_to_proposal(
            actor=world.staff,
            deliberation=closed,
            programme=None,
            title="1号楼加装电梯",
            description="议事会决定加装电梯。",
            estimated_cost="x",
            location="1号楼",
            expected_version=closed.version,
        )
    assert set(refused.value.message_dict) == {"programme", "estimated_cost"}


def test_the_decision_becomes_a_clause_of_a_contract_under_negotiation(world: World, closed: Deliberation) -> None:
    unit = make_unit(world.tree.community, "明川市第一人民医院", "12520100MB0000001X")
    contract = contract_start(actor=world.staff, community=world.tree.community, unit=unit, title="医社共建")
    values = ClauseValues(
        menu=ClauseMenu.SERVICE,
        done_by=ContractParty.UNIT,
        content="每季度为1号楼老人义诊一次",
        due_on=timezone.localdate() + timedelta(days=90),
        measure="4次，每次30人",
        field=ServiceField.HEALTH,
    )
    clause = services.deliberation_to_clause(
        actor=world.staff,
        deliberation=closed,
        contract=contract,
        values=values,
        contract_version=contract.version,
        expected_version=closed.version,
    )
    closed.refresh_from_db()
    assert (closed.outcome, closed.clause) == (OutcomeKind.CLAUSE, clause)
    assert Clause.objects.get(pk=clause.pk).deliberation == closed  # type: ignore[attr-defined]
    assert clause.contract == contract
    assert clause.content == "每季度为1号楼老人义诊一次"


def test_a_clause_only_in_a_contract_of_the_community(world: World, closed: Deliberation) -> None:
    unit = make_unit(world.tree.street, "临川物业公司", "91520100MA0000002Y")
    theirs = contract_start(actor=world.other_staff, community=world.tree.community2, unit=unit, title="物业共建")
    values = ClauseValues(
        menu=ClauseMenu.SERVICE,
        done_by=ContractParty.UNIT,
        content="内容",
        due_on=timezone.localdate(),
        measure="衡量",
        field=ServiceField.HEALTH,
    )
    with pytest.raises(ValidationError) as refused:
        services.deliberation_to_clause(
            actor=world.staff,
            deliberation=closed,
            contract=theirs,
            values=values,
            contract_version=theirs.version,
            expected_version=closed.version,
        )
    assert "contract" in refused.value.message_dict
    assert not Clause.objects.exists()
