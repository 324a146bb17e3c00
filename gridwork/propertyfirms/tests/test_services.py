"""The services' rules: who may (scope both ways), the credit code, contracts that never overlap (the database
refuses too), once-a-quarter ratings, linking matters, red property with its checklist, and the rating's formula on
a worked example."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from gridwork.accounts.roles import Perm
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import file_in_building
from gridwork.matters.workflow import ClosureReason, MatterState, Satisfaction
from gridwork.places.tests.factories import CityTree
from gridwork.propertyfirms import creditcode, figures, services
from gridwork.propertyfirms.models import (
    PropertyCompany,
    Recognition,
    RecognitionEvent,
    RecognitionState,
    ResidentRating,
    ServiceContract,
)
from gridwork.propertyfirms.quarters import last_quarters, parse_quarter, quarter_bounds, quarter_of
from gridwork.propertyfirms.tests.factories import CODE2, TODAY, World, company_input, make_world

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_quarters() -> None:
    assert quarter_of(date(2026, 5, 15)) == (2026, 2)
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert last_quarters(date(2026, 2, 1), 2) == [(2025, 4), (2025, 3)]
    assert parse_quarter("2026q3") == (2026, 3)
    assert parse_quarter("2026Q5") is None


def test_credit_code_checksum() -> None:
    assert creditcode.is_valid("91350100M000100Y43")
    assert not creditcode.is_valid("91350100M000100Y44")
    assert not creditcode.is_valid("91350100M000100Y4")
    assert not creditcode.is_valid("91350100M000100I43")


def test_company_registered_by_street_not_community(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.company_create(actor=world.community, values=company_input(world.tree.community, credit_code=CODE2))
    with pytest.raises(ValidationError) as refused:
        services.company_create(actor=world.street, values=company_input(world.tree.street, credit_code="123"))
    assert "credit_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as duplicate:
        services.company_create(actor=world.street, values=company_input(world.tree.street))
    assert "credit_code" in duplicate.value.message_dict


def test_company_scope(world: World) -> None:
    visible = PropertyCompany.objects.restrict
    assert visible(world.community2, Perm.VIEW_ACTORS).filter(pk=world.company.pk).exists()  # under the street
    assert visible(world.grid, Perm.VIEW_ACTORS).filter(pk=world.company.pk).exists()
    assert not visible(world.other_street, Perm.VIEW_ACTORS).filter(pk=world.company.pk).exists()
    # A company registered by the sibling street becomes visible here once it serves an estate here.
    other = services.company_create(
        actor=world.other_street, values=company_input(world.tree.street2, credit_code=CODE2, name="临川物业")
    )
    assert not visible(world.community2, Perm.VIEW_ACTORS).filter(pk=other.pk).exists()
    with pytest.raises(PermissionDenied):  # not yet registered for 秋实社区's units
        services.contract_create(
            actor=world.community2, company=other, estate=world.estate2, starts_on=TODAY, ends_on=date(2027, 1, 1)
        )
    ServiceContract.objects.create(
        company=other,
        estate=world.estate2,
        starts_on=TODAY,
        ends_on=date(2027, 1, 1),
        agreed_ends_on=date(2027, 1, 1),
        created_by=world.other_street,
    )
    assert visible(world.community2, Perm.VIEW_ACTORS).filter(pk=other.pk).exists()
    assert visible(world.community2, Perm.VIEW_ACTORS).count() == 2  # no duplicates from the join


def test_contract_rules(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.contract_create(
            actor=world.community2,
            company=world.company,
            estate=world.estate,
            starts_on=date(2028, 1, 1),
            ends_on=date(2028, 6, 1),
        )
    with pytest.raises(ValidationError) as backwards:
        services.contract_create(
            actor=world.community,
            company=world.company,
            estate=world.estate_b,
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 6, 1),
        )
    assert "ends_on" in backwards.value.message_dict
    with pytest.raises(ValidationError) as overlap:
        services.contract_create(
            actor=world.community,
            company=world.company,
            estate=world.estate,
            starts_on=date(2027, 12, 31),
            ends_on=date(2028, 12, 31),
        )
    assert "starts_on" in overlap.value.message_dict
    follow = services.contract_create(
        actor=world.community,
        company=world.company,
        estate=world.estate,
        starts_on=date(2028, 1, 1),
        ends_on=date(2028, 12, 31),
    )
    assert follow.pk


def test_database_refuses_overlap_and_backwards_dates(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceContract.objects.create(
            company=world.company,
            estate=world.estate,
            starts_on=date(2027, 6, 1),
            ends_on=date(2028, 6, 1),
            agreed_ends_on=date(2028, 6, 1),
            created_by=world.street,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceContract.objects.create(
            company=world.company,
            estate=world.estate_b,
            starts_on=date(2027, 6, 1),
            ends_on=date(2027, 5, 1),
            agreed_ends_on=date(2027, 6, 1),
            created_by=world.street,
        )
    other = ServiceContract.objects.create(
        company=world.company,
        estate=world.estate,
        starts_on=date(2028, 1, 1),
        ends_on=date(2028, 6, 1),
        agreed_ends_on=date(2028, 6, 1),
        created_by=world.street,
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # an update that makes an overlap is refused too
        ServiceContract.objects.filter(pk=other.pk).update(starts_on=date(2027, 12, 1))


def test_end_early(world: World) -> None:
    with pytest.raises(ValidationError) as no_reason:
        services.contract_end_early(actor=world.community, contract=world.contract, last_day=TODAY, reason=" ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as late:
        services.contract_end_early(
            actor=world.community, contract=world.contract, last_day=date(2028, 1, 1), reason="业主大会解聘"
        )
    assert "last_day" in late.value.message_dict
    stale = ServiceContract.objects.get(pk=world.contract.pk)
    ended = services.contract_end_early(
        actor=world.community, contract=world.contract, last_day=TODAY, reason="业主大会解聘"
    )
    assert (ended.ends_on, ended.agreed_ends_on, ended.ended_early) == (TODAY, date(2027, 12, 31), True)
    with pytest.raises(ValidationError):  # compare-and-set: the page showed the old end
        services.contract_end_early(actor=world.community, contract=stale, last_day=date(2026, 3, 1), reason="x")


def test_resident_rates_once_a_quarter(world: World) -> None:
    with pytest.raises(PermissionDenied):  # a resident of another community
        services.rating_submit(actor=world.resident2, estate=world.estate, score=5, today=TODAY)
    with pytest.raises(PermissionDenied):  # staff are not residents
        services.rating_submit(actor=world.community, estate=world.estate, score=5, today=TODAY)
    with pytest.raises(ValidationError) as bad:
        services.rating_submit(actor=world.resident, estate=world.estate, score=6, today=TODAY)
    assert "score" in bad.value.message_dict
    with pytest.raises(ValidationError) as unserved:
        services.rating_submit(actor=world.resident, estate=world.estate_b, score=4, today=TODAY)
    assert "estate" in unserved.value.message_dict
    rating = services.rating_submit(actor=world.resident, estate=world.estate, score=4, comment="保洁及时", today=TODAY)
    assert (rating.company, rating.year, rating.quarter) == (world.company, 2026, 2)
    with pytest.raises(ValidationError) as again:
        services.rating_submit(actor=world.resident, estate=world.estate, score=5, today=TODAY)
    assert "estate" in again.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentRating.objects.create(
            estate=world.estate, company=world.company, account=world.resident, year=2026, quarter=2, score=3
        )
    services.rating_submit(actor=world.resident, estate=world.estate, score=5, today=date(2026, 7, 1))


def test_assessment_and_survey_once_a_quarter(world: World) -> None:
    items = {"service": 20, "cleanliness": 22, "safety": 25, "maintenance": 18}
    with pytest.raises(PermissionDenied):
        services.assessment_record(
            actor=world.community2, estate=world.estate, year=2026, quarter=1, items=items, today=TODAY
        )
    with pytest.raises(ValidationError) as too_many:
        services.assessment_record(
            actor=world.community,
            estate=world.estate,
            year=2026,
            quarter=1,
            items=items | {"safety": 26},
            today=TODAY,
        )
    assert "safety" in too_many.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.assessment_record(
            actor=world.community, estate=world.estate, year=2026, quarter=3, items=items, today=TODAY
        )
    assert "quarter" in future.value.message_dict
    assessment = services.assessment_record(
        actor=world.community, estate=world.estate, year=2026, quarter=1, items=items, today=TODAY
    )
    assert assessment.total == 85
    with pytest.raises(ValidationError) as again:
        services.assessment_record(
            actor=world.community, estate=world.estate, year=2026, quarter=1, items=items, today=TODAY
        )
    assert "quarter" in again.value.message_dict
    with pytest.raises(ValidationError) as unserved:
        services.survey_record(
            actor=world.community, estate=world.estate, year=2025, quarter=4, score="4.5", sample_size=30, today=TODAY
        )
    assert "quarter" in unserved.value.message_dict
    survey = services.survey_record(
        actor=world.community, estate=world.estate, year=2026, quarter=1, score="4.5", sample_size=30, today=TODAY
    )
    assert survey.company == world.company


def _matter(world: World, *, day: date, **fields: object) -> Matter:
    receipt = file_in_building(world.tree, title="电梯故障", text="小区电梯坏了三天，物业一直没有修理，老人出行困难。")
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)
    Matter.objects.filter(pk=receipt.matter_id).update(created_at=moment, **fields)
    return Matter.objects.get(pk=receipt.matter_id)


def test_matter_link_rule(world: World) -> None:
    before = _matter(world, day=date(2025, 12, 1))
    with pytest.raises(ValidationError) as outside:  # filed before the contract began
        services.matter_link(actor=world.community, company=world.company, matter=before)
    assert "matter" in outside.value.message_dict
    matter = _matter(world, day=date(2026, 2, 3))
    with pytest.raises(PermissionDenied):
        services.matter_link(actor=world.community2, company=world.company, matter=matter)
    link = services.matter_link(actor=world.community, company=world.company, matter=matter)
    assert link.estate == world.estate
    with pytest.raises(ValidationError):
        services.matter_link(actor=world.community, company=world.company, matter=matter)


def test_quarter_rating_worked_example(world: World) -> None:
    """Q1 2026: two ratings (5 and 3) and a survey of 8 answers averaging 4.5 → (5 + 3 + 36) / 10 = 4.4 → 88;
    community 85; three matters: two resolved, rated satisfied and unsatisfied, one open → resolved 2/3, satisfied
    1/2 → 100 × (2/3 + 1/2) / 2 = 58.3; rating = (40 × 88 + 40 × 85 + 20 × 58.3) / 100 = 80.9."""
    others = [world.resident]
    from gridwork.propertyfirms.tests.factories import make_resident

    others.append(make_resident(world.tree.household, "13900000009"))
    for account, score in zip(others, (5, 3), strict=True):
        services.rating_submit(actor=account, estate=world.estate, score=score, today=date(2026, 2, 1))
    services.survey_record(
        actor=world.community, estate=world.estate, year=2026, quarter=1, score="4.5", sample_size=8, today=TODAY
    )
    services.assessment_record(
        actor=world.community,
        estate=world.estate,
        year=2026,
        quarter=1,
        items={"service": 20, "cleanliness": 22, "safety": 25, "maintenance": 18},
        today=TODAY,
    )
    closed = {"state": MatterState.CLOSED, "closure_reason": ClosureReason.RESOLVED}
    for fields in (
        closed | {"satisfaction": Satisfaction.SATISFIED},
        closed | {"satisfaction": Satisfaction.UNSATISFIED},
        {"state": MatterState.IN_PROGRESS},
    ):
        matter = _matter(world, day=date(2026, 3, 2), **fields)
        services.matter_link(actor=world.community, company=world.company, matter=matter)
    rating = figures.quarter_rating(world.company, 2026, 1)
    assert rating.residents_average == Decimal("4.40")
    assert (rating.residents_part, rating.community_part, rating.matters_part) == (
        Decimal("88.0"),
        Decimal("85.0"),
        Decimal("58.3"),
    )
    assert (rating.matters, rating.resolved, rating.rated, rating.satisfied) == (3, 2, 2, 1)
    assert rating.score == Decimal("80.9")
    # Only the parts present count: Q2 has only residents' ratings.
    services.rating_submit(actor=world.resident, estate=world.estate, score=4, today=TODAY)
    assert figures.quarter_rating(world.company, 2026, 2).score == Decimal("80.0")
    assert figures.quarter_rating(world.company, 2026, 3).score is None


def _rate_last_two_quarters(world: World, score: int) -> None:
    for day in (date(2025, 12, 1), date(2026, 2, 1)):
        ServiceContract.objects.filter(pk=world.contract.pk).update(starts_on=date(2025, 10, 1))
        services.rating_submit(actor=world.resident, estate=world.estate, score=score, today=day)


def test_red_property_needs_every_criterion(world: World, tree: CityTree) -> None:
    _rate_last_two_quarters(world, 5)
    with pytest.raises(PermissionDenied):  # community staff do not decide
        services.recognition_decide(
            actor=world.community,
            company=world.company,
            valid_from=TODAY,
            valid_until=date(2027, 5, 14),
            joint_meeting=True,
            today=TODAY,
        )
    with pytest.raises(ValidationError) as unmet:  # no party organisation set up in the company
        services.recognition_decide(
            actor=world.street,
            company=world.company,
            valid_from=TODAY,
            valid_until=date(2027, 5, 14),
            joint_meeting=True,
            today=TODAY,
        )
    assert "party organisation" in str(unmet.value)
    from gridwork.party.models import PartyOrganisation

    organisation = PartyOrganisation.objects.create(
        code="P-WY-1", name="安居物业党支部", kind="branch", place=tree.street
    )
    PropertyCompany.objects.filter(pk=world.company.pk).update(party_organisation=organisation)
    world.company.refresh_from_db()
    recognition = services.recognition_decide(
        actor=world.street,
        company=world.company,
        valid_from=TODAY,
        valid_until=date(2027, 5, 14),
        joint_meeting=True,
        today=TODAY,
    )
    assert recognition.decided_in == tree.street
    assert all(check["met"] for check in recognition.checklist.values())
    assert figures.is_red(world.company, TODAY)
    with pytest.raises(ValidationError):  # one standing recognition
        services.recognition_decide(
            actor=world.street,
            company=world.company,
            valid_from=TODAY,
            valid_until=date(2027, 5, 14),
            joint_meeting=True,
            today=TODAY,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Recognition.objects.create(
            company=world.company,
            decided_in=tree.street,
            valid_from=TODAY,
            valid_until=date(2027, 1, 1),
            state=RecognitionState.RECOGNISED,
            decided_by=world.street,
        )
    with pytest.raises(PermissionDenied):
        services.recognition_revoke(actor=world.other_street, recognition=recognition, reason="x", today=TODAY)
    with pytest.raises(ValidationError) as no_reason:
        services.recognition_revoke(actor=world.street, recognition=recognition, reason="", today=TODAY)
    assert "reason" in no_reason.value.message_dict
    services.recognition_revoke(actor=world.street, recognition=recognition, reason="发生重大安全事故", today=TODAY)
    assert not figures.is_red(world.company, TODAY)
    assert list(RecognitionEvent.objects.filter(recognition=recognition).values_list("action", flat=True)) == [
        "recognised",
        "revoked",
    ]
    with pytest.raises(ValidationError):  # already revoked
        services.recognition_revoke(actor=world.street, recognition=recognition, reason="again", today=TODAY)
    with pytest.raises(DatabaseError), transaction.atomic():  # the history is append-only
        RecognitionEvent.objects.filter(recognition=recognition).delete()


def test_low_rating_or_serious_complaint_fails_criteria(world: World) -> None:
    _rate_last_two_quarters(world, 3)
    checks = figures.criteria_check(world.company, today=TODAY, joint_meeting=True)
    assert not checks["residents_rating"]["met"]
    matter = _matter(world, day=date(2026, 4, 2), urgency="urgent", state=MatterState.IN_PROGRESS)
    services.matter_link(actor=world.community, company=world.company, matter=matter)
    assert not figures.criteria_check(world.company, today=TODAY, joint_meeting=True)["no_serious_complaints"]["met"]


def test_expiry_and_coverage(world: World, tree: CityTree) -> None:
    recognition = Recognition.objects.create(
        company=world.company,
        decided_in=tree.street,
        valid_from=date(2025, 1, 1),
        valid_until=date(2026, 1, 1),
        state=RecognitionState.RECOGNISED,
        decided_by=world.street,
    )
    assert services.recognitions_expire(TODAY) == 1
    recognition.refresh_from_db()
    assert recognition.state == RecognitionState.EXPIRED
    event = RecognitionEvent.objects.get(recognition=recognition)
    assert (event.action, event.actor_id, event.detail) == (RecognitionState.EXPIRED, None, {"until": "2026-01-01"})
    audit = AuditEvent.objects.get(action="propertyfirms.expire")
    assert (audit.object_id, audit.actor_name, audit.detail) == (
        str(world.company.pk),
        "system",
        {"recognition": recognition.pk},
    )
    assert services.recognitions_expire(TODAY) == 0  # already expired: nothing moves, nothing more recorded
    assert RecognitionEvent.objects.filter(recognition=recognition).count() == 1
    coverage = figures.coverage_of(tree.street, TODAY)
    assert (coverage.estates, coverage.served, coverage.red_companies) == (3, 1, 0)
    assert coverage.coverage == Decimal("0.3333")
