"""The residents' pages: anyone reads; verified residents of the community vote once (a second vote 409 with the
message), comment and propose; another community's resident and an unverified account are refused with the reason
(403); the tally appears only after the meeting; voters are never named; screened proposals (a rejection with its
reason) are public, unscreened ones only to their proposer; progress photos are public."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from gridwork.accounts.models import User
from gridwork.deliberation import selectors, services
from gridwork.deliberation.flows import ProgrammeAction
from gridwork.deliberation.models import DeliberationComment, DeliberationVote, Proposal, ProposalVote
from gridwork.deliberation.tests.factories import (
    World,
    close_deliberation,
    make_world,
    open_deliberation,
    open_programme,
    propose,
)
from gridwork.matters.photos import clean_photo
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_anyone_reads_a_communitys_deliberations(world: World) -> None:
    deliberation = open_deliberation(world)
    index = client_for(None).get(reverse("deliberation_public:index"), {"community": world.tree.community.code})
    assert index.status_code == 200
    assert deliberation.topic in index.content.decode()
    assert client_for(None).get(reverse("deliberation_public:index"), {"community": "nope"}).status_code == 404
    home = client_for(world.residents[0]).get(reverse("deliberation_public:index"))
    assert deliberation.topic in home.content.decode()  # the resident's own community by default
    page = client_for(None).get(reverse("deliberation_public:detail", args=[deliberation.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "加装电梯" in content
    assert 'data-testid="sign-in"' in content
    assert 'data-testid="vote-form"' not in content


def test_a_verified_resident_votes_once_and_a_second_vote_is_refused_clearly(world: World) -> None:
    deliberation = open_deliberation(world)
    first, second = selectors.options_of(deliberation)[:2]
    client = client_for(world.residents[0])
    page = client.get(reverse("deliberation_public:detail", args=[deliberation.pk]))
    assert 'data-testid="vote-form"' in page.content.decode()
    vote = client.post(reverse("deliberation_public:vote", args=[deliberation.pk]), {"option": first.pk})
    assert vote.status_code == 302
    after = client.get(reverse("deliberation_public:detail", args=[deliberation.pk])).content.decode()
    assert 'data-testid="my-vote"' in after
    assert 'data-testid="vote-form"' not in after
    again = client.post(reverse("deliberation_public:vote", args=[deliberation.pk]), {"option": second.pk})
    assert again.status_code == 409
    assert "You already voted" in again.content.decode()
    assert list(DeliberationVote.objects.values_list("option_id", flat=True)) == [first.pk]


def test_a_vote_without_an_option_is_400(world: World) -> None:
    deliberation = open_deliberation(world)
    response = client_for(world.residents[0]).post(reverse("deliberation_public:vote", args=[deliberation.pk]), {})
    assert response.status_code == 400
    assert 'data-testid="error-option"' in response.content.decode()
    assert not DeliberationVote.objects.exists()


@pytest.mark.parametrize(
    ("who", "reason"), [("outsider", "Only residents of 春晖社区"), ("unverified", "not yet linked")]
)
def test_others_are_refused_with_the_reason(world: World, who: str, reason: str) -> None:
    deliberation = open_deliberation(world)
    client = client_for(getattr(world, who))
    page = client.get(reverse("deliberation_public:detail", args=[deliberation.pk])).content.decode()
    assert 'data-testid="not-taking-part"' in page
    assert reason in page
    response = client.post(
        reverse("deliberation_public:vote", args=[deliberation.pk]),
        {"option": selectors.options_of(deliberation)[0].pk},
    )
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert not DeliberationVote.objects.exists()


def test_anonymous_posts_go_to_sign_in(world: World) -> None:
    deliberation = open_deliberation(world)
    response = client_for(None).post(
        reverse("deliberation_public:vote", args=[deliberation.pk]),
        {"option": selectors.options_of(deliberation)[0].pk},
    )
    assert response.status_code == 302
    assert not DeliberationVote.objects.exists()


def test_the_tally_appears_after_the_meeting_and_voters_are_never_named(world: World) -> None:
    deliberation = open_deliberation(world)
    options = selectors.options_of(deliberation)
    for resident in world.residents:
        services.deliberation_vote(actor=resident, deliberation=deliberation, option=options[0])
    before = client_for(world.residents[0]).get(reverse("deliberation_public:detail", args=[deliberation.pk]))
    assert 'data-testid="tally"' not in before.content.decode()
    assert "data-votes=" not in before.content.decode()
    close_deliberation(world, deliberation)
    after = client_for(None).get(reverse("deliberation_public:detail", args=[deliberation.pk])).content.decode()
    assert 'data-testid="tally"' in after
    assert 'data-position="1" data-votes="3"' in after
    assert 'data-testid="decision"' in after
    for resident in world.residents:
        assert resident.full_name not in after
        assert resident.phone not in after


def test_comments_by_masked_names(world: World) -> None:
    deliberation = open_deliberation(world)
    client = client_for(world.residents[0])
    assert client.post(reverse("deliberation_public:comment", args=[deliberation.pk]), {"text": ""}).status_code == 400
    assert (
        client.post(
            reverse("deliberation_public:comment", args=[deliberation.pk]), {"text": "支持，费用要公开透明。"}
        ).status_code
        == 302
    )
    page = client_for(None).get(reverse("deliberation_public:detail", args=[deliberation.pk])).content.decode()
    assert "支持，费用要公开透明。" in page
    assert "张*芳" in page
    assert "张桂芳" not in page
    outsider = client_for(world.outsider).post(
        reverse("deliberation_public:comment", args=[deliberation.pk]), {"text": "外人意见"}
    )
    assert outsider.status_code == 403
    assert DeliberationComment.objects.count() == 1


# --- 民生实事 ---------------------------------------------------------------------------------------------------------


def test_proposing_from_the_page(world: World) -> None:
    programme = open_programme(world)
    client = client_for(world.residents[0])
    assert client.get(reverse("deliberation_public:propose", args=[programme.pk])).status_code == 200
    bad = client.post(
        reverse("deliberation_public:propose", args=[programme.pk]),
        {"title": "修", "description": "短", "estimated_cost": "-3", "location": ""},
    )
    assert bad.status_code == 400
    assert not Proposal.objects.exists()
    made = client.post(
        reverse("deliberation_public:propose", args=[programme.pk]),
        {
            "title": "增设电动车充电桩",
            "description": "楼道里充电有火灾隐患，建议集中建充电棚。",
            "estimated_cost": "60000",
            "location": "3号楼旁空地",
        },
    )
    assert made.status_code == 302
    proposal = Proposal.objects.get()
    assert made["Location"] == reverse("deliberation_public:proposal", args=[proposal.pk])
    assert client.get(reverse("deliberation_public:proposal", args=[proposal.pk])).status_code == 200
    assert client_for(None).get(reverse("deliberation_public:proposal", args=[proposal.pk])).status_code == 404
    refused = client_for(world.outsider).post(
        reverse("deliberation_public:propose", args=[programme.pk]),
        {"title": "外社区提议", "description": "外社区居民的提议内容。", "estimated_cost": "1", "location": "某处"},
    )
    assert refused.status_code == 403
    assert Proposal.objects.count() == 1


def test_voting_for_proposals_from_the_page_with_the_limit(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    programme = open_programme(world, votes=1)
    proposals = [propose(world, programme, world.residents[1], t) for t in ("修缮小区路面", "建地下停车场")]
    programme.refresh_from_db()
    services.programme_move(
        actor=world.staff,
        programme=programme,
        action=ProgrammeAction.START_SCREENING,
        expected_version=programme.version,
    )
    services.proposal_screen(actor=world.staff, proposal=proposals[0], accept=True, reason="", expected_version=1)
    services.proposal_screen(
        actor=world.staff, proposal=proposals[1], accept=False, reason="超出社区职权。", expected_version=1
    )
    programme.refresh_from_db()
    services.programme_move(
        actor=world.staff, programme=programme, action=ProgrammeAction.START_VOTING, expected_version=programme.version
    )
    client = client_for(world.residents[0])
    page = client.get(reverse("deliberation_public:programme", args=[programme.pk])).content.decode()
    assert "超出社区职权。" in page  # the rejection's reason is public
    assert 'data-testid="votes-left"' in page
    assert 'data-testid="proposal-votes"' not in page  # counts hidden while voting
    assert client.post(reverse("deliberation_public:proposal-vote", args=[proposals[0].pk])).status_code == 302
    again = client.post(reverse("deliberation_public:proposal-vote", args=[proposals[0].pk]))
    assert again.status_code == 409
    rejected = client.post(reverse("deliberation_public:proposal-vote", args=[proposals[1].pk]))
    assert rejected.status_code == 409
    assert ProposalVote.objects.count() == 1
    outsider = client_for(world.outsider).post(reverse("deliberation_public:proposal-vote", args=[proposals[0].pk]))
    assert outsider.status_code == 403
    programme.refresh_from_db()
    services.programme_choose(
        actor=world.staff,
        programme=programme,
        chosen=[proposals[0]],
        decision="决定实施。",
        expected_version=programme.version,
    )
    proposal = Proposal.objects.get(pk=proposals[0].pk)
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    update = services.proposal_progress(
        actor=world.staff,
        proposal=proposal,
        percent=50,
        note="完成一半。",
        photos=[clean_photo(buffer, original_name="half.png")],
        expected_version=proposal.version,
    )
    public = client_for(None)
    page = public.get(reverse("deliberation_public:proposal", args=[proposal.pk])).content.decode()
    assert 'data-testid="progress">50%' in page
    assert "完成一半。" in page
    photo = update.photos.get()
    response = public.get(reverse("deliberation_public:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    listing = public.get(reverse("deliberation_public:programme", args=[programme.pk])).content.decode()
    assert 'data-testid="proposal-votes"' in listing  # counts public once chosen


def _voting(world: World, titles: tuple[str, ...], votes: int = 3) -> tuple[object, list[Proposal]]:
    programme = open_programme(world, votes=votes)
    proposals = [propose(world, programme, world.residents[0], title) for title in titles]
    programme.refresh_from_db()
    services.programme_move(
        actor=world.staff, programme=programme, action=ProgrammeAction.START_SCREENING, expected_version=1
    )
    for proposal in proposals:
        services.proposal_screen(actor=world.staff, proposal=proposal, accept=True, reason="", expected_version=1)
    programme.refresh_from_db()
    services.programme_move(
        actor=world.staff, programme=programme, action=ProgrammeAction.START_VOTING, expected_version=programme.version
    )
    programme.refresh_from_db()
    return programme, proposals


def _listed(page: str, titles: tuple[str, ...]) -> list[str]:
    return sorted(titles, key=page.index)


def test_the_order_of_the_proposals_says_nothing_of_the_votes_until_the_vote_is_over(world: World) -> None:
    titles = ("修缮小区路面", "增设休闲座椅", "加装楼道照明")
    programme, proposals = _voting(world, titles)
    for resident in world.residents:  # the last proposal leads, the second comes next, the first has none
        services.proposal_vote(actor=resident, proposal=proposals[2])
    services.proposal_vote(actor=world.residents[0], proposal=proposals[1])
    url = reverse("deliberation_public:programme", args=[programme.pk])  # type: ignore[attr-defined]
    for viewer in (None, world.residents[0], world.outsider):
        page = client_for(viewer).get(url).content.decode()
        assert _listed(page, titles) == list(titles)  # in the order proposed, not by the votes
        assert 'data-testid="proposal-votes"' not in page
    services.programme_choose(
        actor=world.staff,
        programme=programme,  # type: ignore[arg-type]
        chosen=[proposals[2]],
        decision="按得票选定。",
        expected_version=programme.version,  # type: ignore[attr-defined]
    )
    page = client_for(None).get(url).content.decode()
    assert _listed(page, titles[:2]) == [titles[1], titles[0]]  # once the vote is over: by the votes
    assert 'data-testid="proposal-votes"' in page


def test_a_resident_may_not_flood_the_comments(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from gridwork.deliberation.services import deliberations as deliberation_services

    monkeypatch.setattr(deliberation_services, "MAX_COMMENTS_PER_RESIDENT", 2)
    deliberation = open_deliberation(world)
    url = reverse("deliberation_public:comment", args=[deliberation.pk])
    client = client_for(world.residents[0])
    assert client.post(url, {"text": "第一条意见"}).status_code == 302
    assert client.post(url, {"text": "第二条意见"}).status_code == 302
    flood = client.post(url, {"text": "第三条意见"})
    assert flood.status_code == 409
    assert "the most one resident may" in flood.content.decode()
    assert client_for(world.residents[1]).post(url, {"text": "另一位居民"}).status_code == 302  # others still may
    assert DeliberationComment.objects.filter(deliberation=deliberation).count() == 3
