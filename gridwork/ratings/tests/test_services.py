"""The ratings' services: the review flow end to end with each level's scores kept, the order of the steps (no
acceptance before the street review), stars and their reasons, vetoes, lowering stars, evidence required, rounds and
targets, and who may do what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party.models import PartyOrganisation, PartyOrgKind
from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import (
    Assessment,
    AssessmentEvent,
    AssessmentState,
    Round,
    RoundState,
    Score,
    ScoreLevel,
    StarAdjustment,
    Target,
    VetoFinding,
)
from gridwork.ratings.tests.conftest import Staff
from gridwork.ratings.tests.factories import Built, answers, assessment_of, open_round, published_version
from gridwork.schemes.models import TargetKind, VersionState
from gridwork.workforce.models import Worker

pytestmark = pytest.mark.django_db


def _link_evidence(actor: Any, assessment: Assessment, built: Built) -> None:
    services.evidence_add(
        actor=actor,
        assessment=assessment,
        link="/staff/ratings/",
        indicator=built.a1.pk,
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()


def _submitted(tree: CityTree, rating_round: Round, built: Built, community_staff: Any, **kwargs: Any) -> Assessment:
    assessment = assessment_of(rating_round, tree.community)
    _link_evidence(community_staff, assessment, built)
    return services.assessment_submit(
        actor=community_staff,
        assessment=assessment,
        values=answers(built, **kwargs),
        expected_version=assessment.version,
    )


def _reviewed(tree: CityTree, rating_round: Round, built: Built, community_staff: Any, street_staff: Any) -> Assessment:
    assessment = _submitted(tree, rating_round, built, community_staff)
    return services.assessment_approve(
        actor=street_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )


# --- the whole flow ---------------------------------------------------------------------------------------------------


def test_the_flow_end_to_end_keeps_each_levels_scores_side_by_side(
    tree: CityTree, rating_round: Round, built: Built, staff: Staff
) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    # One of the community's two grids has a party branch: the computed indicator B2 reads 50 % → 5 of 10.
    PartyOrganisation.objects.create(code="PB1", name="第一网格党支部", kind=PartyOrgKind.BRANCH, place=tree.grid)
    assessment = assessment_of(rating_round, tree.community)

    assessment = services.assessment_save(
        actor=community_staff,
        assessment=assessment,
        values=services.LevelInput(answers={built.a1.pk: Decimal(8)}),
        expected_version=assessment.version,
    )
    assert assessment.state == AssessmentState.DRAFT
    _link_evidence(community_staff, assessment, built)
    assessment = services.assessment_submit(
        actor=community_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    assessment.refresh_from_db()
    # A (60): (8 + 10) / 20 × 60 = 54; B (40): (15 + 5) / 30 × 40 = 26.67 → 80.67, 3 stars (≥ 80).
    assert assessment.state == AssessmentState.SUBMITTED
    assert assessment.self_total == Decimal("80.67")
    assert assessment.score_stars == 3
    figure = Score.objects.get(assessment=assessment, indicator=built.b2, level=ScoreLevel.SELF)
    assert figure.value == Decimal("50.00")
    assert figure.points == Decimal("5.00")
    assert figure.computed_at is not None

    assessment = services.assessment_return(
        actor=street_staff, assessment=assessment, comment="补充阵地照片", expected_version=assessment.version
    )
    assert assessment.state == AssessmentState.RETURNED
    assessment = services.assessment_submit(
        actor=community_staff,
        assessment=assessment,
        values=answers(built, a1="10"),
        expected_version=assessment.version,
    )
    assessment = services.assessment_approve(
        actor=street_staff, assessment=assessment, values=answers(built, a1="9"), expected_version=assessment.version
    )
    assessment = services.assessment_accept(
        actor=city_staff,
        assessment=assessment,
        values=answers(built, a1="9", b1="20"),
        stars=4,
        reason="示范社区,材料扎实",
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.ACCEPTED
    assert assessment.stars == 4
    # Self 10 + street 9 + city 9 for A1, each kept at its level.
    a1 = dict(Score.objects.filter(assessment=assessment, indicator=built.a1).values_list("level", "value"))
    assert a1 == {ScoreLevel.SELF: Decimal(10), ScoreLevel.STREET: Decimal(9), ScoreLevel.CITY: Decimal(9)}
    # Street: (9 + 10) / 20 × 60 = 57 + 26.67 = 83.67; city: 57 + (20 + 5) / 30 × 40 = 57 + 33.33 = 90.33.
    assert assessment.street_total == Decimal("83.67")
    assert assessment.city_total == Decimal("90.33")
    assert assessment.total == assessment.city_total
    # The figure computed at submission is carried to the later levels, not recomputed.
    assert Score.objects.get(assessment=assessment, indicator=built.b2, level=ScoreLevel.CITY).value == Decimal(50)
    actions = list(AssessmentEvent.objects.filter(subject=assessment).values_list("action", flat=True))
    assert actions == ["create", "save", "attach", "submit", "return", "submit", "approve", "accept"]


def test_cannot_be_accepted_before_the_street_review(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, city_staff: Any
) -> None:
    assessment = _submitted(tree, rating_round, built, community_staff)
    with pytest.raises(MoveRefused):
        assessment = services.assessment_accept(
            actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )
    draft = assessment_of(rating_round, tree.community2)
    with pytest.raises(MoveRefused):
        assessment = services.assessment_accept(
            actor=city_staff, assessment=draft, values=answers(built), expected_version=draft.version
        )
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assert not Score.objects.filter(assessment=assessment, level=ScoreLevel.CITY).exists()


def test_stars_default_to_the_score_and_other_stars_need_a_reason(
    tree: CityTree, rating_round: Round, built: Built, staff: Staff
) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = _reviewed(tree, rating_round, built, community_staff, street_staff)
    with pytest.raises(ValidationError) as refused:
        assessment = services.assessment_accept(
            actor=city_staff, assessment=assessment, values=answers(built), stars=5, expected_version=assessment.version
        )
    assert "reason" in refused.value.message_dict
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    assessment.refresh_from_db()
    # No computed figure without grids' branches: B2 = 0 → A 54 + B (15 / 30 × 40 = 20) = 74 → 2 stars.
    assert assessment.city_total == Decimal("74.00")
    assert assessment.stars == 2


def test_a_veto_leaves_no_stars_whatever_the_score(
    tree: CityTree, rating_round: Round, built: Built, staff: Staff
) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = _reviewed(tree, rating_round, built, community_staff, street_staff)
    vetoed = services.LevelInput(
        answers=answers(built, a1="10", b1="20").answers, vetoes={built.veto.pk: "3月发生安全责任事故"}
    )
    with pytest.raises(ValidationError) as refused:
        assessment = services.assessment_accept(
            actor=city_staff,
            assessment=assessment,
            values=vetoed,
            stars=3,
            reason="x",
            expected_version=assessment.version,
        )
    assert "stars" in refused.value.message_dict
    missing_reason = services.LevelInput(answers=vetoed.answers, vetoes={built.veto.pk: "  "})
    with pytest.raises(ValidationError) as refused:
        assessment = services.assessment_accept(
            actor=city_staff, assessment=assessment, values=missing_reason, expected_version=assessment.version
        )
    assert f"veto_reason_{built.veto.pk}" in refused.value.message_dict
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=vetoed, expected_version=assessment.version
    )
    assessment.refresh_from_db()
    assert assessment.stars == 0
    assert assessment.vetoed
    assert VetoFinding.objects.get(assessment=assessment, level=ScoreLevel.CITY, veto_item=built.veto).holds


def test_submitting_needs_every_answer_and_the_required_evidence(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    with pytest.raises(ValidationError) as refused:
        assessment = services.assessment_submit(
            actor=community_staff,
            assessment=assessment,
            values=services.LevelInput(answers={built.a1.pk: Decimal(8)}),
            expected_version=assessment.version,
        )
    errors = refused.value.message_dict
    assert f"ind_{built.a1.pk}" in errors  # evidence required
    assert f"ind_{built.a2.pk}" in errors
    assert f"ind_{built.b1.pk}" in errors
    with pytest.raises(ValidationError) as refused:
        assessment = services.assessment_save(
            actor=community_staff,
            assessment=assessment,
            values=services.LevelInput(answers={built.a1.pk: Decimal(11)}),
            expected_version=assessment.version,
        )
    assert f"ind_{built.a1.pk}" in refused.value.message_dict
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT
    assert assessment.version == 1
    assert not Score.objects.filter(assessment=assessment).exists()


def test_the_higher_review_only_in_rounds_that_have_one(tree: CityTree, built: Built, staff: Staff) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    round_ = open_round(city_staff, built.version, higher_review=True)
    services.round_add_all(actor=city_staff, round_=round_, under=tree.street)
    assessment = _reviewed(tree, round_, built, community_staff, street_staff)
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    assessment = services.assessment_higher_review(
        actor=city_staff,
        assessment=assessment,
        values=answers(built, b1="5"),
        stars=1,
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    # A 54 + B 5 / 30 × 40 = 6.67 → 60.67: 1 star, as the score gives.
    assert assessment.state == AssessmentState.HIGHER_REVIEWED
    assert assessment.higher_total == Decimal("60.67")
    assert assessment.stars == 1


def test_no_higher_review_without_one_in_the_round(
    tree: CityTree, rating_round: Round, built: Built, staff: Staff
) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = _reviewed(tree, rating_round, built, community_staff, street_staff)
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    with pytest.raises(ValidationError):
        assessment = services.assessment_higher_review(
            actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )


def test_stars_are_lowered_on_a_reason_never_raised(
    tree: CityTree, rating_round: Round, built: Built, staff: Staff
) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = _reviewed(tree, rating_round, built, community_staff, street_staff)
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    assert assessment.stars == 2
    with pytest.raises(ValidationError) as refused:
        services.assessment_lower_stars(
            actor=city_staff, assessment=assessment, stars=3, reason="提升", expected_version=assessment.version
        )
    assert "stars" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.assessment_lower_stars(
            actor=city_staff, assessment=assessment, stars=1, reason=" ", expected_version=assessment.version
        )
    assert "reason" in refused.value.message_dict
    adjustment = services.assessment_lower_stars(
        actor=city_staff, assessment=assessment, stars=1, reason="群众投诉查实", expected_version=assessment.version
    )
    assessment.refresh_from_db()
    assert (adjustment.from_stars, adjustment.to_stars) == (2, 1)
    services.assessment_lower_stars(
        actor=city_staff,
        assessment=assessment,
        stars=None,
        reason="6月发生安全责任事故",
        veto_item=built.veto.pk,
        expected_version=assessment.version,
    )
    assessment.refresh_from_db()
    assert assessment.stars == 0
    assert assessment.vetoed
    assert assessment.state == AssessmentState.ACCEPTED
    assert StarAdjustment.objects.filter(assessment=assessment).count() == 2


def test_a_stale_page_moves_nothing(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, street_staff: Any
) -> None:
    assessment = _submitted(tree, rating_round, built, community_staff)
    stale = assessment.version - 1
    with pytest.raises(StaleState):
        assessment = services.assessment_approve(
            actor=street_staff, assessment=assessment, values=answers(built), expected_version=stale
        )
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assert not Score.objects.filter(assessment=assessment, level=ScoreLevel.STREET).exists()


# --- who may do what --------------------------------------------------------------------------------------------------


def test_another_communitys_staff_cannot_self_assess(
    tree: CityTree, rating_round: Round, built: Built, community2_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_save(
            actor=community2_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )


def test_the_street_does_not_self_assess_its_communities(
    tree: CityTree, rating_round: Round, built: Built, street_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_save(
            actor=street_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )


def test_community_staff_cannot_review_and_street_staff_cannot_accept(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, street_staff: Any
) -> None:
    assessment = _submitted(tree, rating_round, built, community_staff)
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_approve(
            actor=community_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_return(
            actor=community_staff, assessment=assessment, comment="x", expected_version=assessment.version
        )
    assessment = services.assessment_approve(
        actor=street_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
    )
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_accept(
            actor=street_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )
    with pytest.raises(PermissionDenied):
        services.assessment_lower_stars(
            actor=street_staff, assessment=assessment, stars=0, reason="x", expected_version=assessment.version
        )


def test_another_street_cannot_review(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, street2_staff: Any
) -> None:
    assessment = _submitted(tree, rating_round, built, community_staff)
    with pytest.raises(PermissionDenied):
        assessment = services.assessment_approve(
            actor=street2_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )


# --- rounds and targets -----------------------------------------------------------------------------------------------


def test_a_round_uses_a_published_version_only(tree: CityTree, city_staff: Any, built: Built) -> None:
    built.version.state = VersionState.DRAFT
    built.version.published_at = None
    built.version.save()
    with pytest.raises(ValidationError) as refused:
        open_round(city_staff, built.version)
    assert "scheme_version" in refused.value.message_dict


def test_deadlines_in_order(tree: CityTree, city_staff: Any, built: Built) -> None:
    from datetime import date

    with pytest.raises(ValidationError) as refused:
        open_round(city_staff, built.version, self_due=date(2099, 5, 1), review_due=date(2099, 4, 1))
    assert "review_due" in refused.value.message_dict


def test_only_assessment_managers_open_rounds(tree: CityTree, street_staff: Any, built: Built) -> None:
    with pytest.raises(PermissionDenied):
        open_round(street_staff, built.version)


def test_adding_all_communities_of_a_unit_once(tree: CityTree, city_staff: Any, rating_round: Round) -> None:
    assert Target.objects.filter(round=rating_round).count() == 2
    assert services.round_add_all(actor=city_staff, round_=rating_round, under=tree.district) == 0
    assert services.round_add_all(actor=city_staff, round_=rating_round, under=tree.city) == 0
    assert Target.objects.filter(round=rating_round, kind=TargetKind.COMMUNITY).count() == 2
    assert all(target.assessment.state == AssessmentState.DRAFT for target in Target.objects.filter(round=rating_round))


def test_a_district_manager_adds_only_under_the_district(tree: CityTree, city_staff: Any, built: Built) -> None:
    district_manager = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district")
    round_ = open_round(city_staff, built.version)
    with pytest.raises(PermissionDenied):
        services.round_add_all(actor=district_manager, round_=round_, under=tree.street)


def test_one_by_one_only_within_the_managers_units(tree: CityTree, city_staff: Any, built: Built) -> None:
    round_ = open_round(city_staff, built.version)
    assert services.round_add_one(actor=city_staff, round_=round_, object_pk=tree.community.pk) == 1
    assert services.round_add_one(actor=city_staff, round_=round_, object_pk=tree.community.pk) == 0
    with pytest.raises(ValidationError):
        services.round_add_one(actor=city_staff, round_=round_, object_pk=tree.grid.pk)  # not a community


def test_a_secretary_round_targets_the_serving_secretaries(
    tree: CityTree, city_staff: Any, community_staff: Any
) -> None:
    secretary = Worker.objects.create(name="王建华", community=tree.community, post="head", is_secretary=True)
    Worker.objects.create(name="李四", community=tree.community, post="worker")
    built = published_version(TargetKind.SECRETARY, name="书记星级", computed=False)
    round_ = open_round(city_staff, built.version)
    assert services.round_add_all(actor=city_staff, round_=round_, under=tree.street) == 1
    target = Target.objects.get(round=round_)
    assert target.worker == secretary
    assert target.place == tree.community
    assert services.may_self_assess(community_staff, target)


def test_a_closed_round_moves_no_more(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, city_staff: Any
) -> None:
    services.round_close(actor=city_staff, round_=rating_round, expected_version=rating_round.version)
    rating_round.refresh_from_db()
    assert rating_round.state == RoundState.CLOSED
    assessment = assessment_of(rating_round, tree.community)
    with pytest.raises(ValidationError):
        assessment = services.assessment_save(
            actor=community_staff, assessment=assessment, values=answers(built), expected_version=assessment.version
        )
    with pytest.raises(ValidationError):
        services.round_add_all(actor=city_staff, round_=rating_round, under=tree.street)


def test_an_estate_party_round_scopes_each_branch_by_its_community(
    tree: CityTree, city_staff: Any, community_staff: Any, community2_staff: Any
) -> None:
    branch = PartyOrganisation.objects.create(
        code="PB9", name="春晖一网格党支部", kind=PartyOrgKind.BRANCH, place=tree.grid
    )
    built = published_version(TargetKind.ESTATE_PARTY, name="五有六优", computed=False)
    round_ = open_round(city_staff, built.version)
    assert services.round_add_all(actor=city_staff, round_=round_, under=tree.street) == 1
    target = Target.objects.get(round=round_)
    assert (target.party_organisation, target.place) == (branch, tree.community)
    assert services.may_self_assess(community_staff, target)
    assert not services.may_self_assess(community2_staff, target)
