"""A star rating (星级评定, issue 10), through the real pages in headless Chromium, by the three levels.

The city has opened the 2026 五星达标 round on a published scheme (A: 阵地建设 /10 with evidence
required, 有应急动员预案 yes/no /10 — weight 60; B: 为民服务 /20, 居民满意 /10 — weight 40; 4★ from 85)
for the street's communities. 社区自查: 春晖社区's staff try to submit without the evidence the scheme
requires — refused on the indicator's field —, upload a photo (a real PNG) for 阵地建设, answer every
indicator and submit. 街道初审: 望江街道's staff return it with a comment; the community sees the comment,
corrects a score and submits again; the street approves. 市级验收: the city sets four stars. Then the
league table shows 春晖社区 first with its total and four stars, the star shares count it, and its
history shows the acceptance. Then the database: the events in order with who made them, the scores of
each level side by side, the evidence stored under a random name without the photo's metadata.

Each user has their own browser context and signs in through the staff sign-in page. The assertions use
data-testid attributes, field names, URLs and stored values. Screenshots go to
test-artifacts/browser/ratings-*.png.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree, make_city_tree
from gridwork.ratings import services
from gridwork.ratings.models import Assessment, AssessmentEvent, AssessmentState, Evidence, Round, Score, ScoreLevel
from gridwork.ratings.tests.factories import Built, open_round, published_version
from tests.browser.conftest import screenshot
from tests.browser.test_matter_loop import new_page, sign_in  # noqa: F401  (new_page: a fixture)
from tests.browser.test_volunteering import expect_done

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

COMMUNITY_USER = "chunhui-ratings"
STREET_USER = "wangjiang-ratings"
CITY_USER = "city-ratings"
RETURN_COMMENT = "阵地建设自评8分偏高，活动室开放记录不全，请核实后重新申报。"
RESUBMIT_COMMENT = "已补充活动室开放登记表，阵地建设自评调整为7分。"
# A1 阵地建设 /10, A2 有应急动员预案 yes/no /10 (weight 60); B1 为民服务 /20, B2 居民满意 /10 (weight 40).
FIRST_ANSWERS = {"a1": "8", "a2": "yes", "b1": "18", "b2": "9"}  # 60 × 18/20 + 40 × 27/30 = 54 + 36 = 90
SECOND_ANSWERS = {"a1": "7", "a2": "yes", "b1": "18", "b2": "9"}  # 60 × 17/20 + 36 = 51 + 36 = 87 → 4★ (85)
TOTAL = Decimal("87.00")
EVENTS = [
    ("create", CITY_USER, AssessmentState.DRAFT),
    ("attach", COMMUNITY_USER, AssessmentState.DRAFT),
    ("submit", COMMUNITY_USER, AssessmentState.SUBMITTED),
    ("return", STREET_USER, AssessmentState.RETURNED),
    ("submit", COMMUNITY_USER, AssessmentState.SUBMITTED),
    ("approve", STREET_USER, AssessmentState.REVIEWED),
    ("accept", CITY_USER, AssessmentState.ACCEPTED),
]
TIMEOUT = 60_000


@dataclass
class Rating:
    tree: CityTree
    built: Built
    round: Round
    assessment: Assessment  # 春晖社区's
    community: User
    street: User
    city: User


@pytest.fixture
def rating(settings: Any, tmp_path: Path) -> Rating:
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_city_tree()
    city = make_staff(role=Role.CITY_STAFF, place=tree.city, username=CITY_USER)
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username=STREET_USER)
    community = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=COMMUNITY_USER)
    built = published_version(computed=False)
    today = datetime.date.today()
    round_ = open_round(
        city,
        built.version,
        self_due=today + datetime.timedelta(days=20),
        review_due=today + datetime.timedelta(days=40),
        accept_due=today + datetime.timedelta(days=60),
    )
    services.round_add_all(actor=city, round_=round_, under=tree.street)
    assessment = Assessment.objects.get(target__round=round_, target__place=tree.community)
    return Rating(
        tree=tree, built=built, round=round_, assessment=assessment, community=community, street=street, city=city
    )


@pytest.fixture
def patient() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


def photo_with_metadata(directory: Path) -> Path:
    """A real PNG of the community's activity room, with a text chunk that must not survive re-encoding."""
    from PIL import ImageDraw
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("RGB", (400, 300), (230, 222, 205))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 360, 80), fill=(190, 20, 30))
    draw.rectangle((80, 150, 320, 270), fill=(120, 80, 40))
    info = PngInfo()
    info.add_text("Author", "SecretCamera")
    path = directory / "活动室.png"
    image.save(path, format="PNG", pnginfo=info)
    return path


