"""The demo's admission (``manage.py demo_admission``) on the small demo city: the default list, civil affairs as
approving bodies, requests in every state whose histories follow the flow, an admitted task assigned and received,
a report; a second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from gridwork.admission.models import (
    AdmissionRequest,
    AdmissionState,
    ApprovingBody,
    Assignment,
    DutyItem,
    UnadmittedReport,
)
from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.places import locating


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_admission", allow_without_debug=True, communities=2, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_list_and_bodies(self) -> None:
        assert DutyItem.objects.count() == 44
        assert ApprovingBody.objects.exists()
        assert all(body.department.name.endswith("民政局") for body in ApprovingBody.objects.all())

    def test_requests_in_every_state(self) -> None:
        states = set(AdmissionRequest.objects.values_list("state", flat=True))
        assert states == {
            AdmissionState.DRAFT,
            AdmissionState.SUBMITTED,
            AdmissionState.APPROVED,
            AdmissionState.REFUSED,
        }
        for subject in AdmissionRequest.objects.all():
            assert subject.version == subject.events.count()

    def test_only_admitted_tasks_assigned(self) -> None:
        assert Assignment.objects.exists()
        assert not Assignment.objects.exclude(admission__state=AdmissionState.APPROVED).exists()
        assert Assignment.objects.filter(received_at__isnull=False).exists()
        assert UnadmittedReport.objects.count() == 1

    def test_again(self) -> None:
        with pytest.raises(CommandError):
            call_command("demo_admission", allow_without_debug=True, stdout=StringIO())
        output = StringIO()
        call_command("demo_admission", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
