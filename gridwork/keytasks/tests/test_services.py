"""The services: who may define and move a task, the project list's rules (one responsible unit, in the database too;
a person who reports at that unit), progress reports (the percent rule, milestones done by a report, 100% only with
every milestone, a stale page refused), who may report, the visibility rule with no leak to a sibling community, and
the append-only history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from gridwork.accounts.roles import Perm
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.keytasks import services
from gridwork.keytasks.flows import TaskAction
from gridwork.keytasks.models import ItemState, KeyTask, ProgressReport, ProjectItem, TaskState
from gridwork.keytasks.tests.factories import NOW, World, add_item, make_task, make_world
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def report(world: World, actor: object = None, item: ProjectItem | None = None, **values: object) -> ProgressReport:
    item = item or world.item
    item.refresh_from_db()
    arguments: dict[str, object] = {"percent": 30, "text": "脚手架搭设完成。", "expected_version": item.version}
    arguments.update(values)
    return services.progress_report(actor=actor or world.community, item=item, now=NOW, **arguments)  # type: ignore[arg-type]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- tasks ------------------------------------------------------------------------------------------------------------


def test_a_task_is_defined_as_a_draft_with_its_first_event_and_audited(tree: CityTree, world: World) -> None:
    task = make_task(world.street, tree, title="背街小巷整治")
    assert task.state == TaskState.DRAFT
    assert task.number.startswith("KT-2026-")
    assert [event.action for event in task.events.all()] == ["create"]
    assert AuditEvent.objects.filter(action="keytasks.task_create", object_id=str(task.pk)).exists()


def test_community_staff_cannot_define_a_task_and_a_street_not_above_a_community(tree: CityTree, world: World) -> None:
    values = services.TaskInput("x", "", tree.community, world.community, date(2026, 3, 1), date(2026, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_create(actor=world.community, values=values)
    assert "place" in errors_of(excinfo)
    other = services.TaskInput("x", "", tree.street, world.other_street, date(2026, 3, 1), date(2026, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_create(actor=world.other_street, values=other)
    assert "You do not manage key tasks there." in errors_of(excinfo)["place"]


def test_target_before_start_is_refused(tree: CityTree, world: World) -> None:
    values = services.TaskInput("x", "", tree.street, world.street, date(2026, 3, 1), date(2026, 2, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_create(actor=world.street, values=values)
    assert "target_on" in errors_of(excinfo)


def test_starting_needs_an_item_completing_needs_no_open_item_cancelling_needs_a_reason(
    tree: CityTree, world: World
) -> None:
    draft = make_task(world.street, tree, title="空任务")
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_move(actor=world.street, task=draft, action=TaskAction.ACTIVATE, expected_version=1)
    assert NON_FIELD_ERRORS in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_move(
            actor=world.street, task=world.task, action=TaskAction.COMPLETE, expected_version=world.task.version
        )
    assert NON_FIELD_ERRORS in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.key_task_move(actor=world.street, task=draft, action=TaskAction.CANCEL, expected_version=1)
    assert "note" in errors_of(excinfo)
    services.key_task_move(actor=world.street, task=draft, action=TaskAction.CANCEL, expected_version=1, note="合并")
    assert KeyTask.objects.get(pk=draft.pk).state == TaskState.CANCELLED
    with pytest.raises(MoveRefused):
        services.key_task_move(actor=world.street, task=draft, action=TaskAction.CANCEL, expected_version=2, note="x")


def test_a_stale_page_moves_nothing(world: World) -> None:
    with pytest.raises(StaleState):
        services.key_task_move(
            actor=world.street, task=world.task, action=TaskAction.CANCEL, expected_version=1, note="旧页面"
        )
    assert KeyTask.objects.get(pk=world.task.pk).state == TaskState.ACTIVE


def test_only_managers_over_the_owner_move_a_task(world: World) -> None:
    for outsider in (world.community, world.other_street, world.handler):
        with pytest.raises(PermissionDenied):
            services.key_task_move(
                actor=outsider, task=world.task, action=TaskAction.CANCEL, expected_version=world.task.version, note="x"
            )
    services.key_task_move(
        actor=world.district, task=world.task, action=TaskAction.CANCEL, expected_version=world.task.version, note="x"
    )


def test_completing_when_every_item_is_done_or_cancelled(world: World) -> None:
    for item in (world.item2, world.dept_item):
        services.item_cancel(actor=world.street, item=item, expected_version=item.version, reason="并入其他项目")
    world.item.refresh_from_db()
    report(world, percent=100, milestones=[world.milestone.pk])
    services.key_task_move(
        actor=world.street, task=world.task, action=TaskAction.COMPLETE, expected_version=world.task.version
    )
    assert KeyTask.objects.get(pk=world.task.pk).state == TaskState.COMPLETED


# --- the project list -------------------------------------------------------------------------------------------------


def test_items_are_numbered_in_order(world: World) -> None:
    assert [world.item.position, world.item2.position, world.dept_item.position] == [1, 2, 3]


def test_an_item_needs_exactly_one_unit_and_the_database_says_so_too(tree: CityTree, world: World) -> None:
    for place, department in ((None, None), (tree.community, tree.department)):
        with pytest.raises(ValidationError) as excinfo:
            add_item(world.street, world.task, title="x", person=world.community, place=place, department=department)
        assert "unit" in errors_of(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectItem.objects.create(
            task=world.task,
            position=9,
            title="x",
            responsible_place=tree.community,
            responsible_department=tree.department,
            responsible_person=world.community,
            deadline=date(2026, 6, 1),
        )


def test_the_unit_lies_under_the_owner_and_the_person_reports_there(tree: CityTree, world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        add_item(world.street, world.task, title="x", person=world.other_street, place=tree.street2)
    assert "unit" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        add_item(world.street, world.task, title="x", person=world.community2, place=tree.community)
    assert "person" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        add_item(world.street, world.task, title="x", person=world.grid, place=tree.community)
    assert "person" in errors_of(excinfo)


def test_a_milestone_is_due_within_the_item(world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_create(
            actor=world.street, item=world.item, title="x", due_on=world.item.deadline + timedelta(days=1)
        )
    assert "due_on" in errors_of(excinfo)
    with pytest.raises(PermissionDenied):
        services.milestone_create(actor=world.community, item=world.item, title="x", due_on=date(2026, 4, 1))


# --- progress ---------------------------------------------------------------------------------------------------------


def test_a_report_moves_the_item_and_marks_milestones_done_on_its_day(world: World) -> None:
    made = report(world, percent=40, milestones=[world.milestone.pk])
    world.item.refresh_from_db()
    world.milestone.refresh_from_db()
    assert world.item.percent == 40
    assert world.item.state == ItemState.OPEN
    assert world.milestone.done_on == date(2026, 3, 2)
    assert world.milestone.done_report == made
    assert world.milestone.on_time is True
    assert AuditEvent.objects.filter(action="keytasks.progress_report", object_id=str(world.item.pk)).exists()


def test_lower_than_the_last_report_needs_a_reason(world: World) -> None:
    report(world, percent=50)
    with pytest.raises(ValidationError) as excinfo:
        report(world, percent=40)
    assert "reason" in errors_of(excinfo)
    report(world, percent=40, reason="外墙返工，重新计算。")
    world.item.refresh_from_db()
    assert world.item.percent == 40
    assert ProgressReport.objects.filter(item=world.item).count() == 2


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_out_of_range_is_refused(world: World, percent: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        report(world, percent=percent)
    assert "percent" in errors_of(excinfo)


def test_one_hundred_percent_needs_every_milestone_and_completes_the_item(world: World) -> None:
    with pytest.raises(ValidationError) as excinfo:
        report(world, percent=100)
    assert "percent" in errors_of(excinfo)
    report(world, percent=100, milestones=[world.milestone.pk])
    world.item.refresh_from_db()
    assert (world.item.state, world.item.done_on) == (ItemState.DONE, date(2026, 3, 2))
    with pytest.raises(ValidationError):
        report(world, percent=100)


def test_another_items_milestone_is_refused(world: World) -> None:
    other = world.item2.milestones.get()
    with pytest.raises(ValidationError) as excinfo:
        report(world, milestones=[other.pk])
    assert "milestones" in errors_of(excinfo)


def test_a_report_on_a_stale_page_saves_nothing(world: World) -> None:
    with pytest.raises(StaleState):
        report(world, expected_version=world.item.version + 5)
    assert not ProgressReport.objects.exists()


def test_who_may_report(world: World) -> None:
    report(world, actor=world.street, percent=10)  # over the unit
    report(world, item=world.dept_item, actor=world.handler, percent=10)  # the department's handler
    for outsider in (world.community2, world.other_street, world.grid, world.handler):
        with pytest.raises(PermissionDenied):
            report(world, actor=outsider, percent=20)


def test_no_report_while_the_task_is_a_draft(tree: CityTree, world: World) -> None:
    draft = make_task(world.street, tree, title="草稿")
    item = add_item(world.street, draft, title="x", person=world.community, place=tree.community)
    with pytest.raises(ValidationError) as excinfo:
        report(world, item=item)
    assert NON_FIELD_ERRORS in errors_of(excinfo)


# --- visibility -------------------------------------------------------------------------------------------------------


def test_a_community_sees_the_street_task_and_only_its_own_item(world: World) -> None:
    assert list(KeyTask.objects.restrict(world.community, Perm.VIEW_KEY_TASKS)) == [world.task]
    assert list(ProjectItem.objects.restrict(world.community, Perm.VIEW_KEY_TASKS)) == [world.item]
    assert list(ProjectItem.objects.restrict(world.community2, Perm.VIEW_KEY_TASKS)) == [world.item2]
    assert not KeyTask.objects.restrict(world.community, Perm.MANAGE_KEY_TASKS).exists()


def test_a_department_handler_sees_its_department_item_not_the_district(tree: CityTree, world: World) -> None:
    assert list(ProjectItem.objects.restrict(world.handler, Perm.VIEW_KEY_TASKS)) == [world.dept_item]
    assert list(KeyTask.objects.restrict(world.handler, Perm.VIEW_KEY_TASKS)) == [world.task]
    elsewhere = make_task(world.street, tree, title="没有住建局的任务")
    assert not KeyTask.objects.restrict(world.handler, Perm.VIEW_KEY_TASKS).filter(pk=elsewhere.pk).exists()


def test_a_sibling_street_sees_nothing_and_a_lower_street_does_not_manage_a_district_task(
    tree: CityTree, world: World
) -> None:
    assert not KeyTask.objects.restrict(world.other_street, Perm.VIEW_KEY_TASKS).exists()
    assert not ProjectItem.objects.restrict(world.other_street, Perm.VIEW_KEY_TASKS).exists()
    district_task = services.key_task_create(
        actor=world.district,
        values=services.TaskInput("区级任务", "", tree.district, world.district, date(2026, 3, 1), date(2026, 9, 1)),
    )
    add_item(world.district, district_task, title="望江街道项", person=world.street, place=tree.street)
    assert KeyTask.objects.restrict(world.street, Perm.VIEW_KEY_TASKS).filter(pk=district_task.pk).exists()
    assert not KeyTask.objects.restrict(world.street, Perm.MANAGE_KEY_TASKS).filter(pk=district_task.pk).exists()
    assert not KeyTask.objects.restrict(world.community, Perm.VIEW_KEY_TASKS).filter(pk=district_task.pk).exists()


# --- append-only ------------------------------------------------------------------------------------------------------


def test_reports_and_events_cannot_be_changed(world: World) -> None:
    made = report(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProgressReport.objects.filter(pk=made.pk).update(percent=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        world.task.events.all().delete()


def test_task_numbers_follow_the_series_highest_even_with_a_gap(tree: CityTree, world: World) -> None:
    """Numbering by ``count()`` would give the third task KT-2026-0002 again after a gap in the series; the number is
    the series' highest plus one (``common.numbering.next_number``)."""
    first = make_task(world.street, tree, title="一")
    KeyTask.objects.filter(pk=first.pk).update(number="KT-2026-0007")
    assert make_task(world.street, tree, title="二").number == "KT-2026-0008"
