"""The closed loop of residents' matters (诉求闭环), through the real pages in headless Chromium, as the right users.

1. Intake through every channel: a resident on the mobile report page (text, a photo, the building, the
   personal-information notice → a receipt with number and tracking code); the 12345 seat (the caller's earlier
   matters beside the form, a pin on the map); a grid worker's patrol (photo first, the place from the device's
   geolocation, the category in two taps).
2. One resident's matter, all the way round: dispatch to the department → the department returns it → the
   dispatcher dispatches it again → accept → extension asked and approved → reply → the resident, following it
   with number and tracking code, is "not satisfied" → back in progress with the same unit → second reply →
   the operator's call-back: "satisfied" → the dispatcher verifies and closes. Then the database: closed, the
   events in order, and the replay of the events equal to the stored matter.

Each user has their own browser context (their own cookies) and signs in through the real sign-in page. Labels
are Chinese (zh-Hans is the default): the assertions use data-testid attributes, field names and stored values,
and the state labels the app's own catalogue gives. Screenshots go to test-artifacts/browser/loop-*.png.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.utils import translation
from PIL import Image, ImageDraw

from gridwork.accounts.sms import MemorySmsBackend
from gridwork.accounts.tests.factories import STAFF_PASSWORD
from gridwork.matters import services, workflow
from gridwork.matters.models import Category, Matter, MatterPhoto
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import MatterKind, MatterState, Satisfaction
from gridwork.places import locating
from gridwork.places.tests.factories import CityTree, make_city_tree
from tests.browser.conftest import LOCAL_SCHEMES, LOOPBACK_HOSTS, PageWatch, screenshot, watch_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route

pytestmark = pytest.mark.browser

RESIDENT_PHONE = "13812345678"
RESIDENT_NAME = "王秀英"
RESIDENT_TEXT = "春晖路1号1号楼东侧人行道上的井盖松动了，踩上去会晃，晚上看不清，老人孩子走过很危险，请尽快处理。"
HOTLINE_TEXT = "来电人反映春晖社区第一网格内有一盏路灯连续三天晚上不亮，小区门口一片漆黑，希望尽快修好。"
# Inside tree.grid, the 0.01° square with its south-west corner at (106.70, 26.60).
PATROL_POSITION = {"latitude": 26.6052, "longitude": 106.7047}
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SEED_MIGRATION = "gridwork.matters.migrations.0003_seed_categories"
LOOP_EVENTS = [
    "file",
    "dispatch",
    "return",
    "dispatch",
    "accept",
    "request_extension",
    "decide_extension",
    "reply",
    "rate",
    "reply",
    "rate",
    "verify_close",
]


# --- set-up ------------------------------------------------------------------------------------------------


def seed_categories() -> None:
    """The taxonomy the migration seeds. Tests that commit are emptied with ``flush`` after each test, which
    takes the migration's rows with it, so a browser test that runs after another one seeds them again."""
    if not Category.objects.filter(code__startswith="G1.01.").exists():
        importlib.import_module(SEED_MIGRATION).seed(django_apps, None)


@pytest.fixture
def city(settings: Any, tmp_path: Path) -> tuple[CityTree, LoopStaff]:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_categories()
    tree = make_city_tree()
    # The locating index is per process and the live server runs in this one: let it see the new grids.
    locating.boundaries_changed()
    MemorySmsBackend.outbox.clear()
    return tree, make_loop_staff(tree)


def photo_file(directory: Path, name: str, colour: tuple[int, int, int]) -> Path:
    """A real JPEG, drawn with Pillow, as a phone camera would give it."""
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 120, 440, 360), fill=(60, 60, 60), outline=(230, 230, 230), width=8)
    draw.rectangle((0, 400, 640, 480), fill=(120, 120, 110))
    path = directory / name
    image.save(path, format="JPEG", quality=85)
    return path


def state_label(state: str) -> str:
    """The state's label as the pages show it in the default language."""
    with translation.override("zh-hans"):
        return str(MatterState(state).label)


