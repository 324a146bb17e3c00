"""The cases' pages: the list and its filters, registering (400 naming the field; prefilled from a screening entry or
a matter), a case's page, assigning from the suggestions, a session, the outcome, closing, a stale page (409), scope
attacks (another community's staff 404, a grid worker cannot register), and a matter turned into a case in one step
with the link both ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import file_in_building
from gridwork.mediation.models import CaseSource, CaseState, DisputeCase, DisputeType, Outcome, PartyRole
from gridwork.mediation.tests.factories import (
    NAMES,
    PHONES,
    CaseWorld,
    assigned_case,
    case_world,
    concluded_case,
    fresh,
    mediating_case,
    register_case,
)
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def case_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "装修噪音纠纷",
        "dispute_type": DisputeType.NEIGHBOUR,
        "risk": "low",
        "source": CaseSource.APPLICATION,
        "facts": "302室夜间装修，楼下住户多次投诉未果。",
        "location": "春晖路1号",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "12",
        "parties-0-role": PartyRole.APPLICANT,
        "parties-0-name": NAMES[0],
        "parties-0-phone": PHONES[0],
        "parties-1-role": PartyRole.RESPONDENT,
        "parties-1-name": NAMES[1],
        "parties-2-role": PartyRole.OTHER,
        "parties-2-name": "",
    }
    data.update(overrides)
    return data


def test_the_list_shows_the_units_cases_masked_and_filters(world: CaseWorld) -> None:
    case = register_case(world)
    other = register_case(world, title="工资拖欠", dispute_type=DisputeType.LABOUR)
    url = reverse("mediation:case-list")
    response = client_for(world.staff).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert case.number in content
    assert other.number in content
    assert NAMES[0] not in content
    assert "王*国" in content
    response = client_for(world.staff).get(url, {"dispute_type": DisputeType.LABOUR})
    assert other.number in response.content.decode()
    assert case.number not in response.content.decode()
    response = client_for(world.staff).get(url, {"q": "漏水"})
    assert case.number in response.content.decode()
    assert other.number not in response.content.decode()
    response = client_for(world.staff).get(url, {"state": "nonsense"})
    assert response.status_code == 400
    # another community's staff and the sibling street see none of them
    for outsider in (world.staff2, world.street2_staff):
        content = client_for(outsider).get(url).content.decode()
        assert case.number not in content
    # the grid worker of the other grid neither
    assert case.number not in client_for(world.grid_worker2).get(url).content.decode()
    assert case.number in client_for(world.grid_worker).get(url).content.decode()


def test_register_a_case_with_its_parties(world: CaseWorld) -> None:
    client = client_for(world.staff)
    url = reverse("mediation:case-create")
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="case-form"' in response.content.decode()
    response = client.post(url, case_post(place=world.tree.grid2.pk))
    case = DisputeCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case-detail", args=[case.pk])
    assert case.place == world.tree.grid2
    assert case.source == CaseSource.APPLICATION
    assert list(case.parties.values_list("name", "role")) == [(NAMES[0], "applicant"), (NAMES[1], "respondent")]


def test_a_refused_registration_says_which_field_and_why(world: CaseWorld) -> None:
    client = client_for(world.staff)
    url = reverse("mediation:case-create")
    response = client.post(url, case_post(place=world.tree.grid.pk, title=""))
    assert response.status_code == 400
    assert 'data-testid="error-title"' in response.content.decode()
    response = client.post(url, case_post(place=world.tree.grid.pk, **{"parties-1-name": ""}))
    assert response.status_code == 400
    assert "two sides" in response.content.decode()
    response = client.post(url, case_post(place=world.tree.grid.pk, **{"parties-0-phone": "call me"}))
    assert response.status_code == 400
    assert 'data-testid="error-phone"' in response.content.decode()
    # a place outside the user's units is not a choice
    far_grid = world.tree.community2.children.get()
    response = client.post(url, case_post(place=far_grid.pk))
    assert response.status_code == 400
    assert 'data-testid="error-place"' in response.content.decode()
    assert not DisputeCase.objects.exists()


def test_a_grid_worker_cannot_register(world: CaseWorld) -> None:
    client = client_for(world.grid_worker)
    url = reverse("mediation:case-create")
    assert client.get(url).status_code == 403
    assert client.post(url, case_post(place=world.tree.grid.pk)).status_code == 403
    assert not DisputeCase.objects.exists()


def test_register_prefilled_from_a_screening_entry(world: CaseWorld) -> None:
    from gridwork.screening.models import EntryStatus, RiskEntry, Screening

    screening = Screening.objects.create(
        grid=world.tree.grid2,
        month=timezone.localdate().replace(day=1),
        screened_on=timezone.localdate(),
        screened_by=world.grid_worker2,
    )
    entry = RiskEntry.objects.create(
        screening=screening,
        dispute_type=DisputeType.PROPERTY,
        risk="high",
        summary="物业费纠纷，业主拒交物业费",
        parties="业主老赵",
        location="2号楼",
        found_on=timezone.localdate(),
        recorded_by=world.grid_worker2,
    )
    client = client_for(world.staff)
    url = reverse("mediation:case-create")
    response = client.get(url, {"entry": entry.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "物业费纠纷" in content
    assert f'name="entry" value="{entry.pk}"' in content
    response = client.post(url, case_post(place=world.tree.grid2.pk, entry=entry.pk, source=CaseSource.SCREENING))
    assert response.status_code == 302
    case = DisputeCase.objects.get()
    assert case.risk_entry == entry
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REGISTERED
    # another community's staff cannot open it (404)
    assert client_for(world.staff2).get(url, {"entry": entry.pk}).status_code == 404


def test_the_case_page_and_scope(world: CaseWorld) -> None:
    case = register_case(world)
    url = reverse("mediation:case-detail", args=[case.pk])
    response = client_for(world.staff).get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="case-state"' in content
    assert 'data-testid="suggestion-assign"' in content
    assert world.mediator.name in content
    for outsider in (world.staff2, world.street2_staff, world.grid_worker2):
        assert client_for(outsider).get(url).status_code == 404
    # the district and the city see it
    assert client_for(world.district_staff).get(url).status_code == 200
    assert client_for(world.city_staff).get(url).status_code == 200
    # the grid worker of its grid sees it, without the manager's buttons
    content = client_for(world.grid_worker).get(url).content.decode()
    assert 'data-testid="suggestion-assign"' not in content
    assert 'data-testid="party-reveal"' not in content


def test_assign_from_the_suggestions_session_outcome_and_close(world: CaseWorld) -> None:
    case = register_case(world)
    client = client_for(world.staff)
    response = client.post(
        reverse("mediation:case-assign", args=[case.pk]),
        {"mediator": world.mediator.pk, "suggested": "1", "version": case.version},
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.ASSIGNED
    assert case.assignments.get().suggested
    session_url = reverse("mediation:case-session", args=[case.pk])
    assert 'data-testid="session-form"' in client.get(session_url).content.decode()
    response = client.post(
        session_url,
        {
            "version": case.version,
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "location": "春晖社区调解室",
            "participants": "双方当事人、调解员",
            "notes": "双方各自陈述。",
        },
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.MEDIATING
    content = client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="outcome-agreement"' in content
    assert reverse("mediation:agreement-create", args=[case.pk]) in content
    conclude_url = reverse("mediation:case-conclude", args=[case.pk])
    response = client.post(conclude_url, {"version": case.version, "outcome": Outcome.FAILED, "note": ""})
    assert response.status_code == 400
    assert 'data-testid="error-note"' in response.content.decode()
    response = client.post(conclude_url, {"version": case.version, "outcome": Outcome.AGREEMENT, "note": "x"})
    assert response.status_code == 400  # an agreement has its own form
    response = client.post(conclude_url, {"version": case.version, "outcome": Outcome.FAILED, "note": "分歧大"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.outcome == Outcome.FAILED
    response = client.post(reverse("mediation:case-close", args=[case.pk]), {"version": case.version})
    assert response.status_code == 302
    assert fresh(case).state == CaseState.CLOSED


def test_a_stale_page_answers_409(world: CaseWorld) -> None:
    case = register_case(world)
    client = client_for(world.staff)
    stale = case.version
    client.post(reverse("mediation:case-assign", args=[case.pk]), {"mediator": world.mediator.pk, "version": stale})
    response = client.post(
        reverse("mediation:case-assign", args=[case.pk]), {"mediator": world.lawyer.pk, "version": stale}
    )
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    assert fresh(case).mediator == world.mediator
    response = client.post(
        reverse("mediation:case-session", args=[case.pk]),
        {
            "version": stale,
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "location": "调解室",
            "participants": "双方",
            "notes": "x",
        },
    )
    assert response.status_code == 409
    assert not fresh(case).sessions.exists()


def test_closing_without_an_outcome_is_refused_on_the_page(world: CaseWorld) -> None:
    case = mediating_case(world)
    response = client_for(world.staff).post(reverse("mediation:case-close", args=[case.pk]), {"version": case.version})
    assert response.status_code == 409
    assert fresh(case).state == CaseState.MEDIATING


def test_forged_posts_from_outside_are_404_and_change_nothing(world: CaseWorld) -> None:
    case = assigned_case(world)
    respondent = case.parties.get(role="respondent")
    for outsider in (world.staff2, world.street2_staff):
        client = client_for(outsider)
        for name, data in [
            ("mediation:case-assign", {"mediator": world.lawyer.pk, "version": case.version}),
            ("mediation:case-recuse", {"party": respondent.pk, "reason": "x", "version": case.version}),
            ("mediation:case-conclude", {"outcome": Outcome.FAILED, "note": "x", "version": case.version}),
            ("mediation:case-close", {"version": case.version}),
            ("mediation:case-party-add", {"party-role": "other", "party-name": "某人"}),
        ]:
            assert client.post(reverse(name, args=[case.pk]), data).status_code == 404, (outsider, name)
    # a grid worker of the case's grid sees the case but may not act on it
    client = client_for(world.grid_worker)
    assert client.post(reverse("mediation:case-close", args=[case.pk]), {"version": case.version}).status_code == 403
    assert (
        client.post(
            reverse("mediation:case-assign", args=[case.pk]), {"mediator": world.lawyer.pk, "version": case.version}
        ).status_code
        == 403
    )
    case = fresh(case)
    assert case.state == CaseState.ASSIGNED
    assert case.mediator == world.mediator
    assert case.parties.count() == 2


def test_recusal_on_the_page_needs_a_reason(world: CaseWorld) -> None:
    case = assigned_case(world)
    respondent = case.parties.get(role="respondent")
    client = client_for(world.staff)
    url = reverse("mediation:case-recuse", args=[case.pk])
    content = client.get(url).content.decode()
    assert NAMES[1] not in content  # the parties are named masked in the choice
    response = client.post(url, {"party": respondent.pk, "reason": "", "version": case.version})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    response = client.post(url, {"party": respondent.pk, "reason": "与申请人系亲属", "version": case.version})
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.REGISTERED
    content = client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert "与申请人系亲属" in content


def test_a_matter_becomes_a_case_in_one_step_linked_both_ways(world: CaseWorld) -> None:
    receipt = file_in_building(
        world.tree,
        text="楼上邻居家的空调外机滴水到我家阳台，沟通多次没有结果。",
        reporter_name="赵桂芳",
        reporter_phone="13600001111",
    )
    matter = Matter.objects.get(pk=receipt.matter_id)
    client = client_for(world.staff)
    matter_page = reverse("matters:detail", args=[matter.number])
    content = client.get(matter_page).content.decode()
    assert 'data-testid="matter-to-case"' in content
    url = reverse("mediation:case-from-matter", args=[matter.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"dispute_type": DisputeType.NEIGHBOUR, "risk": "low", "title": ""})
    case = DisputeCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case-detail", args=[case.pk])
    assert case.matter == matter
    assert case.source == CaseSource.MATTER
    assert case.place == matter.grid
    assert "空调外机滴水" in case.facts
    applicant = case.parties.get()
    assert applicant.role == "applicant"
    assert applicant.name == "赵桂芳"
    assert applicant.phone == "13600001111"
    # the link both ways
    content = client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert matter.number in content
    content = client.get(matter_page).content.decode()
    assert case.number in content
    assert 'data-testid="matter-to-case"' not in content
    # once only
    response = client.post(url, {"dispute_type": DisputeType.NEIGHBOUR, "risk": "low"})
    assert response.status_code == 400
    assert DisputeCase.objects.count() == 1
    # the other side is added on the case
    response = client.post(
        reverse("mediation:case-party-add", args=[case.pk]),
        {"party-role": "respondent", "party-name": "钱多多", "party-phone": "13600002222"},
    )
    assert response.status_code == 302
    assert case.parties.count() == 2


def test_a_matter_outside_the_users_units_cannot_be_turned(world: CaseWorld) -> None:
    receipt = file_in_building(world.tree, text="邻里之间因停车位发生纠纷")
    matter = Matter.objects.get(pk=receipt.matter_id)
    url = reverse("mediation:case-from-matter", args=[matter.pk])
    assert client_for(world.staff2).get(url).status_code == 404
    assert client_for(world.staff2).post(url, {"dispute_type": "neighbour", "risk": "low"}).status_code == 404
    assert client_for(world.grid_worker).get(url).status_code == 403
    assert not DisputeCase.objects.exists()
    # the grid worker sees the matter but gets no button
    content = client_for(world.grid_worker).get(reverse("matters:detail", args=[matter.number])).content.decode()
    assert 'data-testid="matter-to-case"' not in content


def test_a_concluded_case_offers_close(world: CaseWorld) -> None:
    case = concluded_case(world)
    content = client_for(world.staff).get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-close"' in content
    assert 'data-testid="case-outcome"' in content
