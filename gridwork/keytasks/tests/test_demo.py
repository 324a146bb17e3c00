"""The demo's key tasks (``manage.py demo_keytasks``) on the small demo city: an active renovation with an item per
community, milestones, reports whose percent never drops without a reason, a draft; a second run refuses, or with
``--if-empty`` adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.keytasks.models import KeyTask, Milestone, ProgressReport, ProjectItem, TaskState
from gridwork.places import locating

COMMUNITIES = 2


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_keytasks", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_an_active_renovation_and_a_draft(self) -> None:
        states = sorted(KeyTask.objects.values_list("state", flat=True))
        assert states == [TaskState.ACTIVE, TaskState.DRAFT]
        active = KeyTask.objects.get(state=TaskState.ACTIVE)
        assert "老旧小区改造" in active.title
        places = ProjectItem.objects.filter(task=active, responsible_place__isnull=False)
        assert places.count() == COMMUNITIES

    def test_progress_milestones_and_the_percent_rule(self) -> None:
        assert ProgressReport.objects.exists()
        assert Milestone.objects.filter(done_on__isnull=False).exists()
        for item in ProjectItem.objects.all():
            last = 0
            for report in item.reports.order_by("reported_at", "pk"):
                assert report.percent >= last or report.reason
                last = report.percent
            assert item.percent == last

    def test_a_second_run(self, demo_output: str) -> None:
        assert "Key tasks:" in demo_output
        with pytest.raises(CommandError):
            call_command("demo_keytasks", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        call_command("demo_keytasks", allow_without_debug=True, if_empty=True, stdout=output)
        assert "there already" in output.getvalue()
