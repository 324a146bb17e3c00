"""Staff correct a case's title, type, risk level, facts and place described (``case_update``, ``mediation:case-edit``)
until it is closed: the state stays, the version goes one up, an ``edit`` event keeps each changed field before and
after. Refusals: a wrong field (400 naming it), nothing changed (400), a stale page (409), a closed case (409); scope
attacks: another community's or street's staff 404, a grid worker 403, a resident 403."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.mediation.flows import CaseAction
from gridwork.mediation.models import (
    CaseEvent,
    CaseState,
    DisputeCase,
    DisputeType,
    Outcome,
    PartyRole,
    RiskLevel,
)
from gridwork.mediation.services.applications import case_apply
from gridwork.mediation.services.cases import PartyInput, case_close, case_update
from gridwork.mediation.tests.factories import (
    CaseWorld,
    case_world,
    concluded_case,
    fresh,
    mediating_case,
    register_case,
)
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

NEW_TITLE = "楼上漏水致楼下天花板受损"
NEW_FACTS = "201室卫生间防水层老化，漏水至101室，天花板及墙面受损，双方就维修和赔偿金额争执。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def edit_url(case: DisputeCase) -> str:
    return reverse("mediation:case-edit", args=[case.pk])


def form_data(case: DisputeCase, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": case.version,
        "title": case.title,
        "dispute_type": case.dispute_type,
        "risk": case.risk,
        "facts": case.facts,
        "location": case.location,
    }
    data.update(fields)
    return data


# --- the way it goes ----------------------------------------------------------------------------------------------


def test_staff_correct_an_application_on_the_page(world: CaseWorld, django_capture_on_commit_callbacks: Any) -> None:
    resident = make_resident_user(phone="13700001111", full_name="张三丰")
    case = case_apply(
        resident_user=resident,
        community=world.tree.community,
        dispute_type=DisputeType.OTHER,
        facts="楼上漏水。",
        request_text="请修复。",
        other_party=PartyInput(PartyRole.RESPONDENT, "李四海"),
        applicant_name=resident.full_name,
        applicant_phone=resident.phone or "",
    )
    before = (case.title, case.dispute_type, case.risk, case.facts)
    assert case.risk == RiskLevel.LOW  # as every application arrives
    client = client_for(world.staff)

    detail = client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-edit-link"' in detail
    assert edit_url(case) in detail
    page = client.get(edit_url(case))
    assert page.status_code == 200
    assert 'data-testid="case-edit-form"' in page.content.decode()
    assert before[0] in page.content.decode()  # prefilled with what the case says now

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(case),
            form_data(
                case,
                title=NEW_TITLE,
                dispute_type=DisputeType.NEIGHBOUR,
                risk=RiskLevel.HIGH,
                facts=NEW_FACTS,
                location="春晖路1号1号楼",
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case-detail", args=[case.pk])
    case = fresh(case)
    assert (case.title, case.dispute_type, case.risk, case.facts, case.location) == (
        NEW_TITLE,
        DisputeType.NEIGHBOUR,
        RiskLevel.HIGH,
        NEW_FACTS,
        "春晖路1号1号楼",
    )
    assert case.state == CaseState.REGISTERED
    assert case.version == 2
    event = CaseEvent.objects.get(subject=case, sequence=2)
    assert (event.action, event.from_state, event.to_state) == (
        CaseAction.EDIT,
        CaseState.REGISTERED,
        CaseState.REGISTERED,
    )
    assert event.actor == world.staff
    changed = event.data["changed"]
    assert set(changed) == {"title", "dispute_type", "risk", "facts", "location"}
    assert changed["title"] == {"before": before[0], "after": NEW_TITLE}
    assert changed["risk"] == {"before": RiskLevel.LOW, "after": RiskLevel.HIGH}
    assert changed["dispute_type"] == {"before": DisputeType.OTHER, "after": DisputeType.NEIGHBOUR}
    assert changed["facts"]["before"] == before[3]
    assert changed["location"] == {"before": "", "after": "春晖路1号1号楼"}
    assert "Case details corrected" in client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    assert not Notification.objects.filter(recipient=resident).exists()  # the staff's correction is not news


def test_only_the_changed_fields_are_recorded_and_a_textareas_crlf_is_no_change(world: CaseWorld) -> None:
    case = mediating_case(world)
    response = client_for(world.staff).post(
        edit_url(case), form_data(case, risk=RiskLevel.HIGH, facts=case.facts.replace("\n", "\r\n") + "\r\n")
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.MEDIATING  # a same-state move
    event = CaseEvent.objects.filter(subject=case).order_by("sequence").last()
    assert event is not None
    assert event.data == {"changed": {"risk": {"before": RiskLevel.MEDIUM, "after": RiskLevel.HIGH}}}
    assert "risk level" in event.note


def test_a_concluded_case_can_still_be_corrected(world: CaseWorld) -> None:
    case = concluded_case(world, outcome=Outcome.FAILED)
    case = case_update(actor=world.staff, case=case, expected_version=case.version, title=NEW_TITLE)
    case = fresh(case)
    assert (case.state, case.title, case.outcome) == (CaseState.CONCLUDED, NEW_TITLE, Outcome.FAILED)


def test_the_street_above_may_correct(world: CaseWorld) -> None:
    case = register_case(world)
    response = client_for(world.street_staff).post(edit_url(case), form_data(case, risk=RiskLevel.LOW))
    assert response.status_code == 302
    assert fresh(case).risk == RiskLevel.LOW


# --- refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required"),
        ("title", "x" * 81, "at most 80 characters"),
        ("risk", "extreme", "Select a valid choice"),
        ("dispute_type", "war", "Select a valid choice"),
        ("facts", "", "This field is required"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_changes(world: CaseWorld, field: str, value: str, message: str) -> None:
    case = register_case(world)
    response = client_for(world.staff).post(edit_url(case), form_data(case, **{field: value}))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in page
    assert message in page
    assert fresh(case).version == case.version


def test_the_service_names_the_field_and_refuses_no_change(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(ValidationError) as error:
        case_update(actor=world.staff, case=case, expected_version=case.version, title=" ", risk="extreme")
    assert set(error.value.message_dict) == {"title", "risk"}
    with pytest.raises(ValidationError) as error:
        case_update(actor=world.staff, case=case, expected_version=case.version, title=f" {case.title} ")
    assert "Nothing was changed" in " ".join(error.value.messages)
    response = client_for(world.staff).post(edit_url(case), form_data(case))
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    with pytest.raises(TypeError):
        case_update(actor=world.staff, case=case, expected_version=case.version, state=CaseState.CLOSED)
    assert fresh(case).version == case.version


def test_a_stale_page_answers_409(world: CaseWorld) -> None:
    case = register_case(world)
    stale = case.version
    case_update(actor=world.staff, case=case, expected_version=stale, risk=RiskLevel.HIGH)
    response = client_for(world.staff).post(edit_url(case), form_data(case, version=stale, title=NEW_TITLE))
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    case = fresh(case)
    assert case.title != NEW_TITLE
    assert case.risk == RiskLevel.HIGH
    with pytest.raises(StaleState):
        case_update(actor=world.staff, case=case, expected_version=stale, title=NEW_TITLE)


def test_a_closed_case_is_no_longer_corrected(world: CaseWorld) -> None:
    case = concluded_case(world)
    case = fresh(case_close(actor=world.staff, case=case, expected_version=case.version))
    client = client_for(world.staff)
    response = client.get(edit_url(case))
    assert response.status_code == 409
    assert 'data-testid="case-edit-form"' not in response.content.decode()
    assert (
        'data-testid="case-edit-link"'
        not in client.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    )
    response = client.post(edit_url(case), form_data(case, title=NEW_TITLE))
    assert response.status_code == 409
    with pytest.raises(MoveRefused):
        case_update(actor=world.staff, case=case, expected_version=case.version, title=NEW_TITLE)
    assert fresh(case).title != NEW_TITLE


# --- scope attacks --------------------------------------------------------------------------------------------------


def test_outsiders_get_404_grid_workers_and_residents_403(world: CaseWorld) -> None:
    case = register_case(world)
    data = form_data(case, title=NEW_TITLE)
    for outsider in (world.staff2, world.street2_staff):
        client = client_for(outsider)
        assert client.get(edit_url(case)).status_code == 404, outsider
        assert client.post(edit_url(case), data).status_code == 404, outsider
    # the grid worker of the case's grid sees the case, without the link, and may not correct it
    grid = client_for(world.grid_worker)
    assert (
        'data-testid="case-edit-link"'
        not in grid.get(reverse("mediation:case-detail", args=[case.pk])).content.decode()
    )
    assert grid.get(edit_url(case)).status_code == 403
    assert grid.post(edit_url(case), data).status_code == 403
    resident: User = make_resident_user(phone="13700009999", full_name="赵六")
    assert client_for(resident).post(edit_url(case), data).status_code == 403
    assert Client().post(edit_url(case), data).status_code == 302  # to the sign-in page
    with pytest.raises(PermissionDenied):
        case_update(actor=world.grid_worker, case=case, expected_version=case.version, title=NEW_TITLE)
    with pytest.raises(PermissionDenied):
        case_update(actor=world.staff2, case=case, expected_version=case.version, title=NEW_TITLE)
    case = fresh(case)
    assert case.title != NEW_TITLE
    assert case.version == 1
