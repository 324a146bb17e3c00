"""Two reviewers deciding the same application at once, in real threads on committed data: one decision is recorded,
the other is refused as stale and saves nothing; two applications for the same year at once: one row."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.threezero import services
from gridwork.threezero.models import Application, ApplicationEvent, ApplicationState
from gridwork.threezero.tests.factories import World, aware

YEAR = 2025


@pytest.mark.django_db(transaction=True)
def test_a_double_review_decides_once(world: World) -> None:
    application = services.application_apply(
        actor=world.community_staff, year=YEAR, place=world.tree.community, at=aware(YEAR, 12)
    )
    reviewers = [world.district_staff, world.city_staff]
    decisions = [("grant", ""), ("refuse", "材料不实")]

    def work(i: int, prepared: Application) -> Any:
        decision, reason = decisions[i]
        return services.application_review(
            actor=reviewers[i],
            application=prepared,
            decision=decision,
            reason=reason,
            expected_version=1,
            at=aware(YEAR + 1, 1, 10),
        )

    results = race(work, lambda i: Application.objects.get(pk=application.pk), threads=2)
    assert sum(isinstance(result, StaleState) for result in results) == 1, results
    assert sum(isinstance(result, Application) for result in results) == 1, results
    application.refresh_from_db()
    assert application.state in (ApplicationState.GRANTED, ApplicationState.REFUSED)
    assert application.version == 2
    assert ApplicationEvent.objects.filter(subject=application).exclude(action="create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_make_one(world: World) -> None:
    results = race(
        lambda i, _p: services.application_apply(
            actor=world.community_staff, year=YEAR, place=world.tree.community, at=aware(YEAR, 12)
        ),
        threads=2,
    )
    assert Application.objects.filter(year=YEAR, place=world.tree.community).count() == 1
    assert sum(isinstance(result, Application) for result in results) == 1, results
