"""The daily election warning on a fixed clock: nothing 91 days before, one warning from 90 days before (not repeated
by a rerun, caught up after a missed day), one overdue warning once the date passes, to the community's managers
only; a new election date is warned again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from gridwork.estates import services
from gridwork.estates.models import ElectionWarning, WarningKind
from gridwork.estates.services import CommitteeInput, election_warnings_send
from gridwork.estates.tests.factories import World, committee, make_world
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

ELECTION = date(2026, 6, 30)


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def run(day: date, capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return election_warnings_send(today=day)


def test_warned_from_90_days_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    elected = committee(world.community, world.estate, term_end=ELECTION)
    assert elected.next_election_date == ELECTION  # the default: when the term ends

    assert run(ELECTION - timedelta(days=91), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}
    assert not Notification.objects.exists()

    assert run(ELECTION - timedelta(days=90), django_capture_on_commit_callbacks) == {"due": 1, "overdue": 0}
    notes = list(Notification.objects.all())
    assert [n.recipient for n in notes] == [world.community]  # not 秋实社区's staff, not the grid worker
    assert "锦绣花园" in notes[0].text
    assert "2026-06-30" in notes[0].text

    assert run(ELECTION - timedelta(days=89), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}
    assert run(ELECTION, django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}
    assert Notification.objects.count() == 1

    assert run(ELECTION + timedelta(days=1), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 1}
    assert run(ELECTION + timedelta(days=2), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}
    assert Notification.objects.count() == 2
    assert set(ElectionWarning.objects.values_list("kind", flat=True)) == {WarningKind.DUE, WarningKind.OVERDUE}


def test_a_missed_day_is_caught_up(world: World, django_capture_on_commit_callbacks: Any) -> None:
    committee(world.community, world.estate, term_end=ELECTION)
    # the job did not run 90 days before: the first run after still warns, once
    assert run(ELECTION - timedelta(days=85), django_capture_on_commit_callbacks) == {"due": 1, "overdue": 0}
    assert run(ELECTION - timedelta(days=84), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}


def test_a_new_election_date_is_warned_again(world: World, django_capture_on_commit_callbacks: Any) -> None:
    elected = committee(world.community, world.estate, term_end=ELECTION)
    run(ELECTION - timedelta(days=60), django_capture_on_commit_callbacks)
    later = ELECTION + timedelta(days=30)
    services.committee_update(
        actor=world.community,
        committee=elected,
        values=CommitteeInput(term_start=elected.term_start, term_end=ELECTION, next_election_date=later),
    )
    assert run(ELECTION + timedelta(days=1), django_capture_on_commit_callbacks) == {"due": 1, "overdue": 0}
    assert run(later + timedelta(days=1), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 1}


def test_ended_or_forming_committees_are_not_warned(world: World, django_capture_on_commit_callbacks: Any) -> None:
    ended = committee(world.community, world.estate, term_end=ELECTION)
    services.committee_move(actor=world.community, committee=ended, action="end_term", expected_version=ended.version)
    committee(world.community, world.estate_b, elected=False, term_end=ELECTION)
    assert run(ELECTION + timedelta(days=1), django_capture_on_commit_callbacks) == {"due": 0, "overdue": 0}


def test_the_task_runs(world: World) -> None:
    from gridwork.estates.tasks import warn_elections

    assert warn_elections.call() == {"due": 0, "overdue": 0}
