"""Real threads, each with its own connection: the two approving bodies of a request approve at the same moment. The
request's row is locked while a decision is taken, so the second decision sees the first and admits the request;
without the lock each could see the other still waiting and the request would never be admitted."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.admission import services
from gridwork.admission.models import AdmissionDecision, AdmissionRequest, AdmissionState, ApprovingBody, DecisionKind
from gridwork.admission.tests.factories import make_world, submitted
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_bodies_approving_at_once_admit_the_request(tree: CityTree) -> None:
    world = make_world(tree)
    subject = submitted(world)
    pairs = [(world.organisation_handler, world.organisation), (world.civil_handler, world.civil)]

    def prepare(i: int) -> tuple[User, AdmissionRequest, ApprovingBody]:
        actor, body = pairs[i]
        return (
            User.objects.get(pk=actor.pk),
            AdmissionRequest.objects.get(pk=subject.pk),
            ApprovingBody.objects.select_related("department").get(pk=body.pk),
        )

    def work(_i: int, prepared: Any) -> AdmissionDecision:
        actor, request, body = prepared
        return services.admission_decide(
            actor=actor, subject=request, body=body, decision=DecisionKind.APPROVE, expected_version=request.version
        )

    outcomes = race(work, prepare, threads=2)
    assert all(isinstance(outcome, AdmissionDecision) for outcome in outcomes), outcomes
    subject.refresh_from_db()
    assert subject.state == AdmissionState.APPROVED
    assert subject.events.filter(action="approve").count() == 1
