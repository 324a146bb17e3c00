"""The staff pages at /staff/key-tasks/: scope (a sibling community's item and an outside task are 404; a grid worker
is refused 403), forms refused with the field named (400), a stale page (409), progress with evidence through the
page, the export and the figures holding only what the reader may see, and "my items"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from gridwork.keytasks.models import KeyTask, ProgressReport, ProjectItem, ReportEvidence, TaskState
from gridwork.keytasks.tests.factories import World, make_world
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"keytasks:{name}", args=args)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("wall.png", buffer.getvalue(), content_type="image/png")


def test_the_list_shows_the_task_to_its_units_and_nothing_to_a_sibling_street(world: World) -> None:
    for user in (world.street, world.district, world.community, world.community2, world.handler):
        response = client_of(user).get(url("task-list"))
        assert response.status_code == 200
        assert "老旧小区改造" in response.content.decode()
    response = client_of(world.other_street).get(url("task-list"))
    assert "老旧小区改造" not in response.content.decode()
    assert client_of(world.grid).get(url("task-list")).status_code == 403


def test_the_list_filters(world: World) -> None:
    client = client_of(world.street)
    assert "老旧小区改造" not in client.get(url("task-list"), {"state": TaskState.DRAFT}).content.decode()
    assert "老旧小区改造" in client.get(url("task-list"), {"q": "老旧"}).content.decode()
    assert "老旧小区改造" not in client.get(url("task-list"), {"q": "不存在"}).content.decode()
    assert "老旧小区改造" in client.get(url("task-list"), {"place": world.tree.street.pk}).content.decode()
    assert "老旧小区改造" not in client.get(url("task-list"), {"place": world.tree.street2.pk}).content.decode()


def test_a_community_sees_its_own_item_on_the_task_page_and_a_siblings_is_404(world: World) -> None:
    client = client_of(world.community)
    page = client.get(url("task-detail", world.task.pk)).content.decode()
    assert "春晖小区外墙改造" in page
    assert "秋实小区管网改造" not in page
    assert "加装电梯审批" not in page
    assert client.get(url("item-detail", world.item.pk)).status_code == 200
    assert client.get(url("item-detail", world.item2.pk)).status_code == 404
    assert client.get(url("item-detail", world.dept_item.pk)).status_code == 404


def test_an_outside_street_finds_nothing(world: World) -> None:
    client = client_of(world.other_street)
    for name, pk in (("task-detail", world.task.pk), ("task-export", world.task.pk), ("item-detail", world.item.pk)):
        assert client.get(url(name, pk)).status_code == 404
    assert client.post(url("task-move", world.task.pk, "cancel"), {"version": world.task.version}).status_code == 404


def test_managing_pages_refuse_those_without_the_permission(world: World) -> None:
    client = client_of(world.community)
    assert client.get(url("task-create")).status_code == 403
    assert client.get(url("item-create", world.task.pk)).status_code == 403
    assert client.post(url("task-move", world.task.pk, "cancel"), {"version": 1, "note": "x"}).status_code == 403


def test_defining_a_task_through_the_page_and_a_refusal_naming_the_field(world: World) -> None:
    client = client_of(world.street)
    values = {
        "title": "背街小巷整治",
        "description": "",
        "place": world.tree.street.pk,
        "leader": world.street.pk,
        "starts_on": "2026-04-01",
        "target_on": "2026-03-01",
    }
    response = client.post(url("task-create"), values)
    assert response.status_code == 400
    assert 'data-testid="error-target_on"' in response.content.decode()
    response = client.post(url("task-create"), values | {"target_on": "2026-10-01"})
    assert response.status_code == 302
    task = KeyTask.objects.get(title="背街小巷整治")
    assert task.state == TaskState.DRAFT


def test_adding_an_item_through_the_page(world: World) -> None:
    client = client_of(world.street)
    assert client.get(url("item-create", world.task.pk)).status_code == 200
    values = {
        "title": "春晖小区加装电梯",
        "unit": f"place:{world.tree.community.pk}",
        "person": world.community2.pk,
        "deadline": "2026-09-30",
    }
    response = client.post(url("item-create", world.task.pk), values)
    assert response.status_code == 400
    assert 'data-testid="error-person"' in response.content.decode()
    response = client.post(url("item-create", world.task.pk), values | {"person": world.community.pk})
    assert response.status_code == 302
    assert world.task.items.filter(title="春晖小区加装电梯", position=4).exists()


def test_reporting_progress_with_evidence_and_downloading_it(
    world: World, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_of(world.community)
    values = {
        "percent": "35",
        "text": "外墙脚手架搭设完成。",
        "milestones": [str(world.milestone.pk)],
        "version": str(world.item.version),
        "evidence": [png()],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("item-report", world.item.pk), values)
    assert response.status_code == 302
    made = ProgressReport.objects.get(item=world.item)
    evidence = ReportEvidence.objects.get(report=made)
    assert evidence.kind == "photo"
    assert client.get(url("evidence", evidence.pk)).status_code == 200
    assert client_of(world.community2).get(url("evidence", evidence.pk)).status_code == 404
    page = client.get(url("item-detail", world.item.pk)).content.decode()
    assert 'data-percent="35"' in page


def test_a_report_refused_names_the_field_and_a_stale_page_is_409(world: World) -> None:
    client = client_of(world.community)
    base = {"percent": "30", "text": "进展", "version": str(world.item.version)}
    response = client.post(url("item-report", world.item.pk), base | {"text": ""})
    assert response.status_code == 400
    assert 'data-testid="error-text"' in response.content.decode()
    assert client.post(url("item-report", world.item.pk), base).status_code == 302
    fresh = {"version": str(ProjectItem.objects.get(pk=world.item.pk).version)}
    response = client.post(url("item-report", world.item.pk), base | fresh | {"percent": "10"})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    assert client.post(url("item-report", world.item.pk), base | {"percent": "40"}).status_code == 409
    assert client_of(world.community2).post(url("item-report", world.item.pk), base).status_code == 404


def test_moving_the_task_through_the_page(world: World) -> None:
    client = client_of(world.street)
    response = client.post(url("task-move", world.task.pk, "cancel"), {"version": world.task.version, "note": ""})
    assert response.status_code == 400
    response = client.post(url("task-move", world.task.pk, "cancel"), {"version": 1, "note": "x"})
    assert response.status_code == 409
    response = client.post(url("task-move", world.task.pk, "cancel"), {"version": world.task.version, "note": "撤销"})
    assert response.status_code == 302
    assert KeyTask.objects.get(pk=world.task.pk).state == TaskState.CANCELLED


def test_the_export_holds_the_readers_items_only(world: World) -> None:
    def rows(user: Any) -> list[tuple[Any, ...]]:
        response = client_of(user).get(url("task-export", world.task.pk))
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        return list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows(world.street)] == ["春晖小区外墙改造", "秋实小区管网改造", "加装电梯审批"]
    only = rows(world.community)
    assert [row[1] for row in only] == ["春晖小区外墙改造"]
    assert only[0][2:4] == ("春晖社区", "李春晖")


def test_the_figures_per_task_and_my_items(world: World) -> None:
    page = client_of(world.street).get(url("overview")).content.decode()
    assert "0 / 3" in page  # items done of the list
    page = client_of(world.community2).get(url("overview")).content.decode()
    assert "0 / 1" in page
    page = client_of(world.community).get(url("my-items")).content.decode()
    assert "春晖小区外墙改造" in page
    assert "秋实小区管网改造" not in page
