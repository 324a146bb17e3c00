"""Staff changing one worker at once, in real threads with their own database connections (``common.tests.racing``)
on committed data: one wins, the others are refused cleanly, and the history keeps exactly one open appointment.
These tests must pass on SQLite and on PostgreSQL (scripts/with-postgres.sh)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gridwork.accounts.models import User
from gridwork.audit import triggers
from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree
from gridwork.workforce import services
from gridwork.workforce.models import Appointment, Post, Worker, WorkerEvent
from gridwork.workforce.tests.factories import make_worker, street_staff

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
EVENT_TABLE = "workforce_workerevent"


@pytest.fixture(autouse=True)
def _empty_event_log() -> Iterator[None]:
    """Empty the append-only event log after each test so that the test database can be flushed. The suite's
    ``flush`` lifts the triggers of ``audit.triggers.APPEND_ONLY_TABLES`` itself; until the workers' event log is
    listed there, lift them here."""
    yield
    if EVENT_TABLE in triggers.APPEND_ONLY_TABLES:
        return
    triggers.remove(connection, EVENT_TABLE)
    try:
        WorkerEvent.objects.all().delete()
    finally:
        triggers.install(connection, EVENT_TABLE)


def test_regrading_one_worker_from_one_page_at_once_one_wins(tree: CityTree) -> None:
    actor = street_staff(tree)
    worker = make_worker(actor, tree.community, joined_on=date(2024, 1, 1))

    def prepare(_i: int) -> tuple[User, Worker]:
        return User.objects.get(pk=actor.pk), Worker.objects.get(pk=worker.pk)

    def regrade(i: int, prepared: tuple[User, Worker]) -> Any:
        user, seen = prepared
        return services.worker_regrade(
            actor=user,
            worker=seen,
            post=Post.DEPUTY,
            title=f"副主任{i}",
            is_secretary=False,
            ladder=None,
            grade=None,
            on=date(2025, 1, 1),
            reason="竞聘",
            expected_version=1,
        )

    outcomes = race(regrade, prepare, threads=THREADS)
    winners = [outcome for outcome in outcomes if isinstance(outcome, Worker)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(outcome, StaleState) for outcome in outcomes if not isinstance(outcome, Worker)), outcomes
    assert Appointment.objects.filter(worker=worker).count() == 2
    assert Appointment.objects.filter(worker=worker, end__isnull=True).count() == 1
    assert Worker.objects.get(pk=worker.pk).version == 2


def test_appointing_secretaries_of_one_community_at_once_one_wins(tree: CityTree) -> None:
    actor = street_staff(tree)

    def prepare(_i: int) -> User:
        return User.objects.get(pk=actor.pk)

    def appoint(i: int, user: User) -> Any:
        return make_worker(user, tree.community, f"书记{i}", post=Post.HEAD, is_secretary=True)

    outcomes = race(appoint, prepare, threads=THREADS)
    winners = [outcome for outcome in outcomes if isinstance(outcome, Worker)]
    assert len(winners) == 1, outcomes
    for outcome in outcomes:
        if not isinstance(outcome, Worker):
            assert isinstance(outcome, ValidationError), repr(outcome)
            assert "is_secretary" in outcome.message_dict
    assert Worker.objects.filter(community=tree.community, is_secretary=True).count() == 1
