"""The analysis screens (研判分析) through the real pages in headless Chromium, on the small demo city with a year of
demo matters and the rollup rebuilt from them.

1. The dashboard of the city over the year: the headline cards, every chart drawn (ECharts on a canvas) from the
   same figures the tables give; a click on a district's bar in the rates by unit opens that district's dashboard,
   with the city in the breadcrumb.
2. The map: one polygon per grid, coloured, with the legend saying what density counts; the switch to overdue
   share redraws the legend; a click on a grid opens its figures and the link to its dashboard; the open matters
   drawn in clusters.
3. The big screen: dark, every chart drawn, and a minute later (the page's clock run forward) it fetches data.json
   again and says when it last refreshed.

No page may log a JavaScript error or ask anything of a host other than the live server (the conftest's watch).
Screenshots go to test-artifacts/browser/analytics-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.models import DailyRollup
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.demo.build import demo_city_build
from gridwork.demo.matters import demo_matters_build
from gridwork.demo.plan import CITY_CODE, SCALES
from gridwork.matters.models import Matter
from gridwork.matters.workflow import MatterState
from gridwork.places import locating
from gridwork.places.models import Place, PlaceLevel
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_matter_loop import seed_categories, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

USERNAME = "analyst"
DASHBOARD_CHARTS = ("volume", "categories", "kinds", "children", "overdue", "satisfaction")
SCREEN_CHARTS = ("volume", "children", "categories", "overdue", "satisfaction")


@pytest.fixture
def demo_city(settings: Any, tmp_path: Any) -> Place:
    """The small demo city with 300 matters over the past year, the rollup recounted, and city staff to look."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_categories()
    demo_city_build(scale=SCALES["small"])
    demo_matters_build(limit=300, log=lambda _line: None)
    rebuild_rollup()  # the demo matters are written in bulk, past the services that keep the rollup
    locating.boundaries_changed()
    city = Place.objects.get(code=CITY_CODE)
    make_staff(role=Role.CITY_STAFF, place=city, username=USERNAME)
    assert DailyRollup.objects.exists()
    return city


def year_query(code: str) -> str:
    return f"area={code}&period=year"


def expect_charts_drawn(page: Page, names: tuple[str, ...]) -> None:
    from playwright.sync_api import expect

    for name in names:
        chart = page.get_by_test_id(f"chart-{name}")
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("canvas")).to_have_count(1)
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 100


def click_bar(page: Page, chart: Locator, index: int) -> None:
    """Click the middle bar (the resolution rate) of category ``index`` of a grouped bar chart, where it is drawn."""
    point = chart.evaluate(
        """(element, index) => {
            const chart = echarts.getInstanceByDom(element);
            const value = chart.getOption().series[1].data[index];
            if (!value) { return null; }
            return chart.convertToPixel({ seriesIndex: 1 }, [index, value / 2]);
        }""",
        index,
    )
    assert point is not None, "the unit has no resolution rate to click on"
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def inside(page: Page, path: Locator) -> tuple[float, float]:
    """A point of the page where ``path`` (an SVG polygon of the map) is the topmost element, to click on."""
    point = path.evaluate(
        """(path) => {
            const box = path.getBoundingClientRect();
            for (let row = 1; row < 10; row += 1) {
                for (let column = 1; column < 10; column += 1) {
                    const x = box.left + box.width * column / 10;
                    const y = box.top + box.height * row / 10;
                    if (document.elementFromPoint(x, y) === path) { return [x, y]; }
                }
            }
            return null;
        }"""
    )
    assert point is not None, "no visible point of the grid to click on"
    return point[0], point[1]


def test_the_dashboard_draws_its_charts_and_drills_down(
    *, page: Page, live_server: Any, watch: PageWatch, demo_city: Place
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, USERNAME)
    response = page.goto(f"{base}{reverse('analytics:dashboard')}?{year_query(CITY_CODE)}")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_test_id("area-name")).to_have_text(demo_city.name)
    received = Matter.objects.count()
    assert received == 300
    # The year's received count may leave out matters filed last year in the window; it is never more.
    shown = int(page.get_by_test_id("value-received").inner_text().replace(",", ""))
    assert 0 < shown <= received
    expect_charts_drawn(page, DASHBOARD_CHARTS)
    rows = page.get_by_test_id("child-row")
    districts = list(Place.objects.filter(level=PlaceLevel.DISTRICT, parent=demo_city).order_by("code"))
    expect(rows).to_have_count(len(districts))
    screenshot(page, "analytics-dashboard")

    # The rates by unit: a click on the first district's bar opens its dashboard, for the same period.
    chart = page.get_by_test_id("chart-children")
    chart.scroll_into_view_if_needed()
    with page.expect_navigation():
        click_bar(page, chart, 0)
    query = parse_qs(urlsplit(page.url).query)
    assert query["area"] == [districts[0].code]
    assert query["period"] == ["year"]
    expect(page.get_by_test_id("area-name")).to_have_text(districts[0].name)
    expect(page.get_by_test_id("breadcrumbs").get_by_role("link", name=demo_city.name)).to_be_visible()
    expect_charts_drawn(page, DASHBOARD_CHARTS)
    streets = Place.objects.filter(level=PlaceLevel.STREET, parent=districts[0]).count()
    expect(page.get_by_test_id("child-row")).to_have_count(streets)
    watch.check()


