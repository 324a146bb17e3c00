"""A grid worker's visit (看问记化, issue 14) through the real pages in headless Chromium, on a phone.

春晖社区第一网格's grid worker, on a 390×844 screen, finds a household of the grid by its code, logs a visit (what was
seen and asked, two needs, what was resolved on the spot, a photo), turns the first need into a matter with one click
(the visit then links to the matter), and opens the 民情图: the visited household is a marker on the map (an SVG
point carrying the household's code, drawn at its building's position) and a line of the list beside it. Then the
database: the visit, its needs, the matter linked back to the visit.

The assertions use data-testid attributes, field names, URLs and stored values. Screenshots go to
test-artifacts/browser/gridvisits-*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.gridvisits.tests.factories import VisitWorld, make_world
from gridwork.matters.models import Matter
from gridwork.places import locating
from gridwork.places.models import Place
from gridwork.places.tests.factories import make_city_tree
from tests.browser.conftest import screenshot
from tests.browser.test_activities import sign_in
from tests.browser.test_matter_loop import new_page, seed_categories  # noqa: F401  (new_page: a fixture)
from tests.browser.test_volunteering import expect_done, fits_the_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SEEN = "老人独居，屋内整洁；楼道灯不亮。"
TIMEOUT = 60_000
NEEDS = ["楼道灯坏了，晚上上下楼不安全", "想申请社区长者食堂助餐"]


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> VisitWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_categories()
    tree = make_city_tree()
    locating.boundaries_changed()
    Place.objects.filter(pk=tree.microgrid.pk).update(latitude=26.6052, longitude=106.7047)
    return make_world(tree)


def photo_file(directory: Path) -> Path:
    path = directory / "走访现场.png"
    Image.new("RGB", (320, 240), (40, 120, 60)).save(path, format="PNG")
    return path


def log_a_visit(page: Page, base: str, world: VisitWorld, photo: Path) -> GridVisit:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('gridvisits:visit-list')}")
    with page.expect_navigation():
        page.get_by_test_id("visit-new").click()
    page.locator('input[name="q"]').fill(world.household.code)
    with page.expect_navigation():
        page.get_by_test_id("household-search-submit").click()
    choices = page.get_by_test_id("household-choice")
    expect(choices).to_have_count(1)
    expect(choices).to_have_attribute("data-code", world.household.code)
    fits_the_phone(page)
    screenshot(page, "gridvisits-01-household")
    with page.expect_navigation():
        choices.click()
    form = page.get_by_test_id("visit-form")
    expect(form.locator('[name="visited_on"]')).to_have_value(timezone.localdate().isoformat())
    form.locator('[name="seen"]').fill(SEEN)
    form.locator('[name="asked"]').fill("问了身体情况和吃饭问题。")
    form.locator('[name="needs"]').fill("\n".join(NEEDS))
    form.locator('[name="resolved"]').fill("当场联系了物业报修。")
    form.locator('[name="photos"]').set_input_files(str(photo))
    fits_the_phone(page)
    screenshot(page, "gridvisits-02-form")
    with page.expect_navigation():
        page.get_by_test_id("visit-submit").click()
    visit = GridVisit.objects.get()
    expect(page).to_have_url(f"{base}{reverse('gridvisits:visit-detail', args=[visit.pk])}")
    expect_done(page)
    expect(page.get_by_test_id("need")).to_have_count(2)
    expect(page.get_by_test_id("visit-photo")).to_have_count(1)
    fits_the_phone(page)
    return visit


def turn_the_need_into_a_matter(page: Page, base: str, visit: GridVisit) -> Matter:
    from playwright.sync_api import expect

    need = visit.needs.order_by("id").first()
    assert need is not None
    item = page.locator(f'[data-testid="need"][data-pk="{need.pk}"]')
    with page.expect_navigation():
        item.get_by_test_id("need-to-matter").click()
    expect_done(page)
    matter = Matter.objects.get()
    item = page.locator(f'[data-testid="need"][data-pk="{need.pk}"]')
    expect(item).to_have_attribute("data-outcome", "matter")
    link = item.get_by_test_id("need-matter-link")
    expect(link).to_have_text(matter.number)
    expect(link).to_have_attribute("href", reverse("matters:detail", args=[matter.number]))
    expect(item.get_by_test_id("need-to-matter")).to_have_count(0)  # once
    fits_the_phone(page)
    screenshot(page, "gridvisits-03-need-filed")
    return matter


def the_map_shows_the_household(page: Page, base: str, world: VisitWorld) -> None:
    from playwright.sync_api import expect

    with page.expect_navigation():
        page.get_by_test_id("nav-map").click()
    expect(page).to_have_url(f"{base}{reverse('gridvisits:map')}")
    expect(page.get_by_test_id("map")).to_have_attribute("data-loaded", "yes")
    marker = page.locator(f'[data-testid="marker-visited"][data-code="{world.household.code}"]')
    expect(marker).to_have_count(1)
    expect(page.locator('[data-testid="marker-needs"]')).to_have_count(1)  # the second need is still open
    listed = page.locator(f'[data-testid="visited-household"][data-code="{world.household.code}"]')
    expect(listed).to_have_attribute("data-positioned", "yes")
    expect(page.get_by_test_id("visited-household")).to_have_count(1)
    fits_the_phone(page)
    screenshot(page, "gridvisits-04-map")


def test_a_grid_worker_logs_a_visit_files_a_need_and_sees_the_household_on_the_map(
    world: VisitWorld,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    live_server: Any,
    tmp_path: Path,
) -> None:
    base = live_server.url
    page = new_page("grid-worker", mobile=True)
    page.set_default_timeout(TIMEOUT)  # a loaded CI machine: the pages and the map's data may take a while
    sign_in(page, base, world.grid_worker)
    visit = log_a_visit(page, base, world, photo_file(tmp_path))
    matter = turn_the_need_into_a_matter(page, base, visit)
    the_map_shows_the_household(page, base, world)

    needs = list(VisitNeed.objects.filter(visit=visit).order_by("id"))
    assert [need.text for need in needs] == NEEDS
    assert needs[0].matter == matter
    assert needs[1].converted_at is None
    assert matter.grid_visit_need.visit == visit  # type: ignore[attr-defined]
    assert visit.household == world.household
    assert visit.recorded_by == world.grid_worker