# --- what the users do -------------------------------------------------------------------------------------


def _field(page: Page, prefix: str, indicator_pk: int) -> Any:
    return page.locator(f'[name="{prefix}-ind_{indicator_pk}"]')


def answer(page: Page, built: Built, prefix: str, answers: dict[str, str]) -> None:
    _field(page, prefix, built.a1.pk).fill(answers["a1"])
    _field(page, prefix, built.a2.pk).select_option(answers["a2"])
    _field(page, prefix, built.b1.pk).fill(answers["b1"])
    _field(page, prefix, built.b2.pk).fill(answers["b2"])


def self_assess(page: Page, base: str, rating: Rating, photo: Path) -> None:
    """The community answers, is refused for the missing evidence, uploads the photo and submits."""
    from playwright.sync_api import expect

    assessment = rating.assessment
    page.goto(f"{base}/staff/ratings/rounds/{rating.round.pk}/")
    row = page.locator(f'[data-testid="target-row"][data-assessment="{assessment.pk}"]')
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("a").first.click()
    with page.expect_navigation():
        page.get_by_test_id("move-self").click()
    expect(page).to_have_url(f"{base}/staff/ratings/assessments/{assessment.pk}/self/")

    answer(page, rating.built, "self", FIRST_ANSWERS)
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    a1 = rating.built.a1.pk
    refused = page.locator(f'[data-testid="error-ind_{a1}"], [data-testid="error-self-ind_{a1}"]')
    expect(refused).to_be_visible()  # 阵地建设 needs evidence
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.DRAFT

    form = page.get_by_test_id("evidence-form")
    form.locator('input[name="evidence-file"]').set_input_files(str(photo))
    form.locator('select[name="evidence-indicator"]').select_option(str(rating.built.a1.pk))
    form.locator('input[name="evidence-note"]').fill("社区党群服务站活动室")
    with page.expect_navigation():
        page.get_by_test_id("attach").click()
    expect_done(page)
    expect(page.get_by_test_id("evidence")).to_contain_text("活动室.png")

    answer(page, rating.built, "self", FIRST_ANSWERS)
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect_done(page)
    expect(page).to_have_url(f"{base}/staff/ratings/assessments/{assessment.pk}/")
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", AssessmentState.SUBMITTED)