def test_the_map_colours_the_grids_and_opens_a_grids_figures(
    *, page: Page, live_server: Any, watch: PageWatch, demo_city: Place
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, USERNAME)
    response = page.goto(f"{base}{reverse('analytics:map')}?{year_query(CITY_CODE)}")
    assert response is not None
    assert response.status == 200
    grids = Place.objects.filter(level=PlaceLevel.GRID, path__startswith=demo_city.path).count()
    open_matters = Matter.objects.exclude(state=MatterState.CLOSED).filter(latitude__isnull=False).count()
    assert grids == 24
    assert open_matters > 0
    element = page.get_by_test_id("map")
    expect(element).to_have_attribute("data-grids", str(grids))
    expect(element).to_have_attribute("data-matters", re.compile(r"."))
    note = page.get_by_test_id("matters-note").inner_text()
    assert element.get_attribute("data-matters") == str(open_matters), note
    polygons = element.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(polygons).to_have_count(grids)
    fills = polygons.evaluate_all("paths => paths.map(path => path.getAttribute('fill'))")
    assert len(set(fills)) > 1, "the grids are coloured by their figures"
    expect(element.locator(".marker-cluster, .analytics-matter-pin").first).to_be_visible()
    legend = page.get_by_test_id("legend")
    expect(legend).to_have_attribute("data-measure", "density")
    expect(legend).to_have_attribute("data-basis", "households")  # every grid of the small city has households
    screenshot(page, "analytics-map")

    page.locator("#measure-overdue").check()
    expect(legend).to_have_attribute("data-measure", "overdue_share")
    recoloured = polygons.evaluate_all("paths => paths.map(path => path.getAttribute('fill'))")
    assert recoloured != fills
    assert len(set(recoloured)) > 1

    # A click on a grid: its figures and the link to its dashboard.
    first = polygons.first
    x, y = inside(page, first)
    page.mouse.click(x, y)
    popup = page.get_by_test_id("grid-popup")
    expect(popup).to_be_visible()
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    link = popup.get_by_test_id("grid-dashboard-link")
    href = link.get_attribute("href")
    assert href is not None
    code = parse_qs(urlsplit(href).query)["area"][0]
    grid = Place.objects.get(code=code)
    assert grid.level == PlaceLevel.GRID
    expect(popup).to_contain_text(grid.name)
    screenshot(page, "analytics-map-popup")
    with page.expect_navigation():
        link.click()
    expect(page.get_by_test_id("area-name")).to_have_text(grid.name)
    watch.check()


def test_the_big_screen_draws_and_refreshes_itself(
    *, page: Page, live_server: Any, watch: PageWatch, demo_city: Place
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, USERNAME)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.clock.install()
    response = page.goto(f"{base}{reverse('analytics:screen')}?{year_query(CITY_CODE)}")
    assert response is not None
    assert response.status == 200
    expect(page.locator("body.analytics-screen")).to_be_visible()
    expect_charts_drawn(page, SCREEN_CHARTS)
    tiles = page.get_by_test_id("tiles").locator(".screen-tile")
    expect(tiles).to_have_count(8)
    screen = page.get_by_test_id("screen")
    expect(page.get_by_test_id("refreshed")).not_to_be_empty()
    screenshot(page, "analytics-screen")

    data_path = reverse("analytics:data")
    with page.expect_response(lambda answer: urlsplit(answer.url).path == data_path) as answer:
        page.clock.run_for(61_000)
    assert answer.value.status == 200
    assert answer.value.json()["area"]["code"] == CITY_CODE
    expect(screen).to_have_attribute("data-refreshes", "1")
    expect(page.get_by_test_id("refreshed")).not_to_have_class(re.compile(r"\bis-stale\b"))
    expect_charts_drawn(page, SCREEN_CHARTS)
    watch.check()


def test_the_rankings_list_every_street_with_its_rates(
    *, page: Page, live_server: Any, watch: PageWatch, demo_city: Place
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sign_in(page, base, USERNAME)
    # Last month: a whole month of demo matters whatever day the suite runs (this month may have just begun).
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    response = page.goto(f"{base}{reverse('analytics:rankings')}?unit=street&on={last_month}")
    assert response is not None
    assert response.status == 200
    streets = Place.objects.filter(level=PlaceLevel.STREET, path__startswith=demo_city.path).count()
    rows = page.get_by_test_id("ranking-row")
    expect(rows).to_have_count(streets)
    ranked = [text.strip() for text in page.get_by_test_id("rank").all_inner_texts()]
    numbers = [int(text) for text in ranked if text != "—"]
    assert numbers, "the month's streets have figures to rank"
    assert numbers == sorted(numbers)
    scores = page.get_by_test_id("score").all_inner_texts()
    assert any(score.strip() not in {"", "—"} for score in scores)
    screenshot(page, "analytics-rankings")
    with page.expect_navigation():
        page.get_by_test_id("previous-month").click()
    expect(page.get_by_test_id("ranking")).to_be_visible()
    watch.check()
