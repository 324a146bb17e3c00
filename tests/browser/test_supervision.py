"""Supervision through the real pages in headless Chromium (吹哨报到 and the hard-matter levels), as the right users.

A street leads a hard matter (难事) that is in progress. It whistles (吹哨) to three district departments, each
with a task; two departments report (报到) on their pages; the third does not, its limit passes and the deadline
sweep finds it late: the whistle's board shows it red beside the two reports. The joint dispatch centre finds
the matter on its hard-matter board at level 1, escalates it to joint consultation (level 2) and records the
meeting (会商) with a unit's task; the matter page and the board show level 2, the meeting and the stage reached.

Each user has their own browser context and signs in through the real sign-in page. The pages are in Chinese
(the default): assertions use data-testid attributes, data attributes and the stored names and texts.
Screenshots go to test-artifacts/browser/supervision-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.models import Matter
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, HardStage, MatterKind, MatterState
from gridwork.places import locating
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree, make_city_tree
from gridwork.supervision.models import DeadlineAlert, JointMeeting, UnitTask, Whistle
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_matter_loop import act, new_page, open_matter, seed_categories, sign_in  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TEXT = "春晖路1号楼下夜市占道经营，油烟和噪音扰民到深夜，还有人私搭乱建了棚子，居民多次反映没有解决。"
WHISTLE_NOTE = "占道经营、油烟扰民、违法搭建交织，需要住建、城管、市场监管三个部门同时到场联合处置。"
TASKS = ["拆除违法搭建的棚子", "清理占道经营摊点", "检查油烟净化设施"]
REPORTS = ["已安排拆违队明早到场拆除。", "已派城管中队到场劝离摊点。"]


@dataclass
class World:
    tree: CityTree
    staff: LoopStaff
    departments: list[Department]
    handlers: list[User]
    matter: Matter


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    """A hard matter the street leads and has accepted, and three departments of the district with a handler each."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_categories()
    tree = make_city_tree()
    locating.boundaries_changed()
    staff = make_loop_staff(tree)
    departments = [
        tree.department,
        Department.objects.create(code="D520102002", name="东湖区城市管理局", place=tree.district),
        Department.objects.create(code="D520102003", name="东湖区市场监督管理局", place=tree.district),
    ]
    handlers = [
        make_staff(role=Role.DEPARTMENT_HANDLER, place=tree.district, department=department, username=f"dept{n}")
        for n, department in enumerate(departments, start=1)
    ]
    receipt = file_in_building(tree, text=TEXT, kind=MatterKind.HARD, title="夜市占道经营扰民")
    matter_transition(
        actor=staff.dispatcher,
        matter_id=receipt.matter_id,
        action=Action.DISPATCH,
        data={"kind": MatterKind.HARD, "lead_place_id": tree.street.pk},
        note="由街道牵头处置。",
    )
    matter = matter_transition(actor=staff.dispatcher, matter_id=receipt.matter_id, action=Action.ACCEPT)
    assert matter.state == MatterState.IN_PROGRESS
    assert matter.hard_level == 1
    return World(tree=tree, staff=staff, departments=departments, handlers=handlers, matter=matter)


def whistle_board(page: Page, base: str, whistle: Whistle) -> None:
    from playwright.sync_api import expect

    response = page.goto(f"{base}/staff/supervision/whistles/{whistle.pk}/")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_test_id("whistle-tasks")).to_be_visible()


def task_row(page: Page, department: Department) -> Any:
    return page.locator(f'[data-testid="whistle-task"][data-unit="{department.name}"]')


