"""Residents' deliberation (议事, issue 11), through the real pages in headless Chromium.

春晖社区's staff, on a desktop, open a deliberation — whether 1号楼 should have a lift added — with three options and
a week's vote. Two verified residents of the community, each on a phone, sign in with their phone number and a
one-time code, read the question and vote: 张桂芳 for adding the lift, 李建国 for waiting for a subsidy; 张桂芳 also
comments. Neither sees any count of the votes, and once voted the form is gone. The staff's page shows the turnout
(2) and no tally. The staff record the residents' meeting — the date, 23 participants and who, the option chosen, the
decision — which closes the deliberation and publishes the tally (1 and 1), then turn the decision into a matter of
the closed loop at the building, and open the matter's page from the deliberation. 张桂芳 reloads the residents'
page: the tally, the decision and the matter it became. Then the database: the deliberation closed with its meeting
record, two votes, the matter filed through the meeting channel and pointing back, and the events in order.

Each user has their own browser context and signs in through the real sign-in pages. The assertions use data-testid
attributes, field names, URLs and stored values. Screenshots go to test-artifacts/browser/deliberation-*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.sms import MemorySmsBackend
from gridwork.deliberation.models import (
    Deliberation,
    DeliberationComment,
    DeliberationState,
    DeliberationVote,
    MeetingRecord,
    OutcomeKind,
)
from gridwork.deliberation.tests.factories import World, make_world
from gridwork.matters.models import Channel, Matter
from gridwork.matters.workflow import MatterKind
from tests.browser.conftest import screenshot
from tests.browser.test_matter_loop import new_page, sign_in  # noqa: F401  (new_page: a fixture)
from tests.browser.test_volunteering import expect_done, fits_the_phone, sign_in_by_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TIMEOUT = 60_000

TOPIC = "1号楼是否加装电梯"
BACKGROUND = (
    "1号楼建于1995年，共7层，现有住户42户，其中60岁以上老人31人。部分居民提出加装电梯，低层住户担心采光和费用分摊。"
)
OPTIONS = ["同意加装，按楼层分摊费用", "等政府补贴到位后再加装", "暂不加装"]
COMMENT = "支持加装，老人上下楼太难了，费用分摊方案请提前公示。"
PARTICIPANTS = "1号楼居民代表18人、社区党委书记、居委会主任、网格员、物业公司项目经理"
DECISION = "议事会决定：1号楼推进加装电梯，费用按楼层系数分摊，社区协助向街道申请加装电梯补贴并跟踪办理。"
MATTER_TEXT = "1号楼议事会决定加装电梯：请社区向街道申报加装电梯补贴，并协调住建部门办理审批手续。"
DELIBERATION_EVENTS = [("create", DeliberationState.OPEN), ("close", DeliberationState.CLOSED)]


@dataclass
class People:
    world: World
    zhang: User  # verified resident of 春晖社区, 1号楼
    li: User  # verified resident of 春晖社区, 1号楼


@pytest.fixture
def people(settings: Any, tmp_path: Path) -> People:
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    world = make_world()
    return People(world=world, zhang=world.residents[0], li=world.residents[1])


@pytest.fixture
def patient() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


def state_is(page: Page, state: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("deliberation-state")).to_have_attribute("data-state", state)


# --- what the users do -------------------------------------------------------------------------------------


def staff_opens(page: Page, base: str, world: World) -> Deliberation:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('deliberation:list')}")
    with page.expect_navigation():
        page.get_by_test_id("deliberation-new").click()
    expect(page).to_have_url(f"{base}{reverse('deliberation:create')}")
    form = page.get_by_test_id("deliberation-form")
    # The user's only community is chosen already; the window is filled in: from now, for a week.
    expect(form.locator('[name="community"]')).to_have_value(str(world.tree.community.pk))
    expect(form.locator('[name="opens_at"]')).not_to_have_value("")
    expect(form.locator('[name="closes_at"]')).not_to_have_value("")
    form.locator('[name="topic"]').fill(TOPIC)
    form.locator('[name="background"]').fill(BACKGROUND)
    form.locator('[name="options"]').fill("\n".join(OPTIONS))
    screenshot(page, "deliberation-01-staff-form")
    with page.expect_navigation():
        page.get_by_test_id("deliberation-submit").click()
    deliberation = Deliberation.objects.get()
    expect(page).to_have_url(f"{base}{reverse('deliberation:detail', args=[deliberation.pk])}")
    expect_done(page)
    state_is(page, DeliberationState.OPEN)
    expect(page.get_by_test_id("option")).to_have_text(OPTIONS)
    expect(page.get_by_test_id("turnout")).to_have_text("0")
    screenshot(page, "deliberation-02-staff-opened")
    return deliberation


def resident_votes(
    page: Page, base: str, deliberation: Deliberation, *, resident: User, option: str, name: str, comment: str = ""
) -> None:
    """On the phone: the question without any count, sign in by phone, vote once, (comment); still no count."""
    from playwright.sync_api import expect

    detail = reverse("deliberation_public:detail", args=[deliberation.pk])
    page.goto(f"{base}{detail}")
    expect(page.get_by_test_id("sign-in").first).to_be_visible()  # not signed in: no form, a way to sign in
    expect(page.get_by_test_id("vote-form")).to_have_count(0)
    sign_in_by_phone(page, base, resident.phone, detail)
    form = page.get_by_test_id("vote-form")
    expect(form).to_be_visible()
    fits_the_phone(page)
    expect(page.get_by_test_id("tally")).to_have_count(0)
    form.get_by_label(option).check()
    screenshot(page, f"deliberation-03-{name}-voting")
    with page.expect_navigation():
        page.get_by_test_id("vote-submit").click()
    expect(page).to_have_url(f"{base}{detail}")
    expect_done(page)
    expect(page.get_by_test_id("my-vote")).to_contain_text(option)
    expect(page.get_by_test_id("vote-form")).to_have_count(0)  # voted: no second ballot
    expect(page.get_by_test_id("tally")).to_have_count(0)  # and still no counts
    assert "data-votes" not in page.content()
    if comment:
        page.get_by_test_id("comment-form").locator('[name="text"]').fill(comment)
        with page.expect_navigation():
            page.get_by_test_id("comment-submit").click()
        expect_done(page)
        expect(page.get_by_test_id("comment").first).to_contain_text(comment)
    fits_the_phone(page)
    screenshot(page, f"deliberation-04-{name}-voted")


def staff_sees_turnout_only(page: Page, base: str, deliberation: Deliberation) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('deliberation:detail', args=[deliberation.pk])}")
    expect(page.get_by_test_id("turnout")).to_have_text("2")
    expect(page.get_by_test_id("tally")).to_have_count(0)
    expect(page.get_by_test_id("tally-hidden")).to_be_visible()
    expect(page.get_by_test_id("comment")).to_have_count(1)
    assert "data-votes" not in page.content()
    screenshot(page, "deliberation-05-staff-turnout-only")


def staff_records_the_meeting(page: Page, base: str, deliberation: Deliberation) -> None:
    from playwright.sync_api import expect

    detail = f"{base}{reverse('deliberation:detail', args=[deliberation.pk])}"
    with page.expect_navigation():
        page.get_by_test_id("close-link").click()
    expect(page).to_have_url(f"{base}{reverse('deliberation:close', args=[deliberation.pk])}")
    form = page.get_by_test_id("close-form")
    expect(form.locator('[name="held_on"]')).to_have_value(timezone.localdate().isoformat())
    form.locator('[name="participants_count"]').fill("23")
    form.locator('[name="participants"]').fill(PARTICIPANTS)
    chosen = deliberation.options.get(position=1)
    form.locator('[name="chosen_option"]').select_option(str(chosen.pk))
    form.locator('[name="decision"]').fill(DECISION)
    screenshot(page, "deliberation-06-staff-meeting-form")
    with page.expect_navigation():
        page.get_by_test_id("close-submit").click()
    expect(page).to_have_url(detail)
    expect_done(page)
    state_is(page, DeliberationState.CLOSED)
    tally = page.get_by_test_id("tally")
    expect(tally).to_be_visible()
    expect(tally.locator('[data-position="1"]')).to_have_attribute("data-votes", "1")
    expect(tally.locator('[data-position="2"]')).to_have_attribute("data-votes", "1")
    expect(tally.locator('[data-position="3"]')).to_have_attribute("data-votes", "0")
    expect(page.get_by_test_id("decision")).to_have_text(DECISION)
    screenshot(page, "deliberation-07-staff-closed-with-tally")


def staff_files_the_matter(page: Page, base: str, deliberation: Deliberation, world: World) -> Matter:
    from playwright.sync_api import expect

    with page.expect_navigation():
        page.get_by_test_id("to-matter-link").click()
    expect(page).to_have_url(f"{base}{reverse('deliberation:to-matter', args=[deliberation.pk])}")
    form = page.get_by_test_id("to-matter-form")
    expect(form.locator('[name="kind"]')).to_have_value(MatterKind.COMMUNITY)
    expect(form.locator('[name="text"]')).to_have_value(re.compile(re.escape(deliberation.number)))
    form.locator('[name="building"]').select_option(str(world.tree.microgrid.pk))
    form.locator('[name="text"]').fill(MATTER_TEXT)
    screenshot(page, "deliberation-08-staff-to-matter")
    with page.expect_navigation():
        page.get_by_test_id("to-matter-submit").click()
    expect(page).to_have_url(f"{base}{reverse('deliberation:detail', args=[deliberation.pk])}")
    expect_done(page)
    matter = Matter.objects.get()
    link = page.get_by_test_id("outcome-matter")
    expect(link).to_have_text(matter.number)
    expect(page.get_by_test_id("to-matter-link")).to_have_count(0)  # once only
    screenshot(page, "deliberation-09-staff-matter-linked")
    with page.expect_navigation():
        link.click()
    expect(page).to_have_url(f"{base}{reverse('matters:detail', args=[matter.number])}")
    expect(page.get_by_text(matter.number).first).to_be_visible()
    screenshot(page, "deliberation-10-staff-matter-page")
    return matter


def resident_sees_the_result(page: Page, base: str, deliberation: Deliberation, matter: Matter) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('deliberation_public:detail', args=[deliberation.pk])}")
    state_is(page, DeliberationState.CLOSED)
    tally = page.get_by_test_id("tally")
    expect(tally.locator('[data-position="1"]')).to_have_attribute("data-votes", "1")
    expect(page.get_by_test_id("decision")).to_have_text(DECISION)
    expect(page.get_by_test_id("outcome-matter")).to_contain_text(matter.number)
    content = page.content()
    for name in ("张桂芳", "李建国"):  # voters are never named; the commenter only masked
        assert name not in content
    fits_the_phone(page)
    screenshot(page, "deliberation-11-resident-result")


# --- the test ----------------------------------------------------------------------------------------------


def test_a_deliberation_is_voted_by_two_residents_and_its_decision_becomes_a_matter(
    people: People,
    live_server: Any,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    patient: None,
) -> None:
    base = live_server.url
    world = people.world

    staff = new_page("community")
    sign_in(staff, base, world.staff.username)
    zhang = new_page("zhang", mobile=True)
    li = new_page("li", mobile=True)

    deliberation = staff_opens(staff, base, world)
    resident_votes(zhang, base, deliberation, resident=people.zhang, option=OPTIONS[0], name="zhang", comment=COMMENT)
    resident_votes(li, base, deliberation, resident=people.li, option=OPTIONS[1], name="li")
    staff_sees_turnout_only(staff, base, deliberation)
    staff_records_the_meeting(staff, base, deliberation)
    matter = staff_files_the_matter(staff, base, deliberation, world)
    resident_sees_the_result(zhang, base, deliberation, matter)

    # The database: closed with its meeting, two votes by the two residents, the matter filed and pointing back.
    deliberation = Deliberation.objects.get(pk=deliberation.pk)
    assert (deliberation.state, deliberation.outcome, deliberation.community) == (
        DeliberationState.CLOSED,
        OutcomeKind.MATTER,
        world.tree.community,
    )
    assert (deliberation.topic, deliberation.background) == (TOPIC, BACKGROUND)
    assert list(deliberation.options.order_by("position").values_list("text", flat=True)) == OPTIONS
    votes = {
        (v.resident.user_id, v.option.position) for v in DeliberationVote.objects.select_related("resident", "option")
    }
    assert votes == {(people.zhang.pk, 1), (people.li.pk, 2)}
    meeting = MeetingRecord.objects.get(deliberation=deliberation)
    assert (meeting.participants_count, meeting.participants, meeting.decision, meeting.held_on) == (
        23,
        PARTICIPANTS,
        DECISION,
        timezone.localdate(),
    )
    assert meeting.chosen_option is not None
    assert meeting.chosen_option.position == 1
    assert meeting.recorded_by == world.staff
    comment = DeliberationComment.objects.get()
    assert (comment.author, comment.text) == (people.zhang, COMMENT)
    matter = Matter.objects.get()
    assert deliberation.matter == matter
    assert matter.deliberation == deliberation  # type: ignore[attr-defined]
    assert (matter.channel, matter.external_ref, matter.kind, matter.text) == (
        Channel.MEETING,
        deliberation.number,
        MatterKind.COMMUNITY,
        MATTER_TEXT,
    )
    assert (matter.community, matter.building, matter.filed_by) == (
        world.tree.community,
        world.tree.microgrid,
        world.staff,
    )
    events = list(deliberation.events.order_by("sequence"))
    assert [(e.action, e.to_state) for e in events] == [*DELIBERATION_EVENTS, ("to_matter", DeliberationState.CLOSED)]
    assert {e.actor for e in events} == {world.staff}
