"""The due day's reminder: the grid workers of the grids not yet screened this month are notified on the due day only,
once a day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from gridwork.mediation.tests.factories import CaseWorld
from gridwork.notifications.models import Notification
from gridwork.screening import tasks
from gridwork.screening.services import screening_remind
from gridwork.screening.tests.factories import leak, record

pytestmark = pytest.mark.django_db


def test_only_on_the_due_day(world: CaseWorld) -> None:
    assert screening_remind(on=date(2025, 3, 24)) == 0
    assert not Notification.objects.exists()


def test_the_workers_of_unscreened_grids_are_reminded_once(world: CaseWorld, settings: Any) -> None:
    today = timezone.localdate()
    settings.GRIDWORK_SCREENING_DUE_DAY = min(today.day, 28)
    record(world.grid_worker, world.tree.grid, today, entries=(leak(),))
    sent = screening_remind(on=today, force=True)
    # grid2's worker (and the grid of community2 has no worker); the community staff are not grid workers.
    assert sent == 1
    reminded = Notification.objects.get()
    assert reminded.recipient == world.grid_worker2
    assert world.tree.grid2.name in reminded.text
    assert "/staff/screening/new/" in reminded.url
    assert screening_remind(on=today, force=True) == 0  # a second run the same day sends nothing


def test_the_task_runs(world: CaseWorld) -> None:
    assert "reminded" in tasks.remind_unscreened.call()