# --- one browser context per user, watched like the conftest's page --------------------------------------


@pytest.fixture
def new_page(browser: Browser, live_server: Any, watch: PageWatch, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``new_page(name, mobile=..., geolocation=...)``: a page in a fresh context (no cookies) for one more user."""
    opened: list[tuple[str, Page]] = []

    def guard(route: Route, req: Request) -> None:
        url = urlsplit(req.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            watch.offsite_requests.append(req.url)
            route.abort("blockedbyclient")

    def open_page(
        name: str,
        *,
        mobile: bool = False,
        viewport: dict[str, int] | None = None,
        geolocation: dict[str, float] | None = None,
    ) -> Page:
        options: dict[str, Any] = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        options.update(MOBILE if mobile else {"viewport": {"width": 1280, "height": 900}})
        if viewport is not None:
            options["viewport"] = viewport
        if geolocation is not None:
            options.update(geolocation=geolocation, permissions=["geolocation"])
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.route("**/*", guard)
        page = context.new_page()
        watch_page(page, watch)
        opened.append((name, page))
        return page

    try:
        yield open_page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            for name, page in opened:
                # A page that cannot be shot must not hide the failure.
                with contextlib.suppress(Exception):
                    screenshot(page, f"FAILED-{test}-{name}")
    finally:
        for _name, page in opened:
            page.context.close()


# --- what users do -----------------------------------------------------------------------------------------


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign in through the staff sign-in page; lands on the staff home."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.get_by_test_id("username")).to_have_text(username)


def open_matter(page: Page, base: str, number: str, *, tab: str | None = None) -> None:
    """The matter's staff page: through the queue's tab when given (clicking its number), else by its address."""
    from playwright.sync_api import expect

    if tab is None:
        response = page.goto(f"{base}/staff/matters/{number}/")
        assert response is not None
        assert response.status == 200
    else:
        page.goto(f"{base}/staff/matters/?tab={tab}")
        row = page.get_by_test_id("matter-row").filter(has_text=number)
        expect(row).to_have_count(1)
        with page.expect_navigation():
            row.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("number")).to_have_text(number)


def act(
    page: Page,
    action: str,
    *,
    fields: dict[str, str] | None = None,
    choices: dict[str, str] | None = None,
    files: dict[str, Path] | None = None,
) -> None:
    """Fill in one move's form on the staff matter page (fields are prefixed by the action) and send it."""
    from playwright.sync_api import expect

    card = page.get_by_test_id(f"action-{action}")
    expect(card).to_be_visible()
    for name, value in (fields or {}).items():
        field = card.locator(f'[name="{action}-{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for name, value in (choices or {}).items():
        card.locator(f'input[name="{action}-{name}"][value="{value}"]').check()
    for name, path in (files or {}).items():
        card.locator(f'input[name="{action}-{name}"]').set_input_files(str(path))
    with page.expect_navigation():
        card.locator('button[type="submit"]').click()
    expect(page.get_by_test_id("action-errors")).to_have_count(0)
    expect(page.locator(".alert-success")).to_be_visible()


def staff_timeline(page: Page) -> list[str]:
    return page.locator('[data-testid="timeline"] > li').evaluate_all(
        "items => items.map(item => item.dataset.testid.replace(/^event-/, ''))"
    )


def resident_timeline(page: Page) -> list[str]:
    return page.locator('[data-testid="timeline"] > li').evaluate_all("items => items.map(item => item.dataset.action)")


def expect_staff_page(page: Page, state: str, events: list[str], *, actions: list[str] | None = None) -> None:
    """The staff matter page shows the state, the timeline so far and (when given) exactly these moves."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("state")).to_have_text(state_label(state))
    expect(page.locator('[data-testid="timeline"] > li')).to_have_count(len(events))
    # The map has drawn the matter's grid (matter_map.js marks it loaded with the number of features).
    expect(page.locator("#matter-map")).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#matter-map path.leaflet-interactive").first).to_be_visible()
    assert staff_timeline(page) == events
    if actions is not None:
        shown = page.locator('[data-testid^="action-"]:not([data-testid="action-errors"])').evaluate_all(
            "cards => cards.map(card => card.dataset.testid.replace(/^action-/, ''))"
        )
        assert sorted(shown) == sorted(actions)


def report_as_resident(page: Page, base: str, tree: CityTree, photo: Path) -> tuple[str, str]:
    """一键上报 on a phone, without an account: text, a photo from the album, the building, contact, the notice."""
    from playwright.sync_api import expect

    response = page.goto(f"{base}/report/new/")
    assert response is not None
    assert response.status == 200
    form = page.get_by_test_id("report-form")
    expect(form).to_be_visible()
    page.locator("#id_text").fill(RESIDENT_TEXT)

    with page.expect_file_chooser() as chooser:
        page.locator('label[for="id_photos_album"]').click()
    chooser.value.set_files(str(photo))
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)

    # The place: the building, found by its address.
    page.locator('label[for="place-mode-building"]').click()
    search = page.locator("#building-search")
    expect(search).to_be_visible()
    search.press_sequentially("春晖路1号", delay=20)
    result = page.locator("[data-building-results] button").filter(has_text=tree.microgrid.name).first
    result.click()
    expect(page.locator("[data-building-chosen]")).to_be_visible()
    expect(page.locator("[data-building-chosen]")).to_contain_text(tree.grid.name)
    expect(page.locator('input[name="building"]')).to_have_value(tree.microgrid.code)

    page.locator("#id_contact_name").fill(RESIDENT_NAME)
    page.locator("#id_contact_phone").fill(RESIDENT_PHONE)
    notice = page.get_by_test_id("pi-notice")
    expect(notice).to_be_visible()
    notice.locator('input[name="notice_accepted"]').check()
    screenshot(page, "loop-01-resident-report-form")

    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    number = page.get_by_test_id("receipt-number").inner_text().strip()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"GW\d{8,}", number), number
    assert code
    screenshot(page, "loop-02-resident-receipt")
    return number, code


def check_resident_filing(tree: CityTree, number: str) -> Matter:
    matter = Matter.objects.get(number=number)
    assert matter.channel == "resident_web"
    assert matter.state == MatterState.SUBMITTED
    assert matter.grid_id == tree.grid.pk
    assert matter.building_id == tree.microgrid.pk
    assert matter.text == RESIDENT_TEXT
    assert matter.reporter_phone == RESIDENT_PHONE
    assert matter.tracking_code_hash
    assert MatterPhoto.objects.filter(matter=matter).count() == 1
    return matter


def follow_with_code(page: Page, base: str, number: str, code: str) -> None:
    """跟踪: the resident enters the number and tracking code and lands on the matter's page."""
    from playwright.sync_api import expect

    page.goto(f"{base}/report/track/")
    form = page.get_by_test_id("track-form")
    form.locator('input[name="number"]').fill(number)
    form.locator('input[name="code"]').fill(code)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/report/{number}/")
    expect(page.get_by_test_id("number")).to_have_text(number)


# --- the tests ---------------------------------------------------------------------------------------------


def test_every_channel_files_a_matter(
    *,
    page: Page,
    new_page: Callable[..., Page],
    live_server: Any,
    watch: PageWatch,
    city: tuple[CityTree, LoopStaff],
    tmp_path: Path,
) -> None:
    """The resident's phone, the 12345 seat and the grid worker's patrol each file a matter in the right grid."""
    from playwright.sync_api import expect

    tree, staff = city
    base = live_server.url

    # 1. A resident on the mobile report page, without an account.
    resident = new_page("resident", mobile=True)
    number, _code = report_as_resident(resident, base, tree, photo_file(tmp_path, "manhole.jpg", (90, 140, 60)))
    check_resident_filing(tree, number)

    # 2. The 12345 seat: the same person calls; the seat shows their earlier matter beside the form.
    operator = page
    sign_in(operator, base, staff.operator.username)
    response = operator.goto(f"{base}/staff/intake/hotline/")
    assert response is not None
    assert response.status == 200
    form = operator.get_by_test_id("hotline-form")
    operator.locator('input[name="caller_phone"]').fill(RESIDENT_PHONE)
    operator.locator('input[name="caller_name"]').focus()  # leaving the phone field loads the history (htmx)
    history = operator.get_by_test_id("caller-history")
    expect(history.locator(f'tr[data-number="{number}"]')).to_be_visible()
    operator.locator('input[name="caller_name"]').fill(RESIDENT_NAME)
    operator.locator("#id_text").fill(HOTLINE_TEXT)
    # The place: a pin in tree.grid, the first of the street's grids the map draws (they come in code order).
    grids = operator.locator("#report-map path.leaflet-interactive")
    expect(grids).to_have_count(3)
    operator.wait_for_function("() => !document.querySelector('#report-map.leaflet-zoom-anim')")
    operator.wait_for_timeout(300)  # let the fit-to-bounds settle before aiming
    box = grids.first.bounding_box()
    assert box is not None
    operator.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(operator.locator("[data-locate-result]")).to_contain_text(tree.grid.name)
    expect(operator.locator('input[name="location_lat"]')).not_to_have_value("")
    streetlight = Category.objects.get(code="G1.01.002")
    form.locator('select[name="category"]').select_option(str(streetlight.pk))
    screenshot(operator, "loop-03-hotline-form")
    with operator.expect_navigation():
        form.locator('button[type="submit"]').click()
    hotline_number = operator.get_by_test_id("receipt-number").inner_text().strip()
    expect(operator.get_by_test_id("tracking-code")).not_to_be_empty()
    screenshot(operator, "loop-04-hotline-receipt")
    hotline = Matter.objects.get(number=hotline_number)
    assert hotline.channel == "hotline"
    assert hotline.grid_id == tree.grid.pk
    assert hotline.category_id == streetlight.pk
    assert hotline.reporter_phone == RESIDENT_PHONE
    assert hotline.filed_by_id == staff.operator.pk
    assert hotline.latitude is not None
    assert hotline.longitude is not None

    # 3. A grid worker on patrol: the place from the phone's location, photo first, the category in two taps.
    worker = new_page("gridworker", mobile=True, geolocation=PATROL_POSITION)
    sign_in(worker, base, staff.grid_worker.username)
    response = worker.goto(f"{base}/staff/intake/patrol/")
    assert response is not None
    assert response.status == 200
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390  # a small phone: no sideways scroll
    patrol = worker.get_by_test_id("patrol-form")
    expect(patrol.locator("[data-locate-result]")).to_contain_text(tree.grid.name)
    expect(patrol.locator('input[name="location_lat"]')).to_have_value(f"{PATROL_POSITION['latitude']:.6f}")
    with worker.expect_file_chooser() as chooser:
        patrol.locator('label[for="id_photos"]').tap()
    chooser.value.set_files(str(photo_file(tmp_path, "lamp.jpg", (30, 30, 70))))
    expect(patrol.locator("[data-photo-previews] img")).to_have_count(1)
    public_facilities = Category.objects.get(code="G1.01")
    patrol.locator(f'[data-tap-group="{public_facilities.code}"]').tap()  # first tap: the group
    patrol.locator(f'label[for="category-{streetlight.pk}"]').tap()  # second tap: what was found
    expect(patrol.locator(f'input[name="category"][value="{streetlight.pk}"]')).to_be_checked()
    screenshot(worker, "loop-05-patrol-form")
    with worker.expect_navigation():
        patrol.locator('button[type="submit"]').click()
    patrol_number = worker.get_by_test_id("receipt-number").inner_text().strip()
    screenshot(worker, "loop-06-patrol-receipt")
    found = Matter.objects.get(number=patrol_number)
    assert found.channel == "patrol"
    assert found.grid_id == tree.grid.pk
    assert found.category_id == streetlight.pk
    assert found.filed_by_id == staff.grid_worker.pk
    assert found.latitude == pytest.approx(PATROL_POSITION["latitude"], abs=1e-6)
    assert found.longitude == pytest.approx(PATROL_POSITION["longitude"], abs=1e-6)
    assert MatterPhoto.objects.filter(matter=found).count() == 1

    # All three wait for the street's dispatcher.
    assert len({number, hotline_number, patrol_number}) == 3
    dispatcher = new_page("dispatcher")
    sign_in(dispatcher, base, staff.dispatcher.username)
    dispatcher.goto(f"{base}/staff/matters/?tab=to_dispatch")
    rows = dispatcher.get_by_test_id("matter-row")
    for filed in (number, hotline_number, patrol_number):
        expect(rows.filter(has_text=filed)).to_have_count(1)
    screenshot(dispatcher, "loop-07-dispatcher-queue")

    watch.check()


def test_a_residents_matter_goes_round_the_closed_loop(
    *,
    page: Page,
    new_page: Callable[..., Page],
    live_server: Any,
    watch: PageWatch,
    city: tuple[CityTree, LoopStaff],
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    tree, staff = city
    base = live_server.url
    department_unit = f"d:{tree.department.pk}"

    resident = new_page("resident", mobile=True)
    number, code = report_as_resident(resident, base, tree, photo_file(tmp_path, "manhole.jpg", (90, 140, 60)))
    matter = check_resident_filing(tree, number)

    # 分流: the street's dispatcher finds it in the queue and sends it to the district department.
    dispatcher = page
    sign_in(dispatcher, base, staff.dispatcher.username)
    open_matter(dispatcher, base, number, tab="to_dispatch")
    expect_staff_page(dispatcher, MatterState.SUBMITTED, ["file"])
    photo = dispatcher.get_by_test_id("photos").locator("img").first
    expect(photo).to_be_visible()
    # The photo is served to the dispatcher and decodes (the server re-encoded it).
    dispatcher.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=photo.element_handle())
    act(
        dispatcher,
        "dispatch",
        fields={
            "kind": MatterKind.PROFESSIONAL,
            "urgency": "normal",
            "lead_unit": department_unit,
            "note": "井盖属于市政设施，请区住建局处理。",
        },
    )
    expect_staff_page(dispatcher, MatterState.DISPATCHED, ["file", "dispatch"])
    expect(dispatcher.get_by_test_id("lead-unit")).to_have_text(tree.department.name)
    screenshot(dispatcher, "loop-10-dispatched")

    # 退单: the department handler, told by the bell, returns it with a reason.
    handler = new_page("handler")
    sign_in(handler, base, staff.department.username)
    expect(handler.get_by_test_id("unread-count")).to_be_visible()
    open_matter(handler, base, number, tab="to_accept")
    expect_staff_page(handler, MatterState.DISPATCHED, ["file", "dispatch"], actions=["accept", "return"])
    act(handler, "return", fields={"note": "该井盖属于小区物业管理范围，不属于市政井盖，请改派。"})
    expect_staff_page(handler, MatterState.RETURNED, ["file", "dispatch", "return"], actions=[])
    expect(handler.get_by_test_id("no-actions")).to_be_visible()
    screenshot(handler, "loop-11-returned")

    # The dispatcher dispatches it again to the department, with the answer to the reason.
    open_matter(dispatcher, base, number)
    expect_staff_page(dispatcher, MatterState.RETURNED, ["file", "dispatch", "return"])
    expect(dispatcher.get_by_test_id("action-overrule")).to_be_visible()
    act(
        dispatcher,
        "dispatch",
        fields={
            "kind": MatterKind.PROFESSIONAL,
            "urgency": "normal",
            "lead_unit": department_unit,
            "note": "经核实井盖位于人行道，属市政设施，请住建局签收处理。",
        },
    )
    expect_staff_page(dispatcher, MatterState.DISPATCHED, ["file", "dispatch", "return", "dispatch"])
    matter.refresh_from_db()
    assert matter.return_count == 1

    # 签收, then 延期: the handler accepts and asks for ten more days.
    open_matter(handler, base, number)
    act(handler, "accept", fields={"note": "已签收，安排人员现场查看。"})
    loop = ["file", "dispatch", "return", "dispatch", "accept"]
    expect_staff_page(handler, MatterState.IN_PROGRESS, loop)
    expect(handler.get_by_test_id("action-reply")).to_be_visible()
    act(handler, "request_extension", fields={"days": "10", "note": "需要订购同规格井盖，到货约需十天。"})
    loop.append("request_extension")
    expect_staff_page(handler, MatterState.IN_PROGRESS, loop)
    # The facts say a request is waiting for the dispatcher.
    expect(handler.get_by_test_id("facts").locator(".badge.text-bg-warning")).to_be_visible()
    matter.refresh_from_db()
    assert matter.extension_pending
    screenshot(handler, "loop-12-extension-requested")

    # The dispatcher approves the extension; the form offers the days asked for.
    open_matter(dispatcher, base, number)
    decision = dispatcher.get_by_test_id("action-decide_extension")
    expect(decision.locator('input[name="decide_extension-days"]')).to_have_value("10")
    act(dispatcher, "decide_extension", choices={"decision": "approve"}, fields={"note": "同意延期。"})
    loop.append("decide_extension")
    expect_staff_page(dispatcher, MatterState.IN_PROGRESS, loop)
    matter.refresh_from_db()
    assert not matter.extension_pending
    assert matter.extension_days == 10
    screenshot(dispatcher, "loop-13-extension-approved")

    # 答复: the handler replies, with a photo of the work.
    open_matter(handler, base, number)
    first_reply = "已更换为防盗防滑井盖并固定牢靠。"
    act(
        handler,
        "reply",
        fields={"text": first_reply},
        files={"photos": photo_file(tmp_path, "fixed.jpg", (40, 90, 160))},
    )
    loop.append("reply")
    expect_staff_page(handler, MatterState.REPLIED, loop)
    expect(handler.get_by_test_id("reply")).to_have_text(first_reply)
    assert MatterPhoto.objects.filter(matter=matter).count() == 2
    # The resident gave a mobile number: the reply is texted to it.
    assert any(message.phone == RESIDENT_PHONE and number in message.message for message in MemorySmsBackend.outbox)

    # 评价: the resident follows the matter with number and tracking code, and is not satisfied.
    resident_follow = new_page("resident-follow", mobile=True)
    follow_with_code(resident_follow, base, number, code)
    expect(resident_follow.get_by_test_id("state")).to_have_text(state_label(MatterState.REPLIED))
    expect(resident_follow.get_by_test_id("reply")).to_contain_text(first_reply)
    rating = resident_follow.get_by_test_id("rating")
    expect(rating).to_be_visible()
    choice = rating.locator(f'input[name="satisfaction"][value="{Satisfaction.UNSATISFIED}"]')
    rating.locator(f'label[for="{choice.get_attribute("id")}"]').click()
    expect(choice).to_be_checked()
    rating.locator('textarea[name="comment"]').fill("换了新井盖，但旁边的路面还是塌陷的，没有修好。")
    screenshot(resident_follow, "loop-14-resident-rating")
    with resident_follow.expect_navigation():
        rating.locator('button[type="submit"]').click()
    expect(resident_follow.locator(".alert-success")).to_be_visible()
    # 返工: back in progress, with the same unit.
    expect(resident_follow.get_by_test_id("state")).to_have_text(state_label(MatterState.IN_PROGRESS))
    expect(resident_follow.get_by_test_id("rating")).to_have_count(0)
    assert resident_timeline(resident_follow)[-2:] == ["reply", "rate"]
    screenshot(resident_follow, "loop-15-resident-reopened")
    matter.refresh_from_db()
    assert matter.state == MatterState.IN_PROGRESS
    assert matter.reopen_count == 1
    assert matter.satisfaction == Satisfaction.UNSATISFIED
    assert matter.lead_department_id == tree.department.pk

    # The second reply, by the same unit.
    open_matter(handler, base, number, tab="in_progress")
    loop.append("rate")
    expect_staff_page(handler, MatterState.IN_PROGRESS, loop)
    second_reply = "已对井盖周边塌陷路面重新铺设并压实，现场已恢复平整。"
    act(handler, "reply", fields={"text": second_reply})
    loop.append("reply")
    expect_staff_page(handler, MatterState.REPLIED, loop)
    screenshot(handler, "loop-16-second-reply")

    # 回访: the 12345 operator calls the resident back and records "satisfied".
    operator = new_page("operator")
    sign_in(operator, base, staff.operator.username)
    open_matter(operator, base, number)
    act(
        operator,
        "rate",
        choices={"satisfaction": Satisfaction.SATISFIED},
        fields={"note": "回访：居民表示路面已修好，满意。"},
    )
    loop.append("rate")
    expect_staff_page(operator, MatterState.TO_VERIFY, loop)
    screenshot(operator, "loop-17-call-back")

    # 核查结案: the dispatcher verifies and closes; the closed matter is read-only.
    open_matter(dispatcher, base, number, tab="to_verify")
    act(dispatcher, "verify_close", fields={"note": "已核实，结案。"})
    loop.append("verify_close")
    expect_staff_page(dispatcher, MatterState.CLOSED, loop, actions=[])
    expect(dispatcher.get_by_test_id("read-only")).to_be_visible()
    screenshot(dispatcher, "loop-18-closed")

    # The resident sees it closed, with their last rating.
    resident_follow.goto(f"{base}/report/{number}/")
    expect(resident_follow.get_by_test_id("state")).to_have_text(state_label(MatterState.CLOSED))
    expect(resident_follow.get_by_test_id("rated")).to_be_visible()
    assert resident_timeline(resident_follow) == LOOP_EVENTS
    screenshot(resident_follow, "loop-19-resident-closed")

    # The record: closed, every step an event in order by the right people, and the events rebuild the matter.
    matter = Matter.objects.get(pk=matter.pk)
    assert matter.state == MatterState.CLOSED
    assert matter.closure_reason == workflow.ClosureReason.RESOLVED
    assert matter.satisfaction == Satisfaction.SATISFIED
    assert matter.lead_department_id == tree.department.pk
    assert (matter.return_count, matter.reopen_count, matter.extension_count) == (1, 1, 1)
    events = list(matter.events.order_by("sequence"))
    assert [event.action for event in events] == LOOP_EVENTS
    assert [event.sequence for event in events] == list(range(1, len(LOOP_EVENTS) + 1))
    assert matter.version == len(LOOP_EVENTS)
    actors = [event.actor_id for event in events]
    assert actors == [
        None,  # the resident, without an account
        staff.dispatcher.pk,
        staff.department.pk,
        staff.dispatcher.pk,
        staff.department.pk,
        staff.department.pk,
        staff.dispatcher.pk,
        staff.department.pk,
        None,  # the resident, by tracking code
        staff.department.pk,
        staff.operator.pk,
        staff.dispatcher.pk,
    ]
    assert events[8].actor_role == "reporter"
    assert events[8].data["satisfaction"] == Satisfaction.UNSATISFIED
    assert events[8].to_state == MatterState.IN_PROGRESS
    # The second rating is the operator's call-back, from the dispatch centre.
    assert events[10].data["satisfaction"] == Satisfaction.SATISFIED
    assert events[10].actor_role == "dispatch_centre"
    assert events[10].to_state == MatterState.TO_VERIFY
    for earlier, later in itertools.pairwise(events):
        assert later.from_state == earlier.to_state
        assert later.at >= earlier.at
    assert workflow.replay([(event.action, event.data) for event in events]) == services.snapshot_of(matter)

    watch.check()