def street_returns(page: Page, base: str, rating: Rating) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/staff/ratings/assessments/{rating.assessment.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("move-review").click()
    form = page.get_by_test_id("return-form")
    form.locator('textarea[name="return-comment"]').fill(RETURN_COMMENT)
    with page.expect_navigation():
        page.get_by_test_id("return").click()
    expect_done(page)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", AssessmentState.RETURNED)


def community_resubmits(page: Page, base: str, rating: Rating) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/staff/ratings/assessments/{rating.assessment.pk}/")
    expect(page.get_by_test_id("return-comment")).to_have_text(RETURN_COMMENT)
    with page.expect_navigation():
        page.get_by_test_id("move-self").click()
    expect(_field(page, "self", rating.built.a1.pk)).to_have_value(re.compile(r"^8(\.0+)?$"))  # as submitted
    answer(page, rating.built, "self", SECOND_ANSWERS)
    page.locator('textarea[name="self-comment"]').fill(RESUBMIT_COMMENT)
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect_done(page)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", AssessmentState.SUBMITTED)


def street_approves(page: Page, base: str, rating: Rating) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/staff/ratings/assessments/{rating.assessment.pk}/review/")
    expect(_field(page, "approve", rating.built.a1.pk)).to_have_value(re.compile(r"^7(\.0+)?$"))  # the self's
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    expect_done(page)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", AssessmentState.REVIEWED)


def city_sets_four_stars(page: Page, base: str, rating: Rating) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/staff/ratings/assessments/{rating.assessment.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("move-accept").click()
    page.locator('select[name="accept-stars"]').select_option("4")
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect_done(page)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", AssessmentState.ACCEPTED)
    expect(page.get_by_test_id("stars").first).to_have_attribute("data-stars", "4")


def league_table_shows_it(page: Page, base: str, rating: Rating) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/staff/ratings/results/")
    with page.expect_navigation():
        page.locator(f'[data-testid="results-round"][data-round="{rating.round.pk}"] a').first.click()
    expect(page).to_have_url(f"{base}/staff/ratings/results/rounds/{rating.round.pk}/")
    rows = page.get_by_test_id("league-row")
    expect(rows).to_have_count(2)  # 春晖 and 秋实 of 望江街道
    first = rows.first
    expect(first).to_have_attribute("data-assessment", str(rating.assessment.pk))
    expect(first).to_have_attribute("data-rank", "1")
    expect(first).to_have_attribute("data-stars", "4")
    expect(first.get_by_test_id("total")).to_have_text("87.00")
    expect(first.get_by_test_id("stars")).to_have_attribute("data-stars", "4")
    expect(first).to_contain_text("春晖社区")
    expect(rows.nth(1)).to_have_attribute("data-rank", "")  # 秋实 has not self-assessed
    screenshot(page, "ratings-league")

    with page.expect_navigation():
        page.locator('[data-testid="results-tabs"] a').nth(1).click()
    expect(page.locator('[data-testid="star-count"][data-stars="4"]')).to_have_attribute("data-count", "1")
    expect(page.get_by_test_id("at-goal-share")).to_have_text("0.0 %")  # the goal is five stars
    screenshot(page, "ratings-stars")

    page.goto(f"{base}/staff/ratings/results/targets/{rating.assessment.target_id}/")
    move = page.locator('[data-testid="star-move"][data-action="accept"]')
    expect(move).to_have_attribute("data-stars", "4")


# --- the test ----------------------------------------------------------------------------------------------


def test_a_community_is_rated_four_stars_through_self_check_street_review_and_city_acceptance(
    rating: Rating,
    live_server: Any,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    patient: None,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    community, street, city = new_page("community"), new_page("street"), new_page("city")
    sign_in(community, base, COMMUNITY_USER)
    sign_in(street, base, STREET_USER)
    sign_in(city, base, CITY_USER)

    self_assess(community, base, rating, photo_with_metadata(tmp_path))
    street_returns(street, base, rating)
    community_resubmits(community, base, rating)
    street_approves(street, base, rating)
    city_sets_four_stars(city, base, rating)
    league_table_shows_it(city, base, rating)

    # The community sees its own row in the league table, and no other community's.
    community.goto(f"{base}/staff/ratings/results/rounds/{rating.round.pk}/")
    own = community.get_by_test_id("league-row")
    expect(own).to_have_count(1)
    expect(own).to_have_attribute("data-stars", "4")

    assessment = Assessment.objects.get(pk=rating.assessment.pk)
    assert assessment.state == AssessmentState.ACCEPTED
    assert assessment.stars == 4
    assert assessment.total == TOTAL
    assert (assessment.self_total, assessment.street_total, assessment.city_total) == (TOTAL, TOTAL, TOTAL)
    events = list(AssessmentEvent.objects.filter(subject=assessment).order_by("sequence"))
    assert [(e.action, e.actor.username if e.actor else "", e.to_state) for e in events] == EVENTS
    assert events[3].note == RETURN_COMMENT
    a1 = {score.level: score.value for score in Score.objects.filter(assessment=assessment, indicator=rating.built.a1)}
    assert a1 == {ScoreLevel.SELF: Decimal(7), ScoreLevel.STREET: Decimal(7), ScoreLevel.CITY: Decimal(7)}
    evidence = Evidence.objects.get(assessment=assessment)
    assert evidence.indicator_id == rating.built.a1.pk
    assert evidence.label == "活动室.png"
    assert "活动室" not in evidence.file.name
    assert b"SecretCamera" not in evidence.file.open("rb").read()
