"""The staff pages at /staff/admission/: scope (another district's request and another community's task are not
found: 404; missing permissions: 403), refused forms (400 with the field), the decision and assignment pages, the
community's tasks and report form, the duty list pages and the figures with their export."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.admission import duties, services
from gridwork.admission.models import AdmissionState, Assignment, DutyChange, DutyItem, UnadmittedReport
from gridwork.admission.tests.factories import World, approved, drafted, make_world, submitted
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def request_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "适龄儿童疫苗接种提醒",
        "content": "逐户提醒。",
        "reason": "卫健部门无法逐户联系。",
        "legal_basis": "《疫苗管理法》",
        "scope": world.tree.street.pk,
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
        "authority": "使用接种提醒名单。",
        "staffing": "派1名联络员。",
        "staff_count": "1",
        "funds_amount": "8000",
        "funds_source": "公共卫生服务经费",
    }
    data.update(changes)
    return data


class TestRequests:
    def test_list_and_detail_in_scope(self, world: World) -> None:
        subject = submitted(world)
        for user in (world.requester, world.street, world.civil_handler, world.organisation_handler):
            page = client_of(user).get(reverse("admission:request-detail", args=[subject.pk]))
            assert page.status_code == 200
            assert "60000.00" in page.content.decode()
        listing = client_of(world.street).get(reverse("admission:request-list"))
        assert subject.title in listing.content.decode()

    def test_out_of_scope_is_not_found(self, world: World) -> None:
        subject = submitted(world)
        url = reverse("admission:request-detail", args=[subject.pk])
        for user in (world.street2, world.other_district_handler):
            assert client_of(user).get(url).status_code == 404
        assert subject.title not in client_of(world.street2).get(reverse("admission:request-list")).content.decode()

    def test_missing_permission_is_forbidden(self, world: World) -> None:
        assert client_of(world.grid).get(reverse("admission:request-list")).status_code == 403
        assert client_of(world.community).get(reverse("admission:request-create")).status_code == 403
        subject = submitted(world)
        decide = reverse("admission:request-decide", args=[subject.pk])
        assert client_of(world.street).post(decide, {}).status_code == 403

    def test_create_then_submit(self, world: World) -> None:
        client = client_of(world.requester)
        response = client.post(reverse("admission:request-create"), request_form(world))
        assert response.status_code == 302
        subject = world.tree.street.admission_requests.get()
        response = client.post(reverse("admission:request-submit", args=[subject.pk]), {"version": subject.version})
        assert response.status_code == 302
        subject.refresh_from_db()
        assert subject.state == AdmissionState.SUBMITTED

    def test_bad_form_names_the_field(self, world: World) -> None:
        response = client_of(world.requester).post(
            reverse("admission:request-create"), request_form(world, funds_source="", ends_on="2026-01-01")
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert 'data-testid="error-funds_source"' in body
        assert 'data-testid="error-ends_on"' in body

    def test_a_scope_outside_ones_area_is_refused(self, world: World) -> None:
        response = client_of(world.street2).post(reverse("admission:request-create"), request_form(world))
        assert response.status_code == 400
        assert 'data-testid="error-scope"' in response.content.decode()

    def test_a_body_decides_on_the_page(self, world: World) -> None:
        subject = submitted(world)
        client = client_of(world.civil_handler)
        page = client.get(reverse("admission:request-detail", args=[subject.pk]))
        assert 'data-testid="decide-form"' in page.content.decode()
        url = reverse("admission:request-decide", args=[subject.pk])
        response = client.post(url, {"version": subject.version, "body": world.civil.pk, "decision": "refuse"})
        assert response.status_code == 400
        assert 'data-testid="error-reason"' in response.content.decode()
        response = client.post(
            url, {"version": subject.version, "body": world.civil.pk, "decision": "refuse", "reason": "经费未落实。"}
        )
        assert response.status_code == 302
        subject.refresh_from_db()
        assert subject.state == AdmissionState.REFUSED

    def test_a_non_body_department_cannot_decide_on_the_page(self, world: World) -> None:
        subject = submitted(world)
        client = client_of(world.requester)
        page = client.get(reverse("admission:request-detail", args=[subject.pk]))
        assert 'data-testid="decide-form"' not in page.content.decode()
        response = client.post(
            reverse("admission:request-decide", args=[subject.pk]),
            {"version": subject.version, "body": world.civil.pk, "decision": "approve"},
        )
        assert response.status_code == 403

    def test_stale_decision_is_a_conflict(self, world: World) -> None:
        subject = submitted(world)
        response = client_of(world.civil_handler).post(
            reverse("admission:request-decide", args=[subject.pk]),
            {"version": subject.version + 5, "body": world.civil.pk, "decision": "approve"},
        )
        assert response.status_code == 409

    def test_assign_only_an_admitted_task(self, world: World) -> None:
        waiting = submitted(world)
        client = client_of(world.requester)
        response = client.post(
            reverse("admission:request-assign", args=[waiting.pk]), {"communities": [world.tree.community.pk]}
        )
        assert response.status_code == 400
        assert 'data-testid="error-communities"' in response.content.decode()
        assert not Assignment.objects.exists()
        subject = approved(world)
        response = client.post(reverse("admission:request-assign", args=[subject.pk]), {})
        assert response.status_code == 302
        assert subject.assignments.count() == 2

    def test_edit_a_draft(self, world: World) -> None:
        subject = drafted(world)
        client = client_of(world.requester)
        assert client.get(reverse("admission:request-edit", args=[subject.pk])).status_code == 200
        response = client.post(
            reverse("admission:request-edit", args=[subject.pk]),
            request_form(world, title="改后的任务", version=subject.version),
        )
        assert response.status_code == 302
        subject.refresh_from_db()
        assert subject.title == "改后的任务"


class TestCommunity:
    def test_tasks_with_resources_and_receipt(self, world: World) -> None:
        subject = approved(world)
        services.assignment_create(actor=world.requester, subject=subject)
        mine = Assignment.objects.get(community=world.tree.community)
        theirs = Assignment.objects.get(community=world.tree.community2)
        client = client_of(world.community)
        listing = client.get(reverse("admission:task-list")).content.decode()
        assert listing.count('data-testid="task-row"') == 1
        page = client.get(reverse("admission:task-detail", args=[mine.pk]))
        assert "区级老旧小区改造专项资金" in page.content.decode()
        assert client.get(reverse("admission:task-detail", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("admission:task-receive", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("admission:task-receive", args=[mine.pk])).status_code == 302
        assert client.post(reverse("admission:task-receive", args=[mine.pk])).status_code == 400
        mine.refresh_from_db()
        assert mine.received_at is not None

    def test_report_an_unadmitted_task(self, world: World) -> None:
        client = client_of(world.community)
        assert client.get(reverse("admission:report-create")).status_code == 200
        data = {
            "community": world.tree.community.pk,
            "department": world.tree.department.pk,
            "task": "每日上报台账",
            "details": "工作群通知。",
            "pushed_on": timezone.localdate().isoformat(),
        }
        response = client.post(reverse("admission:report-create"), {**data, "task": ""})
        assert response.status_code == 400
        assert 'data-testid="error-task"' in response.content.decode()
        assert client.post(reverse("admission:report-create"), data).status_code == 302
        assert UnadmittedReport.objects.get().pushed_by == world.tree.department.name
        other = client_of(world.community2).post(
            reverse("admission:report-create"), {**data, "community": world.tree.community.pk}
        )
        assert other.status_code == 400  # not one of their communities
        assert "每日上报台账" in client_of(world.street).get(reverse("admission:report-list")).content.decode()
        assert "每日上报台账" not in client_of(world.street2).get(reverse("admission:report-list")).content.decode()


class TestDutyPages:
    def test_the_list_and_its_history(self, world: World) -> None:
        duties.duty_list_load_defaults(actor=world.city, scope=world.tree.city)
        page = client_of(world.community).get(reverse("admission:duty-list")).content.decode()
        assert page.count('data-testid="duty-row"') == 44
        assert 'data-testid="duty-new"' not in page
        history = client_of(world.community).get(reverse("admission:duty-history"))
        assert history.status_code == 200

    def test_keepers_add_edit_and_retire(self, world: World) -> None:
        client = client_of(world.district)
        response = client.post(
            reverse("admission:duty-create"),
            {"scope": world.tree.district.pk, "kind": "assisting", "number": "23", "title": "协助老旧小区改造"},
        )
        assert response.status_code == 400
        assert 'data-testid="error-assists"' in response.content.decode()
        response = client.post(
            reverse("admission:duty-create"),
            {
                "scope": world.tree.district.pk,
                "kind": "assisting",
                "number": "23",
                "title": "协助老旧小区改造",
                "assists": "住建局",
            },
        )
        assert response.status_code == 302
        item = DutyItem.objects.get()
        response = client.post(
            reverse("admission:duty-edit", args=[item.pk]),
            {"kind": "assisting", "number": "23", "title": "协助老旧小区改造工作", "assists": "住建局", "version": 1},
        )
        assert response.status_code == 302
        assert client.post(reverse("admission:duty-toggle", args=[item.pk]), {"version": 1}).status_code == 409
        assert client.post(reverse("admission:duty-toggle", args=[item.pk]), {"version": 2}).status_code == 302
        assert DutyChange.objects.filter(item=item).count() == 3

    def test_edit_buttons_only_on_the_lists_one_keeps(self, world: World) -> None:
        duties.duty_list_load_defaults(actor=world.city, scope=world.tree.city)
        own = duties.duty_item_create(
            actor=world.district, scope=world.tree.district, values=duties.DutyInput(kind="duty", number=23, title="x")
        )
        page = client_of(world.district).get(reverse("admission:duty-list")).content.decode()
        assert len(re.findall(r"/staff/admission/duties/\d+/edit/", page)) == 1
        assert reverse("admission:duty-edit", args=[own.pk]) in page
        page = client_of(world.city).get(reverse("admission:duty-list")).content.decode()
        assert len(re.findall(r"/staff/admission/duties/\d+/edit/", page)) == 45

    def test_outsiders_cannot_edit(self, world: World) -> None:
        item = duties.duty_item_create(
            actor=world.city, scope=world.tree.district2, values=duties.DutyInput(kind="duty", number=1, title="x")
        )
        assert client_of(world.district).get(reverse("admission:duty-edit", args=[item.pk])).status_code == 404
        assert client_of(world.street).get(reverse("admission:duty-create")).status_code == 403

    def test_bodies_page(self, world: World) -> None:
        client = client_of(world.district)
        page = client.get(reverse("admission:body-list")).content.decode()
        assert "东湖区委组织部" in page
        assert "明川市民政局" in page
        response = client.post(reverse("admission:body-add"), {"department": world.tree.department.pk})
        assert response.status_code == 302
        response = client.post(reverse("admission:body-add"), {"department": world.tree.department.pk})
        assert response.status_code == 400
        assert client_of(world.street).post(reverse("admission:body-add"), {}).status_code == 403
        assert client.post(reverse("admission:body-remove", args=[world.civil.pk])).status_code == 404


class TestFigures:
    def test_page_and_export(self, world: World) -> None:
        subject = approved(world)
        services.assignment_create(actor=world.requester, subject=subject)
        year = timezone.localdate().year
        client = client_of(world.street)
        page = client.get(reverse("admission:figures"), {"year": year})
        assert page.status_code == 200
        assert client.get(reverse("admission:figures"), {"year": "abc"}).status_code == 400
        export = client.get(reverse("admission:figures-export"), {"year": year})
        assert export.status_code == 200
        book = load_workbook(io.BytesIO(export.content))
        years = list(book.worksheets[0].iter_rows(values_only=True))
        assert years[1][:4] == (year, 1, 1, 0)
        load = {row[0]: row[2:] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
        assert load["春晖社区"] == (1, 0, 1, 0)
