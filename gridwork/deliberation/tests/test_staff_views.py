"""The staff pages: scope (another community's staff get 404 and cannot act; grid workers look but may not act),
the tally never on a page before the meeting closes the deliberation, bad input answered 400 with the field and
nothing saved, stale pages 409, CSRF, and the steps that turn a decision into a matter; the programme pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from gridwork.accounts.models import User
from gridwork.deliberation import selectors, services
from gridwork.deliberation.flows import ProgrammeAction
from gridwork.deliberation.models import (
    Deliberation,
    DeliberationComment,
    DeliberationState,
    MeetingRecord,
    Programme,
    ProgrammePhase,
    ProgressUpdate,
    Proposal,
    ProposalState,
)
from gridwork.deliberation.tests.factories import (
    World,
    close_deliberation,
    make_world,
    open_deliberation,
    open_programme,
    propose,
)
from gridwork.matters.models import Matter
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _vote_all(world: World, deliberation: Deliberation) -> None:
    options = selectors.options_of(deliberation)
    for index, resident in enumerate(world.residents):
        services.deliberation_vote(actor=resident, deliberation=deliberation, option=options[min(index, 1)])


# --- list, create -------------------------------------------------------------------------------------------------


def test_the_list_shows_the_users_units_only(world: World) -> None:
    mine = open_deliberation(world)
    theirs = open_deliberation(world, community=world.tree.community2, actor=world.other_staff)
    page = client_for(world.staff).get(reverse("deliberation:list"))
    assert page.status_code == 200
    assert mine.number in page.content.decode()
    assert theirs.number not in page.content.decode()
    assert client_for(world.grid_worker).get(reverse("deliberation:list")).status_code == 200


def test_residents_and_anonymous_do_not_get_the_staff_pages(world: World) -> None:
    deliberation = open_deliberation(world)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.get(reverse("deliberation:detail", args=[deliberation.pk])).status_code == 302
    resident = Client(HTTP_ACCEPT_LANGUAGE="en")
    resident.force_login(world.residents[0])
    assert resident.get(reverse("deliberation:detail", args=[deliberation.pk])).status_code == 403


def test_opening_from_the_form(world: World) -> None:
    client = client_for(world.staff)
    assert client.get(reverse("deliberation:create")).status_code == 200
    now = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        reverse("deliberation:create"),
        {
            "community": world.tree.community.pk,
            "topic": "小区停车位如何分配",
            "background": "小区新增20个停车位，需要确定分配办法。",
            "options": "按登记先后\n摇号分配\n\n优先老弱病残",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "comments_allowed": "on",
        },
    )
    deliberation = Deliberation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deliberation:detail", args=[deliberation.pk])
    assert [o.text for o in selectors.options_of(deliberation)] == ["按登记先后", "摇号分配", "优先老弱病残"]


def test_a_bad_opening_answers_400_naming_the_fields_and_saves_nothing(world: World) -> None:
    now = timezone.localtime()
    response = client_for(world.staff).post(
        reverse("deliberation:create"),
        {
            "community": world.tree.community.pk,
            "topic": "停车",
            "background": "背景",
            "options": "只有一个选项",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-testid="error-options"' in content
    assert 'data-testid="error-closes_at"' in content
    assert not Deliberation.objects.exists()


def test_a_community_outside_the_users_units_is_not_a_choice(world: World) -> None:
    now = timezone.localtime()
    response = client_for(world.staff).post(
        reverse("deliberation:create"),
        {
            "community": world.tree.community2.pk,
            "topic": "停车",
            "background": "背景",
            "options": "甲\n乙",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-community"' in response.content.decode()
    assert not Deliberation.objects.exists()


def test_grid_workers_may_not_open(world: World) -> None:
    assert client_for(world.grid_worker).get(reverse("deliberation:create")).status_code == 403


def test_posts_need_the_csrf_token(world: World) -> None:
    deliberation = open_deliberation(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(world.staff)
    response = client.post(reverse("deliberation:cancel", args=[deliberation.pk]), {"reason": "x", "version": 1})
    assert response.status_code == 403
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN


# --- detail: the tally stays hidden -------------------------------------------------------------------------------


def test_the_tally_is_not_on_the_staff_page_before_the_meeting(world: World) -> None:
    deliberation = open_deliberation(world)
    _vote_all(world, deliberation)
    page = client_for(world.street_staff).get(reverse("deliberation:detail", args=[deliberation.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="turnout">3<' in content
    assert 'data-testid="tally"' not in content
    assert 'data-testid="tally-hidden"' in content
    assert "data-votes=" not in content
    close_deliberation(world, deliberation, position=2)
    content = (
        client_for(world.street_staff).get(reverse("deliberation:detail", args=[deliberation.pk])).content.decode()
    )
    assert 'data-testid="tally"' in content
    assert 'data-position="1" data-votes="1"' in content
    assert 'data-position="2" data-votes="2"' in content


def test_another_communitys_staff_get_404_and_cannot_act(world: World) -> None:
    deliberation = open_deliberation(world)
    client = client_for(world.other_staff)
    assert client.get(reverse("deliberation:detail", args=[deliberation.pk])).status_code == 404
    assert client.get(reverse("deliberation:close", args=[deliberation.pk])).status_code == 404
    forged = client.post(
        reverse("deliberation:close", args=[deliberation.pk]),
        {
            "version": deliberation.version,
            "held_on": timezone.localdate().isoformat(),
            "participants_count": 5,
            "participants": "冒充",
            "decision": "冒充的决定",
        },
    )
    assert forged.status_code == 404
    assert (
        client.post(reverse("deliberation:cancel", args=[deliberation.pk]), {"reason": "x", "version": 1}).status_code
        == 404
    )
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN


def test_grid_workers_read_their_communitys_deliberations_and_act_on_none(world: World) -> None:
    deliberation = open_deliberation(world)
    theirs = open_deliberation(world, community=world.tree.community2, actor=world.other_staff)
    client = client_for(world.grid_worker)
    page = client.get(reverse("deliberation:detail", args=[deliberation.pk]))
    assert page.status_code == 200
    for name in ("close", "cancel", "comment"):
        assert reverse(f"deliberation:{name}", args=[deliberation.pk]) not in page.content.decode(), name
    assert client.get(reverse("deliberation:detail", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("deliberation:cancel", args=[deliberation.pk]), {"reason": "x", "version": 1}).status_code
        == 403
    )
    assert client.post(reverse("deliberation:comment", args=[deliberation.pk]), {"text": "x"}).status_code == 403
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN
    assert not deliberation.comments.exists()


# --- closing ------------------------------------------------------------------------------------------------------


def _close_data(deliberation: Deliberation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": deliberation.version,
        "held_on": timezone.localdate().isoformat(),
        "participants_count": 21,
        "participants": "居民代表16人、社区两委、物业",
        "decision": "采用摇号分配。",
        "chosen_option": deliberation.options.get(position=2).pk,
    }
    data.update(changes)
    return data


def test_closing_from_the_form(world: World) -> None:
    deliberation = open_deliberation(world)
    client = client_for(world.staff)
    assert client.get(reverse("deliberation:close", args=[deliberation.pk])).status_code == 200
    response = client.post(reverse("deliberation:close", args=[deliberation.pk]), _close_data(deliberation))
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.CLOSED
    assert MeetingRecord.objects.get().chosen_option == deliberation.options.get(position=2)


def test_a_bad_close_answers_400_and_a_stale_one_409(world: World) -> None:
    deliberation = open_deliberation(world)
    client = client_for(world.staff)
    bad = client.post(
        reverse("deliberation:close", args=[deliberation.pk]),
        _close_data(deliberation, participants_count=0, decision="", held_on="2000-13-01"),
    )
    assert bad.status_code == 400
    for field in ("participants_count", "decision", "held_on"):
        assert f'data-testid="error-{field}"' in bad.content.decode()
    stale = client.post(
        reverse("deliberation:close", args=[deliberation.pk]),
        _close_data(deliberation, version=deliberation.version + 5),
    )
    assert stale.status_code == 409
    assert 'data-testid="refusal"' in stale.content.decode()
    assert not MeetingRecord.objects.exists()
    close_deliberation(world, deliberation)
    again = client.post(reverse("deliberation:close", args=[deliberation.pk]), _close_data(deliberation))
    assert again.status_code == 409


def test_cancelling_needs_a_reason(world: World) -> None:
    deliberation = open_deliberation(world)
    client = client_for(world.staff)
    response = client.post(reverse("deliberation:cancel", args=[deliberation.pk]), {"version": deliberation.version})
    assert response.status_code == 400
    response = client.post(
        reverse("deliberation:cancel", args=[deliberation.pk]),
        {"version": deliberation.version, "reason": "与业委会议题重复"},
    )
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.CANCELLED


def test_comments_answered_and_hidden_by_the_staff(world: World) -> None:
    deliberation = open_deliberation(world)
    comment = services.deliberation_comment(
        actor=world.residents[0], deliberation=deliberation, text="电话13812345678找我"
    )
    client = client_for(world.staff)
    response = client.post(reverse("deliberation:comment", args=[deliberation.pk]), {"text": "社区会公开测算。"})
    assert response.status_code == 302
    missing = client.post(reverse("deliberation:comment-hide", args=[deliberation.pk, comment.pk]), {"reason": ""})
    assert missing.status_code == 400
    hidden = client.post(
        reverse("deliberation:comment-hide", args=[deliberation.pk, comment.pk]), {"reason": "含有电话号码"}
    )
    assert hidden.status_code == 302
    page = client.get(reverse("deliberation:detail", args=[deliberation.pk])).content.decode()
    assert "13812345678" not in page
    assert "含有电话号码" in page
    assert DeliberationComment.objects.filter(author=world.staff).count() == 1
    assert (
        client_for(world.other_staff)
        .post(reverse("deliberation:comment-hide", args=[deliberation.pk, comment.pk]), {"reason": "x"})
        .status_code
        == 404
    )


# --- the decision becomes a matter --------------------------------------------------------------------------------


def test_turning_the_decision_into_a_matter_from_the_page(world: World) -> None:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    deliberation.refresh_from_db()
    client = client_for(world.staff)
    form = client.get(reverse("deliberation:to-matter", args=[deliberation.pk]))
    assert form.status_code == 200
    assert world.tree.microgrid.name in form.content.decode()
    bad = client.post(
        reverse("deliberation:to-matter", args=[deliberation.pk]),
        {
            "version": deliberation.version,
            "building": world.other_household.parent_id,
            "kind": "community",
            "text": "x",
        },
    )
    assert bad.status_code == 400
    assert not Matter.objects.exists()
    response = client.post(
        reverse("deliberation:to-matter", args=[deliberation.pk]),
        {
            "version": deliberation.version,
            "building": world.tree.microgrid.pk,
            "kind": "community",
            "text": "议事会决定1号楼加装电梯，请社区向街道申报。",
        },
    )
    assert response.status_code == 302
    matter = Matter.objects.get()
    page = client.get(reverse("deliberation:detail", args=[deliberation.pk])).content.decode()
    assert 'data-testid="outcome-matter"' in page
    assert matter.number in page
    again = client.post(
        reverse("deliberation:to-matter", args=[deliberation.pk]),
        {
            "version": deliberation.version + 1,
            "building": world.tree.microgrid.pk,
            "kind": "community",
            "text": "再来一次的事项",
        },
    )
    assert again.status_code == 409
    assert Matter.objects.count() == 1


def test_the_outcome_steps_are_not_for_other_communities(world: World) -> None:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    client = client_for(world.other_staff)
    for name in ("deliberation:to-matter", "deliberation:to-proposal", "deliberation:to-clause"):
        assert client.get(reverse(name, args=[deliberation.pk])).status_code == 404


def test_the_proposal_and_clause_forms_open(world: World) -> None:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    open_programme(world)
    client = client_for(world.staff)
    assert client.get(reverse("deliberation:to-proposal", args=[deliberation.pk])).status_code == 200
    clause = client.get(reverse("deliberation:to-clause", args=[deliberation.pk]))
    assert clause.status_code == 200
    assert 'data-testid="no-contract"' in clause.content.decode()


# --- programmes ---------------------------------------------------------------------------------------------------


def _png(name: str = "progress.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (80, 60), (40, 160, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_programme_through_its_pages(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    client = client_for(world.staff)
    assert client.get(reverse("deliberation:programme-create")).status_code == 200
    bad = client.post(
        reverse("deliberation:programme-create"),
        {"place": world.tree.community.pk, "year": 1990, "title": "", "votes_per_resident": 0, "max_chosen": 2},
    )
    assert bad.status_code == 400
    created = client.post(
        reverse("deliberation:programme-create"),
        {
            "place": world.tree.community.pk,
            "year": timezone.localdate().year,
            "title": "春晖社区民生实事",
            "budget": "200000",
            "votes_per_resident": 2,
            "max_chosen": 1,
        },
    )
    assert created.status_code == 302
    programme = Programme.objects.get()
    proposals = [propose(world, programme, world.residents[i], title) for i, title in enumerate(("修路面", "装路灯"))]
    move = reverse("deliberation:programme-move", args=[programme.pk])
    assert (
        client.post(move, {"version": programme.version, "action": ProgrammeAction.START_SCREENING}).status_code == 302
    )
    screen = reverse("deliberation:proposal-screen", args=[proposals[1].pk])
    no_reason = client.post(screen, {"version": proposals[1].version, "decision": "reject", "reason": ""})
    assert no_reason.status_code == 400
    assert (
        client.post(
            screen, {"version": proposals[1].version, "decision": "reject", "reason": "已纳入市政计划"}
        ).status_code
        == 302
    )
    accept = reverse("deliberation:proposal-screen", args=[proposals[0].pk])
    assert client.post(accept, {"version": proposals[0].version, "decision": "accept"}).status_code == 302
    programme.refresh_from_db()
    early = client.post(move, {"version": programme.version, "action": ProgrammeAction.FINISH})
    assert early.status_code == 409
    assert client.post(move, {"version": programme.version, "action": ProgrammeAction.START_VOTING}).status_code == 302
    services.proposal_vote(actor=world.residents[2], proposal=proposals[0])
    programme.refresh_from_db()
    page = client.get(reverse("deliberation:programme-detail", args=[programme.pk]))
    assert 'data-testid="choose-form"' in page.content.decode()
    choose = reverse("deliberation:programme-choose", args=[programme.pk])
    assert client.post(choose, {"version": programme.version, "decision": ""}).status_code == 400
    assert (
        client.post(
            choose, {"version": programme.version, "chosen": [proposals[0].pk], "decision": "得票最多，决定实施。"}
        ).status_code
        == 302
    )
    proposal = Proposal.objects.get(pk=proposals[0].pk)
    assert proposal.state == ProposalState.CHOSEN
    progress = reverse("deliberation:proposal-progress", args=[proposal.pk])
    broken = client.post(
        progress,
        {
            "version": proposal.version,
            "percent": 30,
            "note": "开工",
            "photos": SimpleUploadedFile("x.png", b"not a photo", content_type="image/png"),
        },
    )
    assert broken.status_code == 400
    assert not ProgressUpdate.objects.exists()
    done = client.post(progress, {"version": proposal.version, "percent": 100, "note": "完工验收。", "photos": _png()})
    assert done.status_code == 302
    programme.refresh_from_db()
    assert programme.state == ProgrammePhase.DONE
    photo = ProgressUpdate.objects.get().photos.get()
    assert client.get(reverse("deliberation:photo", args=[photo.pk])).status_code == 200
    assert client_for(world.other_staff).get(reverse("deliberation:photo", args=[photo.pk])).status_code == 404
    export = client.get(reverse("deliberation:programme-export", args=[programme.pk]))
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[0] for row in rows[1:]} == {"修路面", "装路灯"}
    assert "张桂芳" not in str(rows)  # the proposer masked


def test_programme_pages_are_scoped(world: World) -> None:
    programme = open_programme(world, budget=Decimal("1000"))
    proposal = propose(world, programme, world.residents[0], "增设快递柜")
    client = client_for(world.other_staff)
    assert client.get(reverse("deliberation:programme-detail", args=[programme.pk])).status_code == 404
    assert client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("deliberation:programme-export", args=[programme.pk])).status_code == 404
    assert (
        client.post(
            reverse("deliberation:proposal-screen", args=[proposal.pk]), {"version": 1, "decision": "accept"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("deliberation:programme-move", args=[programme.pk]), {"version": 1, "action": "start_screening"}
        ).status_code
        == 404
    )
    assert client_for(world.staff).get(reverse("deliberation:programme-list")).status_code == 200
