"""诉调对接: a referral needs a receiving body (the form names the field with a 400, the service refuses it on its
field, the database refuses it too); the case moves to referred with its letter; the body's result closes the case or
gives it back to the community; the letter is downloaded only by those who may see the parties in full, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.mediation.models import CaseEvent, CaseState, DisputeCase, ReceivingKind, Referral, ReferralResult
from gridwork.mediation.services.referrals import case_refer, referral_result_record
from gridwork.mediation.tests.factories import (
    NAMES,
    PHONES,
    CaseWorld,
    assigned_case,
    case_world,
    concluded_case,
    fresh,
    register_case,
)
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree


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


def refer(world: CaseWorld, case: DisputeCase | None = None, **fields: Any) -> Referral:
    case = case or register_case(world)
    values: dict[str, Any] = {
        "actor": world.staff,
        "case": case,
        "receiving_kind": ReceivingKind.COURT,
        "receiving_body": "东湖区人民法院",
        "reason": "当事人申请司法确认。",
        "expected_version": case.version,
    }
    values.update(fields)
    return case_refer(**values)


def form_data(case: DisputeCase, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "receiving_kind": ReceivingKind.ARBITRATION,
        "receiving_body": "东湖区劳动人事争议仲裁委员会",
        "reason": "涉及工资争议，需仲裁。",
        "expected_version": case.version,
    }
    data.update(fields)
    return data


# --- the service ------------------------------------------------------------------------------------------------------


def test_a_referral_moves_the_case_and_writes_the_letter(world: CaseWorld) -> None:
    case = assigned_case(world)
    referral = refer(world, case, department=world.tree.department)
    case = fresh(case)
    assert case.state == CaseState.REFERRED
    assert case.referred
    assert referral.letter.name.endswith(".pdf")
    with referral.letter.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
    event = CaseEvent.objects.get(subject=case, sequence=case.version)
    assert event.action == "refer"
    assert event.data["referral"] == referral.pk


@pytest.mark.parametrize("body", ["", "   "])
def test_a_referral_needs_a_receiving_body(world: CaseWorld, body: str) -> None:
    case = register_case(world)
    with pytest.raises(ValidationError) as refused:
        refer(world, case, receiving_body=body)
    assert "receiving_body" in refused.value.message_dict
    assert not Referral.objects.exists()
    assert fresh(case).state == CaseState.REGISTERED


def test_the_database_refuses_a_referral_without_a_receiving_body(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            case=case,
            receiving_kind=ReceivingKind.COURT,
            receiving_body="",
            reason="x",
            referred_by=world.staff,
            referred_at=timezone.now(),
        )


def test_a_referral_needs_a_reason_and_a_department_serving_the_case(world: CaseWorld) -> None:
    elsewhere = Department.objects.create(code="D520103001", name="西山区住建局", place=world.tree.district2)
    with pytest.raises(ValidationError) as refused:
        refer(world, reason="", department=elsewhere)
    assert {"reason", "department"} <= set(refused.value.message_dict)


def test_a_stale_page_or_a_closed_case_refers_nothing(world: CaseWorld) -> None:
    case = assigned_case(world)
    with pytest.raises(StaleState):
        refer(world, case, expected_version=case.version - 1)
    refer(world, case)
    with pytest.raises(MoveRefused):
        refer(world, fresh(case))  # already referred
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("who", ["staff2", "grid_worker", "street2_staff"])
def test_only_the_cases_managers_refer(world: CaseWorld, who: str) -> None:
    case = register_case(world)
    with pytest.raises(PermissionDenied):
        refer(world, case, actor=getattr(world, who))
    assert not Referral.objects.exists()


@pytest.mark.parametrize("result", [ReferralResult.ACCEPTED, ReferralResult.SETTLED])
def test_an_accepted_referral_closes_the_case(world: CaseWorld, result: str) -> None:
    referral = refer(world, concluded_case(world))
    done = referral_result_record(actor=world.staff, referral=referral, result=result, note="")
    assert done.result == result
    assert done.result_at is not None
    case = fresh(referral.case)
    assert case.state == CaseState.CLOSED
    assert case.closed_at is not None


def test_a_refused_referral_needs_a_reason_and_gives_the_case_back(world: CaseWorld) -> None:
    referral = refer(world, assigned_case(world))
    with pytest.raises(ValidationError) as refused:
        referral_result_record(actor=world.staff, referral=referral, result=ReferralResult.REFUSED, note="")
    assert "note" in refused.value.message_dict
    referral_result_record(
        actor=world.staff, referral=referral, result=ReferralResult.REFUSED, note="不属于本院受理范围。"
    )
    case = fresh(referral.case)
    assert case.state == CaseState.REGISTERED
    assert case.mediator is None
    # Referred again elsewhere: only the new referral takes a result, and the old one's result stays.
    again = refer(world, case, receiving_kind=ReceivingKind.PETITION, receiving_body="东湖区信访局")
    with pytest.raises(ValidationError):
        referral_result_record(actor=world.staff, referral=referral, result=ReferralResult.ACCEPTED, note="")
    referral_result_record(actor=world.staff, referral=again, result=ReferralResult.ACCEPTED, note="")
    assert fresh(case).state == CaseState.CLOSED


def test_a_result_is_recorded_once_and_only_by_the_cases_managers(world: CaseWorld) -> None:
    referral = refer(world)
    with pytest.raises(PermissionDenied):
        referral_result_record(actor=world.staff2, referral=referral, result=ReferralResult.ACCEPTED, note="")
    with pytest.raises(ValidationError) as refused:
        referral_result_record(actor=world.staff, referral=referral, result="", note="")
    assert "result" in refused.value.message_dict
    referral_result_record(actor=world.staff, referral=referral, result=ReferralResult.ACCEPTED, note="")
    with pytest.raises(ValidationError):
        referral_result_record(actor=world.staff, referral=referral, result=ReferralResult.REFUSED, note="x")


# --- the pages --------------------------------------------------------------------------------------------------------


def test_the_refer_form_refers(world: CaseWorld) -> None:
    case = register_case(world)
    client = client_for(world.staff)
    url = reverse("mediation:case-refer", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert world.tree.department.name.encode() in page.content
    response = client.post(url, form_data(case, department=world.tree.department.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:case-detail", args=[case.pk])
    assert Referral.objects.get().department == world.tree.department


def test_the_refer_form_names_the_missing_receiving_body(world: CaseWorld) -> None:
    case = register_case(world)
    response = client_for(world.staff).post(
        reverse("mediation:case-refer", args=[case.pk]), form_data(case, receiving_body="")
    )
    assert response.status_code == 400
    assert b'data-testid="error-receiving_body"' in response.content
    assert not Referral.objects.exists()


def test_the_refer_form_on_a_stale_page_is_a_conflict(world: CaseWorld) -> None:
    case = assigned_case(world)
    response = client_for(world.staff).post(
        reverse("mediation:case-refer", args=[case.pk]), form_data(case, expected_version=case.version - 1)
    )
    assert response.status_code == 409
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 403), ("staff2", 404), ("street2_staff", 404)])
def test_the_refer_form_is_out_of_reach_outside_scope(world: CaseWorld, who: str, status: int) -> None:
    case = register_case(world)
    response = client_for(getattr(world, who)).post(reverse("mediation:case-refer", args=[case.pk]), form_data(case))
    assert response.status_code == status
    assert not Referral.objects.exists()


def test_the_letter_is_downloaded_by_the_cases_staff_and_audited(world: CaseWorld) -> None:
    referral = refer(world)
    response = client_for(world.staff).get(reverse("mediation:referral-letter", args=[referral.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="mediation.download_referral_letter", actor=world.staff).count() == 1


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 403), ("staff2", 404), ("street2_staff", 404)])
def test_nobody_else_downloads_the_letter(world: CaseWorld, who: str, status: int) -> None:
    referral = refer(world)
    response = client_for(getattr(world, who)).get(reverse("mediation:referral-letter", args=[referral.pk]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="mediation.download_referral_letter").exists()


def test_the_result_form_records_and_names_a_missing_reason(world: CaseWorld) -> None:
    referral = refer(world)
    url = reverse("mediation:referral-result", args=[referral.pk])
    client = client_for(world.staff)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"result": ReferralResult.REFUSED, "note": ""})
    assert refused.status_code == 400
    assert b'data-testid="error-note"' in refused.content
    assert client.post(url, {"result": ReferralResult.SETTLED, "note": "法院出具调解书。"}).status_code == 302
    assert fresh(referral.case).state == CaseState.CLOSED


@pytest.mark.parametrize(("who", "status"), [("grid_worker", 403), ("staff2", 404), ("street2_staff", 404)])
def test_the_result_form_is_out_of_reach_outside_scope(world: CaseWorld, who: str, status: int) -> None:
    referral = refer(world)
    response = client_for(getattr(world, who)).post(
        reverse("mediation:referral-result", args=[referral.pk]), {"result": ReferralResult.ACCEPTED}
    )
    assert response.status_code == status
    referral.refresh_from_db()
    assert referral.result == ""


def test_the_panel_on_the_case_page_shows_the_referral_without_the_parties(world: CaseWorld) -> None:
    referral = refer(world)
    staff_page = client_for(world.staff).get(reverse("mediation:case-detail", args=[referral.case_id]))
    assert b'data-testid="referral-panel"' in staff_page.content
    assert reverse("mediation:referral-letter", args=[referral.pk]).encode() in staff_page.content
    assert reverse("mediation:referral-result", args=[referral.pk]).encode() in staff_page.content
    grid_page = client_for(world.grid_worker).get(reverse("mediation:case-detail", args=[referral.case_id]))
    assert grid_page.status_code == 200
    assert reverse("mediation:referral-letter", args=[referral.pk]).encode() not in grid_page.content
    for secret in (*NAMES, *PHONES):
        assert secret.encode() not in grid_page.content
