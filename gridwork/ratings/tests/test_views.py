"""The ratings' pages: each level's page does its move, refuses with the field and the reason (400), a stale page
(409), out-of-scope objects (404), the wrong role (403); rounds and targets; overdue highlighted."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import Assessment, AssessmentState, Round, Target
from gridwork.ratings.tests.conftest import Staff
from gridwork.ratings.tests.factories import Built, answers, assessment_of, open_round

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _self_post(built: Built, assessment: Assessment, action: str, **overrides: str) -> dict[str, str]:
    data = {
        "action": action,
        "self-version": str(assessment.version),
        f"self-ind_{built.a1.pk}": "8",
        f"self-ind_{built.a2.pk}": "yes",
        f"self-ind_{built.b1.pk}": "15",
    }
    data.update(overrides)
    return data


def _level_post(built: Built, assessment: Assessment, prefix: str, **overrides: str) -> dict[str, str]:
    data = {
        "action": prefix,
        f"{prefix}-version": str(assessment.version),
        f"{prefix}-ind_{built.a1.pk}": "9",
        f"{prefix}-ind_{built.a2.pk}": "yes",
        f"{prefix}-ind_{built.b1.pk}": "15",
    }
    data.update(overrides)
    return data


def test_the_flow_through_the_pages(tree: CityTree, rating_round: Round, built: Built, staff: Staff) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = assessment_of(rating_round, tree.community)
    community = client_for(community_staff)
    url = reverse("ratings:assessment-self", args=[assessment.pk])
    assert community.get(url).status_code == 200

    # Submitting without the evidence A1 requires: 400, the field says why, nothing moves.
    response = community.post(url, _self_post(built, assessment, "submit"))
    assert response.status_code == 400
    assert "requires evidence" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT

    response = community.post(
        url,
        {
            "action": "attach",
            "evidence-version": str(assessment.version),
            "evidence-link": "/staff/ratings/",
            "evidence-indicator": str(built.a1.pk),
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    response = community.post(url, _self_post(built, assessment, "submit"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED

    street = client_for(street_staff)
    review = reverse("ratings:assessment-review", args=[assessment.pk])
    assert street.get(review).status_code == 200
    response = street.post(
        review, {"action": "return", "return-version": str(assessment.version), "return-comment": ""}
    )
    assert response.status_code == 400
    response = street.post(
        review, {"action": "return", "return-version": str(assessment.version), "return-comment": "补充材料"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.RETURNED
    page = community.get(reverse("ratings:assessment", args=[assessment.pk]))
    assert "补充材料" in page.content.decode()

    response = community.post(url, _self_post(built, assessment, "submit"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    response = street.post(review, _level_post(built, assessment, "approve"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.REVIEWED

    city = client_for(city_staff)
    accept = reverse("ratings:assessment-accept", args=[assessment.pk])
    assert city.get(accept).status_code == 200
    # Four stars where the score reaches two: refused without a reason, on the reason field.
    response = city.post(accept, _level_post(built, assessment, "accept", **{"accept-stars": "4"}))
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    response = city.post(
        accept, _level_post(built, assessment, "accept", **{"accept-stars": "4", "accept-reason": "示范社区"})
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.state, assessment.stars) == (AssessmentState.ACCEPTED, 4)
    detail = city.get(reverse("ratings:assessment", args=[assessment.pk])).content.decode()
    assert 'data-stars="4"' in detail


def test_accepting_before_the_street_review_is_refused_on_the_page(
    tree: CityTree, rating_round: Round, built: Built, city_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    city = client_for(city_staff)
    accept = reverse("ratings:assessment-accept", args=[assessment.pk])
    page = city.get(accept)
    assert page.status_code == 200
    assert 'data-testid="not-possible"' in page.content.decode()
    response = city.post(accept, _level_post(built, assessment, "accept"))
    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT


def test_a_stale_page_is_409(tree: CityTree, rating_round: Round, built: Built, community_staff: Any) -> None:
    assessment = assessment_of(rating_round, tree.community)
    community = client_for(community_staff)
    url = reverse("ratings:assessment-self", args=[assessment.pk])
    assert community.post(url, _self_post(built, assessment, "save")).status_code == 302
    response = community.post(url, _self_post(built, assessment, "save"))  # the version the first page showed
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()


def test_another_communitys_staff_get_404(
    tree: CityTree, rating_round: Round, built: Built, community2_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    other = client_for(community2_staff)
    for name in ("ratings:assessment", "ratings:assessment-self"):
        assert other.get(reverse(name, args=[assessment.pk])).status_code == 404
    response = other.post(
        reverse("ratings:assessment-self", args=[assessment.pk]), _self_post(built, assessment, "save")
    )
    assert response.status_code == 404
    assessment.refresh_from_db()
    assert assessment.version == 1
    # The round lists only their own community.
    page = other.get(reverse("ratings:round-detail", args=[rating_round.pk])).content.decode()
    assert f'data-assessment="{assessment.pk}"' not in page
    assert f'data-assessment="{assessment_of(rating_round, tree.community2).pk}"' in page


def test_another_street_gets_404(tree: CityTree, rating_round: Round, street2_staff: Any) -> None:
    assessment = assessment_of(rating_round, tree.community)
    other = client_for(street2_staff)
    assert other.get(reverse("ratings:assessment-review", args=[assessment.pk])).status_code == 404


def test_community_staff_cannot_review_nor_accept(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    community = client_for(community_staff)
    assert community.get(reverse("ratings:assessment-review", args=[assessment.pk])).status_code == 403
    assert community.get(reverse("ratings:assessment-accept", args=[assessment.pk])).status_code == 403
    assert community.post(reverse("ratings:assessment-lower", args=[assessment.pk]), {}).status_code == 403


def test_street_staff_cannot_accept_nor_self_assess(
    tree: CityTree, rating_round: Round, built: Built, street_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    street = client_for(street_staff)
    assert street.get(reverse("ratings:assessment-accept", args=[assessment.pk])).status_code == 403
    response = street.post(
        reverse("ratings:assessment-self", args=[assessment.pk]), _self_post(built, assessment, "save")
    )
    assert response.status_code == 403


def test_opening_a_round_and_adding_targets(tree: CityTree, city_staff: Any, built: Built) -> None:
    city = client_for(city_staff)
    assert city.get(reverse("ratings:round-new")).status_code == 200
    data = {
        "name": "2026年度",
        "year": "2026",
        "scheme_version": str(built.version.pk),
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "self_due": "2026-03-31",
        "review_due": "2026-02-28",
        "accept_due": "2026-05-31",
        "goal_stars": "5",
        "star_goal": "70",
    }
    response = city.post(reverse("ratings:round-new"), data)
    assert response.status_code == 400
    assert 'data-testid="error-review_due"' in response.content.decode()
    response = city.post(reverse("ratings:round-new"), {**data, "review_due": "2026-04-30"})
    assert response.status_code == 302
    round_ = Round.objects.get()
    targets = reverse("ratings:round-targets", args=[round_.pk])
    assert city.get(targets).status_code == 200
    assert city.post(targets, {"action": "all", "all-under": str(tree.street.pk)}).status_code == 302
    assert Target.objects.filter(round=round_).count() == 2
    page = city.get(reverse("ratings:round-list")).content.decode()
    assert f'data-round="{round_.pk}"' in page


def test_street_staff_cannot_open_rounds(tree: CityTree, street_staff: Any, rating_round: Round) -> None:
    street = client_for(street_staff)
    assert street.get(reverse("ratings:round-new")).status_code == 403
    assert street.get(reverse("ratings:round-targets", args=[rating_round.pk])).status_code == 403
    assert street.get(reverse("ratings:round-list")).status_code == 200


def test_overdue_is_highlighted(tree: CityTree, city_staff: Any, built: Built) -> None:
    round_ = open_round(
        city_staff,
        built.version,
        self_due=date(2020, 3, 1),
        review_due=date(2020, 4, 1),
        accept_due=date(2020, 5, 1),
    )
    services.round_add_all(actor=city_staff, round_=round_, under=tree.street)
    city = client_for(city_staff)
    page = city.get(reverse("ratings:round-detail", args=[round_.pk]) + "?overdue=on").content.decode()
    assert page.count('data-testid="overdue"') == 2


def test_anonymous_is_sent_to_sign_in(tree: CityTree, rating_round: Round) -> None:
    assessment = assessment_of(rating_round, tree.community)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("ratings:assessment", args=[assessment.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]


def test_lowering_stars_on_the_page(tree: CityTree, rating_round: Round, built: Built, staff: Staff) -> None:
    community_staff, street_staff, city_staff = staff.community, staff.street, staff.city
    assessment = assessment_of(rating_round, tree.community)
    services.evidence_add(
        actor=community_staff, assessment=assessment, link="/staff/", indicator=built.a1.pk, expected_version=1
    )
    assessment = services.assessment_submit(
        actor=community_staff, assessment=assessment, values=answers(built), expected_version=2
    )
    assessment = services.assessment_approve(
        actor=street_staff, assessment=assessment, values=answers(built), expected_version=3
    )
    assessment = services.assessment_accept(
        actor=city_staff, assessment=assessment, values=answers(built), expected_version=4
    )
    city = client_for(city_staff)
    url = reverse("ratings:assessment-lower", args=[assessment.pk])
    assert city.get(url).status_code == 200
    response = city.post(url, {"version": str(assessment.version), "stars": "1", "reason": ""})
    assert response.status_code == 400
    response = city.post(url, {"version": str(assessment.version), "stars": "1", "reason": "查实投诉"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.stars == 1


def test_secretaries_names_are_masked_without_personal_data(
    tree: CityTree, city_staff: Any, community_staff: Any
) -> None:
    from gridwork.ratings.tests.factories import published_version
    from gridwork.schemes.models import TargetKind
    from gridwork.workforce.models import Worker

    Worker.objects.create(name="王建华", community=tree.community, post="head", is_secretary=True)
    built = published_version(TargetKind.SECRETARY, name="书记星级", computed=False)
    round_ = open_round(city_staff, built.version)
    services.round_add_all(actor=city_staff, round_=round_, under=tree.street)
    assessment = Assessment.objects.get(target__round=round_)
    url = reverse("ratings:round-detail", args=[round_.pk])
    city_page = client_for(city_staff).get(url).content.decode()
    assert "王*华" in city_page
    assert "王建华" not in city_page
    detail = client_for(city_staff).get(reverse("ratings:assessment", args=[assessment.pk])).content.decode()
    assert "王建华" not in detail
    assert "王建华" in client_for(community_staff).get(url).content.decode()


def test_send_back_and_the_higher_review_on_the_pages(tree: CityTree, built: Built, staff: Staff) -> None:
    round_ = open_round(staff.city, built.version, higher_review=True)
    services.round_add_all(actor=staff.city, round_=round_, under=tree.street)
    assessment = assessment_of(round_, tree.community)
    services.evidence_add(
        actor=staff.community, assessment=assessment, link="/staff/", indicator=built.a1.pk, expected_version=1
    )
    assessment = services.assessment_submit(
        actor=staff.community, assessment=assessment, values=answers(built), expected_version=2
    )
    assessment = services.assessment_approve(
        actor=staff.street, assessment=assessment, values=answers(built), expected_version=3
    )
    city = client_for(staff.city)
    accept = reverse("ratings:assessment-accept", args=[assessment.pk])
    response = city.post(accept, {"action": "send_back", "send_back-version": "4", "send_back-comment": "请复核A1"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assessment = services.assessment_approve(
        actor=staff.street, assessment=assessment, values=answers(built), expected_version=5
    )
    assert city.post(accept, _level_post(built, assessment, "accept")).status_code == 302
    assessment.refresh_from_db()
    higher = reverse("ratings:assessment-higher", args=[assessment.pk])
    page = city.get(higher)
    assert page.status_code == 200
    assert 'data-testid="higher"' in page.content.decode()
    assert city.post(higher, _level_post(built, assessment, "higher")).status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.HIGHER_REVIEWED
    assert assessment.higher_total is not None
