"""A resident who applied for mediation online is told of each step of their case — a mediator assigned or replaced,
a session, the outcome, a referral and its result, closing — after commit, with the step and the case's number only
(no staff names, no notes, no other party) and a link to their own page of the case; nothing for a case staff
registered, for a move rolled back, for the resident's own withdrawal or the staff's bookkeeping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.mediation.models import CaseSource, DisputeCase, DisputeType, Outcome, PartyRole, ReceivingKind
from gridwork.mediation.services.agreements import agreement_create, followup_record
from gridwork.mediation.services.applicant_news import applicant_news
from gridwork.mediation.services.applications import application_withdraw, case_apply
from gridwork.mediation.services.cases import (
    PartyInput,
    case_close,
    case_conclude,
    case_update,
    mediator_assign,
    mediator_recuse,
    session_record,
)
from gridwork.mediation.services.referrals import case_refer, referral_result_record
from gridwork.mediation.tests.factories import CaseWorld, case_world, fresh, mediating_case
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

APPLICANT_NAME = "张三丰"
OTHER_NAME = "李四海"
SESSION_NOTES = "双方同意调解，初步商定维修方案。"
OUTCOME_NOTE = "对方明确拒绝继续调解。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


@pytest.fixture
def resident(db: None) -> User:
    return make_resident_user(phone="13700001111", full_name=APPLICANT_NAME)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a service as its own committed transaction would: its after-commit callbacks run."""

    def run(call: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def apply(world: CaseWorld, resident: User) -> DisputeCase:
    return case_apply(
        resident_user=resident,
        community=world.tree.community,
        dispute_type=DisputeType.NEIGHBOUR,
        facts="楼上卫生间漏水至我家。",
        request_text="请楼上修复防水。",
        other_party=PartyInput(PartyRole.RESPONDENT, OTHER_NAME, phone="13700002222"),
        applicant_name=resident.full_name,
        applicant_phone=resident.phone or "",
    )


def told(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def assign(world: CaseWorld, case: DisputeCase, mediator: Any = None) -> DisputeCase:
    case = fresh(case)
    return mediator_assign(
        actor=world.staff, case=case, mediator=mediator or world.mediator, expected_version=case.version
    )


def hold_session(world: CaseWorld, case: DisputeCase) -> None:
    case = fresh(case)
    session_record(
        actor=world.staff,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        location="春晖社区调解室",
        participants=f"{APPLICANT_NAME}、{OTHER_NAME}、调解员老周",
        notes=SESSION_NOTES,
        expected_version=case.version,
    )


def refer(world: CaseWorld, case: DisputeCase) -> Any:
    case = fresh(case)
    return case_refer(
        actor=world.staff,
        case=case,
        receiving_kind=ReceivingKind.COURT,
        receiving_body="东湖区人民法院",
        reason="当事人申请司法确认。",
        expected_version=case.version,
    )


def assert_plain(notification: Notification, world: CaseWorld, case: DisputeCase) -> None:
    """The step and the number, a link to the resident's own page; nobody's name and no note."""
    assert case.number in notification.text
    assert notification.url == reverse("mediation_resident:detail", args=[case.pk])
    for secret in (
        world.staff.full_name,
        world.mediator.name,
        APPLICANT_NAME,
        OTHER_NAME,
        SESSION_NOTES,
        OUTCOME_NOTE,
        "东湖区人民法院",
    ):
        assert secret not in notification.text


def test_the_applicant_is_told_each_step_to_the_close(world: CaseWorld, resident: User, commit: Any) -> None:
    case = commit(lambda: apply(world, resident))
    assert told(resident) == []  # applying is their own step: the community is told, not them

    commit(lambda: assign(world, case))
    commit(lambda: assign(world, case, world.lawyer))
    commit(lambda: hold_session(world, case))
    current = fresh(case)
    commit(
        lambda: case_conclude(
            actor=world.staff,
            case=current,
            outcome=Outcome.FAILED,
            note=OUTCOME_NOTE,
            expected_version=current.version,
        )
    )
    current = fresh(case)
    commit(lambda: case_close(actor=world.staff, case=current, expected_version=current.version))

    notes = told(resident)
    assert [n.text for n in notes] == [
        f"A mediator was assigned to your application for mediation {case.number}.",
        f"Your application for mediation {case.number} has a new mediator.",
        f"A mediation session of your case {case.number} was recorded.",
        f"The mediation of your case {case.number} is concluded: Mediation failed.",
        f"Your case {case.number} is closed.",
    ]
    for notification in notes:
        assert_plain(notification, world, case)


def test_an_agreement_is_told_with_its_outcome_after_its_transaction(
    world: CaseWorld, resident: User, commit: Any
) -> None:
    case = apply(world, resident)
    assign(world, case)
    hold_session(world, case)
    current = fresh(case)
    Notification.objects.filter(recipient=resident).delete()
    commit(
        lambda: agreement_create(
            actor=world.staff,
            case=current,
            facts=current.facts,
            terms="楼上住户于十日内修复防水层。",
            performance="十日内履行完毕。",
            signed_on=timezone.localdate(),
            follow_up_on=[timezone.localdate()],
            expected_version=current.version,
        )
    )
    (notification,) = told(resident)
    assert notification.text == f"The mediation of your case {case.number} is concluded: Agreement reached."
    assert_plain(notification, world, case)

    # a follow-up of the agreement is the community's bookkeeping: not announced
    follow_up = fresh(case).agreement.follow_ups.get()
    commit(
        lambda: followup_record(
            actor=world.staff, follow_up=follow_up, result="performed", note="", done_on=timezone.localdate()
        )
    )
    assert len(told(resident)) == 1


def test_a_referral_and_its_results_are_told(world: CaseWorld, resident: User, commit: Any) -> None:
    case = commit(lambda: apply(world, resident))
    referral = commit(lambda: refer(world, case))
    commit(
        lambda: referral_result_record(actor=world.staff, referral=referral, result="refused", note="不属于受理范围。")
    )
    referral = commit(lambda: refer(world, case))
    commit(lambda: referral_result_record(actor=world.staff, referral=referral, result="settled", note=""))
    assert [n.text for n in told(resident)] == [
        f"Your case {case.number} was referred to a body that can decide it; it will contact you.",
        f"The body your case {case.number} was referred to did not accept it; the community takes it up again.",
        f"Your case {case.number} was referred to a body that can decide it; it will contact you.",
        f"The result of the referral of your case {case.number} was recorded; the case is closed.",
    ]
    for notification in told(resident):
        assert_plain(notification, world, case)
        assert "不属于受理范围" not in notification.text


def test_nothing_for_a_case_staff_registered(world: CaseWorld, resident: User, commit: Any) -> None:
    case = commit(lambda: mediating_case(world))
    current = fresh(case)
    commit(
        lambda: case_conclude(
            actor=world.staff, case=current, outcome=Outcome.FAILED, note="x", expected_version=current.version
        )
    )
    assert not Notification.objects.filter(url__startswith="/mediation/").exists()
    # an application's source with a staff account as registrar is not a resident's application either
    DisputeCase.objects.filter(pk=case.pk).update(source=CaseSource.APPLICATION)
    assert applicant_news(fresh(case), action="close", actor=world.staff) is False


def test_a_move_rolled_back_tells_nobody(world: CaseWorld, resident: User, commit: Any) -> None:
    case = apply(world, resident)

    def assign_then_fail() -> None:
        with transaction.atomic():
            assign(world, case)
            raise RuntimeError("the rest of the transaction failed")

    with pytest.raises(RuntimeError):
        commit(assign_then_fail)
    assert told(resident) == []
    assert fresh(case).mediator is None


def test_the_applicants_own_withdrawal_and_staff_bookkeeping_are_not_announced(
    world: CaseWorld, resident: User, commit: Any
) -> None:
    case = assign(world, apply(world, resident))
    Notification.objects.filter(recipient=resident).delete()
    current = fresh(case)
    commit(
        lambda: case_update(
            actor=world.staff, case=current, expected_version=current.version, title="楼上漏水纠纷", risk="medium"
        )
    )
    current = fresh(case)
    commit(
        lambda: mediator_recuse(
            actor=world.staff,
            case=current,
            party=current.parties.get(role=PartyRole.APPLICANT),
            reason="与对方系亲属。",
            expected_version=current.version,
        )
    )
    current = fresh(case)
    commit(
        lambda: application_withdraw(
            resident_user=resident, case=current, reason="已自行和解。", expected_version=current.version
        )
    )
    assert told(resident) == []
    # …and an inactive account is not written to
    User.objects.filter(pk=resident.pk).update(is_active=False)
    current = fresh(case)
    commit(lambda: case_close(actor=world.staff, case=current, expected_version=current.version))
    assert told(resident) == []
