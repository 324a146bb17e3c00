"""Test data for key tasks: 望江街道's old-neighbourhood renovation with an item for 春晖社区, one for its sibling
秋实社区 and one for the district's housing bureau, each with milestones; staff around them; a fixed clock (Monday 2
March 2026, 09:00 in Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.keytasks import services
from gridwork.keytasks.flows import TaskAction
from gridwork.keytasks.models import KeyTask, Milestone, ProjectItem
from gridwork.places.models import Department, Place
from gridwork.places.tests.factories import CityTree

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)  # a Monday


@dataclass
class World:
    tree: CityTree
    task: KeyTask  # 望江街道's, active
    item: ProjectItem  # 春晖社区's
    item2: ProjectItem  # 秋实社区's
    dept_item: ProjectItem  # the district's housing bureau's
    milestone: Milestone  # of ``item``, due Monday 9 March 2026
    street: User  # 望江街道's staff: manages the task
    district: User  # 东湖区's staff: manages it from above
    other_street: User  # 临川街道's staff: nothing of it
    community: User  # 春晖社区's staff: responsible for ``item``
    community2: User  # 秋实社区's staff: responsible for ``item2``
    handler: User  # the housing bureau's handler: responsible for ``dept_item``
    grid: User  # a grid worker: no key tasks at all


def make_task(actor: User, tree: CityTree, *, title: str = "老旧小区改造", leader: User | None = None) -> KeyTask:
    return services.key_task_create(
        actor=actor,
        values=services.TaskInput(
            title=title,
            description="2026年老旧小区改造：外墙、管网、加装电梯。",
            place=tree.street,
            leader=leader or actor,
            starts_on=date(2026, 3, 1),
            target_on=date(2026, 12, 31),
        ),
        now=NOW,
    )


def add_item(
    actor: User,
    task: KeyTask,
    *,
    title: str,
    person: User,
    place: Place | None = None,
    department: Department | None = None,
) -> ProjectItem:
    return services.item_create(
        actor=actor,
        task=task,
        values=services.ItemInput(
            title=title,
            description="",
            place=place,
            department=department,
            person=person,
            deadline=date(2026, 6, 30),
        ),
    )


def make_world(tree: CityTree) -> World:
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang", full_name="王街道")
    community = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui", full_name="李春晖")
    community2 = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi", full_name="赵秋实")
    handler = make_staff(
        role=Role.DEPARTMENT_HANDLER,
        place=tree.district,
        department=tree.department,
        username="zhujian",
        full_name="住建办事员",
    )
    task = make_task(street, tree)
    item = add_item(street, task, title="春晖小区外墙改造", person=community, place=tree.community)
    item2 = add_item(street, task, title="秋实小区管网改造", person=community2, place=tree.community2)
    dept_item = add_item(street, task, title="加装电梯审批", person=handler, department=tree.department)
    milestone = services.milestone_create(actor=street, item=item, title="施工队进场", due_on=date(2026, 3, 9))
    services.milestone_create(actor=street, item=item2, title="管网勘察", due_on=date(2026, 3, 20))
    services.key_task_move(actor=street, task=task, action=TaskAction.ACTIVATE, expected_version=task.version)
    task.refresh_from_db()
    return World(
        tree=tree,
        task=task,
        item=item,
        item2=item2,
        dept_item=dept_item,
        milestone=milestone,
        street=street,
        district=make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="donghu"),
        other_street=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="linchuan"),
        community=community,
        community2=community2,
        handler=handler,
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
    )
