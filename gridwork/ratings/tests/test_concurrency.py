"""Two clicks at once on committed data, in real threads: one submission or acceptance wins, the other is refused as
stale and saves nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from gridwork.common.flows import StaleState
from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import AssessmentEvent, AssessmentState, Round
from gridwork.ratings.tests.factories import Built, answers, assessment_of


def _race(attempts: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = attempts[index]()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_submits_once(tree: CityTree, rating_round: Round, built: Built, community_staff: Any) -> None:
    assessment = assessment_of(rating_round, tree.community)
    services.evidence_add(
        actor=community_staff, assessment=assessment, link="/staff/", indicator=built.a1.pk, expected_version=1
    )
    values = answers(built)
    results = _race(
        [
            lambda: services.assessment_submit(
                actor=community_staff, assessment=assessment.pk, values=values, expected_version=2
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(result, StaleState) for result in results) == 1, results
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assert AssessmentEvent.objects.filter(subject=assessment, action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_return_and_approve_at_once_one_wins(
    tree: CityTree, rating_round: Round, built: Built, community_staff: Any, street_staff: Any
) -> None:
    assessment = assessment_of(rating_round, tree.community)
    services.evidence_add(
        actor=community_staff, assessment=assessment, link="/staff/", indicator=built.a1.pk, expected_version=1
    )
    services.assessment_submit(
        actor=community_staff, assessment=assessment.pk, values=answers(built), expected_version=2
    )
    results = _race(
        [
            lambda: services.assessment_approve(
                actor=street_staff, assessment=assessment.pk, values=answers(built), expected_version=3
            ),
            lambda: services.assessment_return(
                actor=street_staff, assessment=assessment.pk, comment="退回", expected_version=3
            ),
        ]
    )
    assert sum(isinstance(result, StaleState) for result in results) == 1, results
    assessment.refresh_from_db()
    assert assessment.version == 4
    assert assessment.state in (AssessmentState.REVIEWED, AssessmentState.RETURNED)
