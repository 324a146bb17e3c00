"""Real threads, each with its own database connection, adding the same community to one alliance at once: it joins
once, one join event is written, and every other try is refused (a stale alliance, or already a member) with nothing
of its own saved.

Each race runs twice: "at once" releases all threads together; "in lockstep" also holds every thread after its
checks, just before the alliance's compare-and-set, until all have arrived. The data must be committed for other
connections to see it (a transactional test); it must pass on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.alliances import services
from gridwork.alliances.models import (
    Alliance,
    AllianceEvent,
    AllianceMember,
)
from gridwork.alliances.tests.factories import AllianceWorld, form_alliance
from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.places.models import Place

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
MODES = ["at once", "in lockstep"]


@contextmanager
def lockstep(mode: str) -> Iterator[list[threading.Barrier]]:
    """In lockstep, hold each try after it has checked the new members (and before its transaction, whose write lock
    SQLite takes at once), until all have checked. Yields the gates a failing thread must break."""
    if mode != "in lockstep":
        yield []
        return
    gate = threading.Barrier(THREADS)
    real_check = services._new_member_errors

    def check_and_wait_for_all(*args: Any, **kwargs: Any) -> Any:
        errors = real_check(*args, **kwargs)
        gate.wait(timeout=30)
        return errors

    services._new_member_errors = check_and_wait_for_all  # type: ignore[assignment]
    try:
        yield [gate]
    finally:
        services._new_member_errors = real_check  # type: ignore[assignment]


@pytest.mark.parametrize("mode", MODES)
def test_a_community_added_by_several_people_at_once_joins_once(world: AllianceWorld, mode: str) -> None:
    alliance = form_alliance(world, communities=[world.tree.community], units=[])
    adders = [world.street_staff, make_staff(role=Role.STREET_STAFF, place=world.tree.street, username="street2")]

    def prepare(i: int) -> tuple[User, Alliance, Place]:
        actor = User.objects.get(pk=adders[i % 2].pk)
        return actor, Alliance.objects.get(pk=alliance.pk), Place.objects.get(pk=world.tree.community2.pk)

    def add(_i: int, prepared: tuple[User, Alliance, Place]) -> Any:
        actor, seen, community2 = prepared
        return services.alliance_members_add(
            actor=actor, alliance=seen, communities=[community2], units=[], joined_on=date(2024, 1, 1)
        )

    with lockstep(mode) as gates:
        outcomes = race(add, prepare, threads=THREADS, gates=gates)

    winners = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert len(winners) == 1, outcomes
    losers = [outcome for outcome in outcomes if not isinstance(outcome, list)]
    assert all(isinstance(outcome, StaleState | ValidationError) for outcome in losers), losers
    assert AllianceMember.objects.filter(alliance=alliance, community=world.tree.community2).count() == 1
    assert AllianceEvent.objects.filter(subject=alliance, action="join").count() == 1
    stored = Alliance.objects.get(pk=alliance.pk)
    assert stored.version == alliance.version + 1
