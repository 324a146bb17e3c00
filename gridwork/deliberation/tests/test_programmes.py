"""民生实事 through the services: opening a programme, residents' proposals, screening (a rejection's reason public),
the phases, votes (one per proposal, at most N per resident, verified residents of the place only), choosing 1–2 items
within the budget, progress to completion, and scope."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.deliberation import selectors, services
from gridwork.deliberation.flows import ProgrammeAction
from gridwork.deliberation.models import (
    ProgrammePhase,
    ProgressPhoto,
    ProgressUpdate,
    ProposalEvent,
    ProposalState,
    ProposalVote,
)
from gridwork.deliberation.services import AlreadyVoted, NotNow
from gridwork.deliberation.services.programmes import MAX_PROPOSALS_PER_RESIDENT
from gridwork.deliberation.tests.factories import World, make_world, open_programme, propose
from gridwork.matters.photos import clean_photo
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _move(world: World, programme: object, action: str) -> None:
    programme.refresh_from_db()  # type: ignore[attr-defined]
    services.programme_move(
        actor=world.staff,
        programme=programme,  # type: ignore[arg-type]
        action=action,
        expected_version=programme.version,  # type: ignore[attr-defined]
    )


def _screen(world: World, proposal: object, *, accept: bool = True, reason: str = "") -> None:
    proposal.refresh_from_db()  # type: ignore[attr-defined]
    services.proposal_screen(
        actor=world.staff,
        proposal=proposal,  # type: ignore[arg-type]
        accept=accept,
        reason=reason,
        expected_version=proposal.version,  # type: ignore[attr-defined]
    )


def _voting(world: World, titles: tuple[str, ...] = ("修缮小区路面", "增设休闲座椅", "加装楼道照明"), votes: int = 2):  # type: ignore[no-untyped-def]
    programme = open_programme(world, votes=votes)
    proposals = [propose(world, programme, world.residents[i % 3], title) for i, title in enumerate(titles)]
    _move(world, programme, ProgrammeAction.START_SCREENING)
    for proposal in proposals:
        _screen(world, proposal)
    _move(world, programme, ProgrammeAction.START_VOTING)
    programme.refresh_from_db()
    return programme, [selectors.public_proposal_get(p.pk, user=None) for p in proposals]


def test_opening_a_programme_one_per_place_and_year(world: World) -> None:
    programme = open_programme(world, budget=Decimal("300000"))
    assert (programme.state, programme.votes_per_resident, programme.budget) == (
        ProgrammePhase.PROPOSALS,
        2,
        Decimal("300000"),
    )
    with pytest.raises(ValidationError) as refused:
        open_programme(world)
    assert "year" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.programme_open(
            actor=world.staff,
            place=world.tree.grid,
            year=1999,
            title="",
            budget="-5",
            votes_per_resident=11,
            max_chosen=3,
        )
    assert set(refused.value.message_dict) == {"place", "year", "title", "budget", "votes_per_resident", "max_chosen"}
    with pytest.raises(PermissionDenied):
        services.programme_open(
            actor=world.other_staff, place=world.tree.community, year=timezone.localdate().year, title="x"
        )


def test_residents_propose_and_the_staff_are_told(world: World, django_capture_on_commit_callbacks: object) -> None:
    programme = open_programme(world)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        proposal = propose(world, programme, world.residents[0], "修缮小区路面")
    assert (proposal.state, proposal.proposer, proposal.proposer_resident) == (
        ProposalState.SUBMITTED,
        world.residents[0],
        world.residents[0].resident,
    )
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.staff.pk]
    with pytest.raises(PermissionDenied, match="Only residents of 春晖社区"):
        propose(world, programme, world.outsider, "外社区的提议")
    with pytest.raises(PermissionDenied, match="not yet linked"):
        propose(world, programme, world.unverified, "未认证的提议")


def test_a_proposal_refuses_each_bad_field(world: World) -> None:
    programme = open_programme(world)
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(
            actor=world.residents[0],
            programme=programme,
            title="修",
            description="太短",
            estimated_cost="-1",
            location="",
        )
    assert set(refused.value.message_dict) == {"title", "description", "estimated_cost", "location"}


def test_at_most_three_proposals_per_resident(world: World) -> None:
    programme = open_programme(world)
    for n in range(MAX_PROPOSALS_PER_RESIDENT):
        propose(world, programme, world.residents[0], f"提议第{n}项内容")
    with pytest.raises(ValidationError, match="the most one resident may"):
        propose(world, programme, world.residents[0], "再提一项内容")


def test_proposals_only_while_collecting(world: World) -> None:
    programme = open_programme(world)
    _move(world, programme, ProgrammeAction.START_SCREENING)
    with pytest.raises(NotNow):
        propose(world, programme, world.residents[0], "晚到的提议")


def test_screening_a_rejection_needs_a_reason_that_is_public(world: World) -> None:
    programme = open_programme(world)
    proposal = propose(world, programme, world.residents[0], "建地下停车场")
    with pytest.raises(ValidationError) as refused:
        _screen(world, proposal, accept=False, reason="")
    assert "reason" in refused.value.message_dict
    _screen(world, proposal, accept=False, reason="超出社区职权，需由区住建局立项。")
    public = list(selectors.public_proposals(programme, user=None))
    assert [(p.title, p.state, p.screening_reason) for p in public] == [
        ("建地下停车场", ProposalState.REJECTED, "超出社区职权，需由区住建局立项。")
    ]
    with pytest.raises(MoveRefused):
        _screen(world, proposal, accept=True)


def test_unscreened_proposals_are_seen_only_by_their_proposer(world: World) -> None:
    programme = open_programme(world)
    propose(world, programme, world.residents[0], "增设快递柜")
    assert list(selectors.public_proposals(programme, user=None)) == []
    assert list(selectors.public_proposals(programme, user=world.residents[1])) == []
    assert len(selectors.public_proposals(programme, user=world.residents[0])) == 1


def test_the_vote_opens_only_when_everything_is_screened_and_something_accepted(world: World) -> None:
    programme = open_programme(world)
    proposal = propose(world, programme, world.residents[0], "修缮小区路面")
    _move(world, programme, ProgrammeAction.START_SCREENING)
    with pytest.raises(ValidationError, match="still waiting"):
        _move(world, programme, ProgrammeAction.START_VOTING)
    _screen(world, proposal, accept=False, reason="已列入区级改造计划")
    with pytest.raises(ValidationError, match="nothing to vote on"):
        _move(world, programme, ProgrammeAction.START_VOTING)


def test_one_vote_per_proposal_and_at_most_n_per_resident(world: World) -> None:
    programme, proposals = _voting(world, votes=2)
    voter = world.residents[0]
    services.proposal_vote(actor=voter, proposal=proposals[0])
    with pytest.raises(AlreadyVoted):
        services.proposal_vote(actor=voter, proposal=proposals[0])
    services.proposal_vote(actor=voter, proposal=proposals[1])
    with pytest.raises(NotNow, match="used all your 2 votes"):
        services.proposal_vote(actor=voter, proposal=proposals[2])
    assert sorted(ProposalVote.objects.filter(resident=voter.resident).values_list("slot", flat=True)) == [1, 2]
    assert services.votes_used(programme=programme, resident=voter.resident) == 2
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the slots too
        ProposalVote.objects.create(
            programme=programme,
            proposal=proposals[2],
            resident=voter.resident,
            user=voter,
            slot=2,
            cast_at=timezone.now(),
        )


def test_votes_only_by_verified_residents_of_the_place_and_only_while_voting(world: World) -> None:
    programme, proposals = _voting(world)
    with pytest.raises(PermissionDenied, match="Only residents of 春晖社区"):
        services.proposal_vote(actor=world.outsider, proposal=proposals[0])
    with pytest.raises(PermissionDenied):
        services.proposal_vote(actor=world.unverified, proposal=proposals[0])
    with pytest.raises(PermissionDenied):
        services.proposal_vote(actor=world.staff, proposal=proposals[0])
    services.programme_choose(
        actor=world.staff,
        programme=programme,
        chosen=[proposals[0]],
        decision="居民议事会讨论决定。",
        expected_version=programme.version,
    )
    with pytest.raises(NotNow):
        services.proposal_vote(actor=world.residents[0], proposal=proposals[1])


def test_a_street_programme_takes_votes_from_all_its_communities(world: World) -> None:
    programme = open_programme(world, place=world.tree.street)
    proposal = propose(world, programme, world.outsider, "临川街道口增设公交站台")  # 秋实社区 lies in the street
    assert proposal.proposer_resident == world.outsider.resident


def test_choosing_one_or_two_within_the_budget_with_a_decision(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    programme, proposals = _voting(world)
    for voter in world.residents:
        services.proposal_vote(actor=voter, proposal=proposals[1])
    services.proposal_vote(actor=world.residents[0], proposal=proposals[0])
    with pytest.raises(ValidationError) as refused:
        services.programme_choose(
            actor=world.staff, programme=programme, chosen=proposals, decision="", expected_version=programme.version
        )
    assert set(refused.value.message_dict) == {"chosen", "decision"}
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.programme_choose(
            actor=world.staff,
            programme=programme,
            chosen=proposals[:2],
            decision="按得票前两位确定。",
            expected_version=programme.version,
        )
    programme.refresh_from_db()
    assert programme.state == ProgrammePhase.CHOSEN
    assert [fresh.state for fresh in (p.__class__.objects.get(pk=p.pk) for p in proposals)] == [
        ProposalState.CHOSEN,
        ProposalState.CHOSEN,
        ProposalState.NOT_CHOSEN,
    ]
    event = programme.events.get(action="choose")
    assert event.data["votes"] == {str(proposals[0].pk): 1, str(proposals[1].pk): 3, str(proposals[2].pk): 0}
    assert selectors.counts_public(programme)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told >= {world.residents[0].pk, world.residents[1].pk}


def test_choosing_over_the_budget_is_refused(world: World) -> None:
    programme = open_programme(world, budget=Decimal("30000"))
    proposals = [
        propose(world, programme, world.residents[0], "修缮小区路面", cost="20000"),
        propose(world, programme, world.residents[1], "增设休闲座椅", cost="15000"),
    ]
    _move(world, programme, ProgrammeAction.START_SCREENING)
    for proposal in proposals:
        _screen(world, proposal)
    _move(world, programme, ProgrammeAction.START_VOTING)
    programme.refresh_from_db()
    with pytest.raises(ValidationError, match="more than the budget"):
        services.programme_choose(
            actor=world.staff,
            programme=programme,
            chosen=proposals,
            decision="两项都做",
            expected_version=programme.version,
        )


def _png() -> BytesIO:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_progress_to_completion_finishes_the_programme(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    programme, proposals = _voting(world)
    services.programme_choose(
        actor=world.staff,
        programme=programme,
        chosen=[proposals[0]],
        decision="决定",
        expected_version=programme.version,
    )
    item = proposals[0]
    item.refresh_from_db()
    photo = clean_photo(_png(), original_name="road.png")
    services.proposal_progress(
        actor=world.staff,
        proposal=item,
        percent=40,
        note="完成路面铣刨。",
        photos=[photo],
        expected_version=item.version,
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot go back"):
        services.proposal_progress(
            actor=world.staff, proposal=item, percent=30, note="x", expected_version=item.version
        )
    with pytest.raises(StaleState):
        services.proposal_progress(actor=world.staff, proposal=item, percent=50, note="x", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.proposal_progress(
            actor=world.other_staff, proposal=item, percent=50, note="x", expected_version=item.version
        )
    services.proposal_progress(
        actor=world.staff, proposal=item, percent=100, note="铺设完成，验收合格。", expected_version=item.version
    )
    item.refresh_from_db()
    programme.refresh_from_db()
    assert (item.state, item.progress) == (ProposalState.DONE, 100)
    assert programme.state == ProgrammePhase.DONE
    assert programme.done_at is not None
    assert list(ProgressUpdate.objects.values_list("percent", flat=True)) == [40, 100]
    assert ProgressPhoto.objects.count() == 1
    assert [e.action for e in ProposalEvent.objects.filter(subject=item).order_by("sequence")] == [
        "create",
        "accept",
        "choose",
        "progress",
        "complete",
    ]
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ProgressUpdate.objects.update(percent=0)


def test_progress_only_on_chosen_items(world: World) -> None:
    _programme, proposals = _voting(world)
    with pytest.raises(MoveRefused):
        services.proposal_progress(
            actor=world.staff, proposal=proposals[0], percent=10, note="x", expected_version=proposals[0].version
        )


def test_staff_scope_of_programmes(world: World) -> None:
    mine = open_programme(world)
    street = open_programme(world, place=world.tree.street)
    assert list(selectors.programme_list(user=world.staff)) == [mine]
    assert set(selectors.programme_list(user=world.street_staff)) == {mine, street}
    assert list(selectors.programme_list(user=world.other_staff)) == []
    proposal = propose(world, mine, world.residents[0], "增设快递柜")
    with pytest.raises(PermissionDenied):
        services.proposal_screen(
            actor=world.other_staff, proposal=proposal, accept=True, reason="", expected_version=proposal.version
        )
    with pytest.raises(PermissionDenied):
        services.programme_move(
            actor=world.other_staff,
            programme=mine,
            action=ProgrammeAction.START_SCREENING,
            expected_version=mine.version,
        )
