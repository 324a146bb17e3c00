"""The admission services: drafting and submitting, the approving bodies' joint decision (all approve, one refusal
refuses, only a body's own staff), assignment only of an admitted task — refused by the service and, for a raw insert
around it, by the database — receipt, and reports of tasks pushed without admission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import TestCase
from django.utils import timezone

from gridwork.admission import duties, services
from gridwork.admission.models import (
    AdmissionDecision,
    AdmissionEvent,
    AdmissionRequest,
    AdmissionState,
    Assignment,
    DecisionKind,
    UnadmittedReport,
)
from gridwork.admission.services import ReportInput
from gridwork.admission.tests.factories import World, admission_values, approved, drafted, make_world, submitted
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def raw_assign(admission_id: int, community_id: int, user_id: int) -> None:
    """An assignment row written around the services, as any other program could."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO admission_assignment (admission_id, community_id, assigned_by_id, assigned_at) "
            "VALUES (%s, %s, %s, %s)",
            [admission_id, community_id, user_id, timezone.now()],
        )


class TestRequests:
    def test_a_department_drafts_for_its_department(self, world: World) -> None:
        subject = drafted(world)
        assert subject.state == AdmissionState.DRAFT
        assert subject.requester_department == world.tree.department
        assert subject.requester_place == world.tree.district
        assert AuditEvent.objects.filter(action="admission.request_create", object_id=str(subject.pk)).exists()

    def test_a_street_drafts_for_itself(self, world: World) -> None:
        subject = services.admission_create(actor=world.street, values=admission_values(world.tree.street))
        assert subject.requester_department is None
        assert subject.requester_place == world.tree.street

    def test_outside_ones_own_area_refused(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.admission_create(actor=world.street2, values=admission_values(world.tree.street))
        with pytest.raises(PermissionDenied):
            services.admission_create(actor=world.community, values=admission_values(world.tree.street))

    def test_resources_and_reasons_are_required(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            drafted(world, reason=" ", funds_source="", authority="")
        assert set(refused.value.message_dict) == {"reason", "funds_source", "authority"}

    def test_scope_must_be_a_street_district_or_city(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            services.admission_create(actor=world.street, values=admission_values(world.tree.community))
        assert "scope" in refused.value.message_dict

    def test_end_before_start_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            drafted(world, ends_on=admission_values(world.tree.street).starts_on - timedelta(days=1))
        assert "ends_on" in refused.value.message_dict

    def test_submission_fixes_every_body_over_the_scope(self, world: World) -> None:
        subject = submitted(world)
        assert subject.state == AdmissionState.SUBMITTED
        assert set(subject.bodies.all()) == {world.organisation, world.civil}
        assert subject.submitted_at is not None

    def test_a_body_of_another_district_is_not_asked(self, world: World) -> None:
        other = duties.approving_body_add(
            actor=world.city, department=world.other_district_handler.active_posts[0].department
        )
        subject = submitted(world)
        assert other not in subject.bodies.all()

    def test_no_body_over_the_scope_refuses_submission(self, world: World) -> None:
        duties.approving_body_remove(actor=world.district, body=world.organisation)
        duties.approving_body_remove(actor=world.city, body=world.civil)
        subject = drafted(world)
        with pytest.raises(ValidationError) as refused:
            services.admission_submit(actor=world.requester, subject=subject, expected_version=subject.version)
        assert "scope" in refused.value.message_dict
        subject.refresh_from_db()
        assert subject.state == AdmissionState.DRAFT

    def test_only_the_requester_submits(self, world: World) -> None:
        subject = drafted(world)
        with pytest.raises(PermissionDenied):
            services.admission_submit(actor=world.street, subject=subject, expected_version=subject.version)

    def test_stale_page_refused(self, world: World) -> None:
        subject = drafted(world)
        with pytest.raises(StaleState):
            services.admission_submit(actor=world.requester, subject=subject, expected_version=subject.version + 1)

    def test_withdraw(self, world: World) -> None:
        subject = submitted(world)
        services.admission_withdraw(actor=world.requester, subject=subject, expected_version=subject.version)
        assert subject.state == AdmissionState.WITHDRAWN
        with pytest.raises(MoveRefused):
            services.admission_withdraw(actor=world.requester, subject=subject, expected_version=subject.version)

    def test_edit_a_draft_only(self, world: World) -> None:
        subject = drafted(world)
        services.admission_update(
            actor=world.requester,
            subject=subject,
            values=admission_values(world.tree.street, title="新标题"),
            expected_version=subject.version,
        )
        subject.refresh_from_db()
        assert subject.title == "新标题"
        services.admission_submit(actor=world.requester, subject=subject, expected_version=subject.version)
        with pytest.raises(StaleState):
            services.admission_update(
                actor=world.requester,
                subject=subject,
                values=admission_values(world.tree.street),
                expected_version=subject.version,
            )


class TestDecisions:
    def test_joint_approval_needs_every_body(self, world: World) -> None:
        subject = submitted(world)
        services.admission_decide(
            actor=world.organisation_handler,
            subject=subject,
            body=world.organisation,
            decision=DecisionKind.APPROVE,
            expected_version=subject.version,
        )
        subject.refresh_from_db()
        assert subject.state == AdmissionState.SUBMITTED
        services.admission_decide(
            actor=world.civil_handler,
            subject=subject,
            body=world.civil,
            decision=DecisionKind.APPROVE,
            expected_version=subject.version,
        )
        subject.refresh_from_db()
        assert subject.state == AdmissionState.APPROVED
        assert subject.decided_at is not None
        assert list(subject.events.values_list("action", flat=True)) == ["create", "submit", "approve"]

    def test_one_refusal_refuses(self, world: World) -> None:
        subject = submitted(world)
        services.admission_decide(
            actor=world.civil_handler,
            subject=subject,
            body=world.civil,
            decision=DecisionKind.REFUSE,
            reason="未随事转移经费。",
            expected_version=subject.version,
        )
        subject.refresh_from_db()
        assert subject.state == AdmissionState.REFUSED
        assert subject.refusal_reason == "未随事转移经费。"
        with pytest.raises(StaleState):
            services.admission_decide(
                actor=world.organisation_handler,
                subject=subject,
                body=world.organisation,
                decision=DecisionKind.APPROVE,
                expected_version=subject.version,
            )

    def test_refusal_needs_a_reason(self, world: World) -> None:
        subject = submitted(world)
        with pytest.raises(ValidationError) as refused:
            services.admission_decide(
                actor=world.civil_handler,
                subject=subject,
                body=world.civil,
                decision=DecisionKind.REFUSE,
                reason="  ",
                expected_version=subject.version,
            )
        assert "reason" in refused.value.message_dict
        assert not AdmissionDecision.objects.exists()

    def test_a_department_that_is_not_the_body_cannot_decide(self, world: World) -> None:
        subject = submitted(world)
        # The requesting department's handler holds DECIDE_ADMISSION, but their department is no approving body.
        for actor in (world.requester, world.other_district_handler, world.district, world.organisation_handler):
            with pytest.raises(PermissionDenied):
                services.admission_decide(
                    actor=actor,
                    subject=subject,
                    body=world.civil,
                    decision=DecisionKind.APPROVE,
                    expected_version=subject.version,
                )
        assert not AdmissionDecision.objects.exists()

    def test_a_body_decides_once(self, world: World) -> None:
        subject = submitted(world)
        services.admission_decide(
            actor=world.organisation_handler,
            subject=subject,
            body=world.organisation,
            decision=DecisionKind.APPROVE,
            expected_version=subject.version,
        )
        with pytest.raises(ValidationError) as refused:
            services.admission_decide(
                actor=world.organisation_handler,
                subject=subject,
                body=world.organisation,
                decision=DecisionKind.APPROVE,
                expected_version=subject.version,
            )
        assert "decision" in refused.value.message_dict

    def test_the_bodies_left_to_decide(self, world: World) -> None:
        subject = submitted(world)
        assert services.bodies_to_decide(world.organisation_handler, subject) == [world.organisation]
        assert services.bodies_to_decide(world.requester, subject) == []

    def test_decisions_and_events_are_append_only(self, world: World) -> None:
        subject = approved(world)
        with pytest.raises(DatabaseError), transaction.atomic():
            AdmissionDecision.objects.filter(request=subject).update(reason="changed")
        with pytest.raises(DatabaseError), transaction.atomic():
            AdmissionEvent.objects.filter(subject=subject).delete()


class TestAssignment:
    def test_an_unadmitted_task_cannot_be_assigned(self, world: World) -> None:
        """The 准入 rule: a task pushed to communities without admission is refused."""
        for subject in (drafted(world), submitted(world)):
            with pytest.raises(ValidationError) as refused:
                services.assignment_create(actor=world.requester, subject=subject)
            assert "communities" in refused.value.message_dict
        assert not Assignment.objects.exists()

    def test_a_refused_task_cannot_be_assigned(self, world: World) -> None:
        subject = submitted(world)
        services.admission_decide(
            actor=world.civil_handler,
            subject=subject,
            body=world.civil,
            decision=DecisionKind.REFUSE,
            reason="不符合准入条件。",
            expected_version=subject.version,
        )
        with pytest.raises(ValidationError):
            services.assignment_create(actor=world.requester, subject=subject)

    def test_an_admitted_task_goes_to_every_community_of_its_scope(self, world: World) -> None:
        subject = approved(world)
        made = services.assignment_create(actor=world.requester, subject=subject)
        assert {a.community for a in made} == {world.tree.community, world.tree.community2}
        assert services.assignment_create(actor=world.requester, subject=subject) == []  # already assigned

    def test_or_to_the_chosen_ones(self, world: World) -> None:
        subject = approved(world)
        made = services.assignment_create(actor=world.street, subject=subject, communities=[world.tree.community])
        assert [a.community for a in made] == [world.tree.community]

    def test_not_outside_its_scope(self, world: World) -> None:
        subject = approved(world)
        with pytest.raises(ValidationError):
            services.assignment_create(actor=world.requester, subject=subject, communities=[world.tree.street])

    def test_only_the_requester_or_the_area_assigns(self, world: World) -> None:
        subject = approved(world)
        with pytest.raises(PermissionDenied):
            services.assignment_create(actor=world.street2, subject=subject)
        with pytest.raises(PermissionDenied):
            services.assignment_create(actor=world.community, subject=subject)

    def test_receipt_by_the_community_once(self, world: World) -> None:
        subject = approved(world)
        mine, theirs = sorted(
            services.assignment_create(actor=world.requester, subject=subject), key=lambda a: a.community.code
        )
        with pytest.raises(PermissionDenied):
            services.assignment_receive(actor=world.community, assignment=theirs)
        with pytest.raises(PermissionDenied):
            services.assignment_receive(actor=world.street, assignment=mine)
        services.assignment_receive(actor=world.community, assignment=mine)
        mine.refresh_from_db()
        assert mine.received_by == world.community
        with pytest.raises(ValidationError):
            services.assignment_receive(actor=world.community, assignment=mine)


class TestTheDatabaseRefuses(TestCase):
    """A raw insert around the services: the trigger refuses an assignment of a task that is not admitted, or to a
    place that is not a community of its scope (SQLite and PostgreSQL alike)."""

    def setUp(self) -> None:
        from gridwork.places.tests.factories import make_city_tree

        self.world = make_world(make_city_tree())

    def test_raw_insert_of_an_unadmitted_task(self) -> None:
        world = self.world
        for subject in (drafted(world), submitted(world)):
            with pytest.raises(IntegrityError), transaction.atomic():
                raw_assign(subject.pk, world.tree.community.pk, world.requester.pk)
        assert not Assignment.objects.exists()

    def test_raw_insert_outside_the_scope(self) -> None:
        world = self.world
        subject = approved(world)
        for place in (world.tree.street, world.tree.grid):
            with pytest.raises(IntegrityError), transaction.atomic():
                raw_assign(subject.pk, place.pk, world.requester.pk)
        raw_assign(subject.pk, world.tree.community.pk, world.requester.pk)
        assert Assignment.objects.count() == 1

    def test_raw_update_to_an_unadmitted_task(self) -> None:
        world = self.world
        subject = approved(world)
        other = submitted(world)
        (assignment,) = services.assignment_create(
            actor=world.requester, subject=subject, communities=[world.tree.community]
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.filter(pk=assignment.pk).update(admission=other)

    def test_raw_update_of_an_assigned_request_out_of_admission(self) -> None:
        """Once assigned, the request stays admitted and keeps its scope (migration 0004); unassigned, it may move."""
        world = self.world
        subject = approved(world)
        services.assignment_create(actor=world.requester, subject=subject, communities=[world.tree.community])
        for changes in (
            {"state": AdmissionState.WITHDRAWN},
            {"state": AdmissionState.REFUSED},
            {"scope": world.tree.grid},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                AdmissionRequest.objects.filter(pk=subject.pk).update(**changes)
        assert AdmissionRequest.objects.get(pk=subject.pk).state == AdmissionState.APPROVED
        unassigned = approved(world)
        AdmissionRequest.objects.filter(pk=unassigned.pk).update(state=AdmissionState.WITHDRAWN)


class TestReports:
    def values(self, world: World, **changes: object) -> ReportInput:
        values: dict[str, object] = {
            "community": world.tree.community,
            "department": world.tree.department,
            "pushed_by": "",
            "task": "每日上报油烟排查台账",
            "details": "工作群通知,未经准入。",
            "pushed_on": timezone.localdate(),
        }
        values.update(changes)
        return ReportInput(**values)  # type: ignore[arg-type]

    def test_a_community_reports_and_the_bodies_are_told(self, world: World) -> None:
        from gridwork.notifications.models import Notification

        with TestCase.captureOnCommitCallbacks(execute=True):
            report = services.unadmitted_report_create(actor=world.community, values=self.values(world))
        assert report.pushed_by == world.tree.department.name
        told = set(Notification.objects.values_list("recipient__username", flat=True))
        assert told == {"zuzhi", "minzheng"}

    def test_only_the_community_itself_reports(self, world: World) -> None:
        for actor in (world.community2, world.street, world.grid):
            with pytest.raises(PermissionDenied):
                services.unadmitted_report_create(actor=actor, values=self.values(world))

    def test_a_unit_must_be_named(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            services.unadmitted_report_create(actor=world.community, values=self.values(world, department=None))
        assert "pushed_by" in refused.value.message_dict

    def test_reports_are_append_only(self, world: World) -> None:
        services.unadmitted_report_create(actor=world.community, values=self.values(world))
        with pytest.raises(DatabaseError), transaction.atomic():
            UnadmittedReport.objects.update(task="x")
