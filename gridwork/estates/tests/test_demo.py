"""The demo's estates (``manage.py demo_estates``) on the small demo city: estates in the first communities with
committees in several states, members, notices; a second run refuses, or with ``--if-empty`` adds nothing."""

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
from gridwork.estates.models import Committee, CommitteeMember, CommitteeStatus, DutyNotice, Estate, EstateKind
from gridwork.places import locating


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_estates", allow_without_debug=True, communities=2, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_estates_and_committees(self) -> None:
        assert Estate.objects.values("community").distinct().count() == 2
        assert Estate.objects.filter(kind=EstateKind.OPEN_BLOCK).exists()
        states = set(Committee.objects.values_list("state", flat=True))
        assert {CommitteeStatus.ACTIVE, CommitteeStatus.FORMING} <= states
        assert CommitteeMember.objects.filter(is_community_leader=True, staff_user__isnull=False).exists()
        assert DutyNotice.objects.exists()

    def test_again_refuses_or_adds_nothing(self) -> None:
        before = Estate.objects.count()
        with pytest.raises(CommandError):
            call_command("demo_estates", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        call_command("demo_estates", allow_without_debug=True, if_empty=True, stdout=output)
        assert Estate.objects.count() == before