def test_a_street_whistles_departments_report_one_is_late_and_the_centre_escalates(
    *,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: Any,
    watch: PageWatch,
    world: World,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    number = world.matter.number
    street_department, city_management, market = world.departments

    # 吹哨: the street, leading the matter, calls the three departments, each with its task.
    street = new_page("street")
    sign_in(street, base, world.staff.dispatcher.username)
    open_matter(street, base, number, tab="in_progress")
    panel = street.get_by_test_id("supervision")
    expect(panel.get_by_test_id("hard-level")).to_have_attribute("data-level", "1")
    fields = {"note": WHISTLE_NOTE}
    for row, (department, task) in enumerate(zip(world.departments, TASKS, strict=True)):
        fields[f"unit_{row}"] = f"d:{department.pk}"
        fields[f"task_{row}"] = task
    act(street, "whistle", fields=fields)
    whistle = Whistle.objects.get(matter=world.matter)
    tasks = list(UnitTask.objects.filter(whistle=whistle).order_by("id"))
    assert [task.department_id for task in tasks] == [d.pk for d in world.departments]
    # The matter page lists the whistle with its three waiting tasks and links its board.
    panel = street.get_by_test_id("supervision")
    expect(panel.get_by_test_id("whistle")).to_have_count(1)
    expect(panel.locator('[data-testid="task"][data-status="waiting"]')).to_have_count(3)
    with street.expect_navigation():
        panel.get_by_test_id("whistle-link").click()
    expect(street.get_by_test_id("whistle-note")).to_have_text(WHISTLE_NOTE)
    expect(street.get_by_test_id("whistled-by")).to_contain_text(world.tree.street.name)
    expect(street.locator('[data-testid="whistle-task"][data-status="waiting"]')).to_have_count(3)
    expect(street.get_by_test_id("open")).to_be_visible()
    screenshot(street, "supervision-01-whistled")

    # 报到: two of the called departments report on the matter's page.
    for done, (handler, report) in enumerate(zip(world.handlers[:2], REPORTS, strict=True), start=1):
        page = new_page(handler.username)
        sign_in(page, base, handler.username)
        open_matter(page, base, number)
        act(page, "report", fields={"text": report})
        reported = page.get_by_test_id("supervision").locator('[data-testid="task"][data-status="reported"]')
        expect(reported).to_have_count(done)
    screenshot(page, "supervision-02-reported")

    # The third does not report: its limit passes, and the sweep finds the task late.
    from gridwork.supervision.sweep import run_sweep

    UnitTask.objects.filter(pk=tasks[2].pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert run_sweep().late_tasks == 1
    assert DeadlineAlert.objects.filter(matter=world.matter, subject=f"task:{tasks[2].pk}").exists()

    whistle_board(street, base, whistle)
    for department, report in zip((street_department, city_management), REPORTS, strict=True):
        row = task_row(street, department)
        expect(row).to_have_attribute("data-status", "reported")
        expect(row.get_by_test_id("task-report")).to_contain_text(report)
        expect(row.get_by_test_id("task-status")).to_have_class("badge text-bg-success")
    late = task_row(street, market)
    expect(late).to_have_attribute("data-status", "late")
    expect(late).to_have_class("table-danger")
    expect(late.get_by_test_id("task-status")).to_have_class("badge text-bg-danger")
    expect(late.get_by_test_id("task-status")).to_be_visible()
    expect(late.get_by_test_id("task-report")).to_have_text("—")
    assert street.evaluate(
        "element => getComputedStyle(element).backgroundColor",
        late.get_by_test_id("task-status").element_handle(),
    ) in {"rgb(220, 53, 69)", "rgba(220, 53, 69, 1)"}  # Bootstrap's danger red
    screenshot(street, "supervision-03-late-on-the-board")

    # The dispatch centre: the hard matter waits at level 1 on its board.
    centre = new_page("centre")
    sign_in(centre, base, world.staff.operator.username)
    with centre.expect_navigation():
        centre.get_by_test_id("nav-hard-matters").click()
    card = centre.get_by_test_id("level-1").locator(f'[data-testid="hard-matter"][data-number="{number}"]')
    expect(card).to_be_visible()
    expect(card.get_by_test_id("stage-bar")).to_have_attribute("data-reached", "1")
    screenshot(centre, "supervision-04-hard-board-level-1")

    # 联合会商: escalate to level 2, then record the consultation with a unit's task.
    open_matter(centre, base, number)
    act(centre, "escalate", fields={"note": "街道吹哨后仍有部门未报到，问题涉及多部门职责交叉，提请联合会商。"})
    expect(centre.get_by_test_id("supervision").get_by_test_id("hard-level")).to_have_attribute("data-level", "2")
    act(
        centre,
        "record_meeting",
        fields={
            "held_on": timezone.localdate().isoformat(),
            "participants": "区住建局、区城管局、区市场监管局、望江街道",
            "analysis": "夜市位于人行道，摊点、油烟与违建由三个部门分管，需统一行动。",
            "decision": "由区城管局牵头，三部门一周内联合整治。",
            "unit_0": f"d:{city_management.pk}",
            "task_0": "牵头组织联合整治",
            "days_0": "5",
        },
    )
    panel = centre.get_by_test_id("supervision")
    expect(panel.get_by_test_id("meetings")).to_contain_text("由区城管局牵头")
    expect(panel.get_by_test_id("meeting-tasks")).to_contain_text(city_management.name)
    expect(panel.get_by_test_id("stage-bar")).to_have_attribute("data-reached", "3")
    screenshot(centre, "supervision-05-consulted")

    centre.goto(f"{base}/staff/supervision/hard/")
    card = centre.get_by_test_id("level-2").locator(f'[data-testid="hard-matter"][data-number="{number}"]')
    expect(card).to_be_visible()
    expect(card.get_by_test_id("hard-meetings")).to_have_text("1")
    expect(centre.get_by_test_id("level-1").locator(f'[data-number="{number}"]')).to_have_count(0)
    screenshot(centre, "supervision-06-hard-board-level-2")

    matter = Matter.objects.get(pk=world.matter.pk)
    assert matter.hard_level == 2
    assert matter.hard_stage == HardStage.CONSULTED
    meeting = JointMeeting.objects.get(matter=matter)
    assert meeting.level == 2
    assert [task.department_id for task in meeting.tasks.all()] == [city_management.pk]
    reported = UnitTask.objects.filter(whistle=whistle, reported_at__isnull=False).order_by("id")
    assert [task.report for task in reported] == REPORTS

    watch.check()
