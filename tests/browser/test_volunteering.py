"""Party members and volunteers (issue 8), through the real pages in headless Chromium, as the right users.

1. 双报到: an in-service party member signs in with their phone and a one-time code, registers with the community
   where they live (community, then building, employer and skills); the community's staff find the registration
   in their list, open it and confirm it; the member's page shows the registration confirmed.
2. 微心愿: a resident posts a wish; the community's staff review and publish it; the member sees it among the open
   wishes of their community, claims it and records it fulfilled with a photo; the resident, who sees the photo,
   confirms it; the member's points page shows the points of the ``wish`` rule and the ledger line.
3. 点单—下单—接单: the resident orders a service from the community's menu; the community's staff open the order,
   find the member first among the ranked suggestions and issue it to them; the member takes it and completes it
   with the hours; the resident rates it. Then the database: the order's events in order, the points the hours
   earned under the ``service_hour`` rule, and the balance equal to the sum of the ledger.

Each user has their own browser context (their own cookies) and signs in through the real sign-in pages: residents
and members by phone and one-time code (read from the in-memory SMS backend), staff with username and password.
Labels are Chinese (zh-Hans is the default): the assertions use data-testid attributes, field names and stored
values, and the labels the app's own catalogue gives. Screenshots go to test-artifacts/browser/volunteering-*.png.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from django.db.models import Sum
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.sms import MemorySmsBackend
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.party.registrations import registration_confirm, registration_submit
from gridwork.party.skills import Skill, skill_labels
from gridwork.places.tests.factories import CityTree, make_city_tree, make_place
from gridwork.points.models import EntryKind, PointAccount, PointBasis, PointEntry, PointRule
from gridwork.points.rules import point_rule_create
from gridwork.volunteers.models import OrderState, ServiceItem, ServiceOrder
from gridwork.wishes.models import Wish, WishPhoto, WishState
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_matter_loop import new_page, sign_in  # noqa: F401  (new_page is a fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

MEMBER_PHONE = "13900002222"
MEMBER_NAME = "赵志刚"
MEMBER_EMPLOYER = "明川市供电公司"
MEMBER_PARTY_ORGANISATION = "供电公司机关第一党支部"
MEMBER_SKILLS = [Skill.VISITING_ELDERLY, Skill.HOUSEHOLD_REPAIRS]
RESIDENT_PHONE = "13800003333"
RESIDENT_NAME = "孙桂兰"
WISH_TITLE = "一台收音机"
WISH_TEXT = "老伴走后一个人在家，想要一台能听戏曲的收音机。"
WISH_VALUE = "120.00"
ORDER_TEXT = "老人独居，行动不便，希望有人上门陪着聊聊天，顺便看看家里的水龙头。"
HOURS = Decimal("1.5")
WISH_POINTS = 30
HOUR_POINTS = 12
MOBILE_WIDTH = 390
ORDER_EVENTS = ["create", "issue", "take", "complete", "rate"]
WISH_EVENTS = ["create", "publish", "claim", "fulfil", "confirm"]
# A form's submit button: some pages give it type="submit", others rely on HTML's default (a button without a type).
SUBMIT = 'button:not([type="button"]):not([type="reset"])'
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


# --- set-up ------------------------------------------------------------------------------------------------


@dataclass
class Volunteering:
    tree: CityTree
    staff: User  # community staff of 春晖社区 (MANAGE_PARTY there)
    rival: MemberRegistration  # another confirmed member of 春晖社区, in another building, without the skill
    item: ServiceItem  # on 春晖社区's menu, needing a skill the member lists
    wish_rule: PointRule
    hour_rule: PointRule


@pytest.fixture
def volunteering(settings: Any, tmp_path: Path) -> Volunteering:
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    tree = make_city_tree()
    staff = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui-party")
    # Another member, registered and confirmed through the services, in the community's second grid and without
    # the skill: the suggestions must rank the member who has the skill and lives in the building above them.
    building5 = make_place("microgrid", tree.grid2, 1, "5号楼", address="春晖路5号5号楼")
    rival_user = make_resident_user(phone="13900004444", full_name="钱卫东")
    rival = registration_submit(
        actor=rival_user,
        name="钱卫东",
        phone="13900004444",
        employer="明川市自来水公司",
        employer_party_organisation="自来水公司党总支",
        employer_unit=None,
        community=tree.community,
        building=building5,
        skills=[Skill.TUTORING],
    )
    rival = registration_confirm(actor=staff, registration=rival, expected_version=rival.version)
    item = ServiceItem.objects.create(
        place=tree.community,
        name="上门陪伴老人",
        description="陪独居老人聊天、读报，帮忙做些力所能及的家务。",
        skill=Skill.VISITING_ELDERLY,
    )
    today = timezone.localdate()
    # The system (actor None) may set rules, as the seeds and the demo do; rules start today or later.
    wish_rule = point_rule_create(
        actor=None, basis=PointBasis.WISH, points=WISH_POINTS, valid_from=today, valid_to=None, note="每实现一个微心愿"
    )
    hour_rule = point_rule_create(
        actor=None,
        basis=PointBasis.SERVICE_HOUR,
        points=HOUR_POINTS,
        valid_from=today,
        valid_to=None,
        note="每小时志愿服务",
    )
    return Volunteering(tree=tree, staff=staff, rival=rival, item=item, wish_rule=wish_rule, hour_rule=hour_rule)


def png_file(directory: Path, name: str) -> Path:
    """A small real PNG, drawn with Pillow: the photo of the wish come true."""
    image = Image.new("RGB", (320, 240), (235, 225, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 90, 240, 190), fill=(150, 40, 40), outline=(40, 40, 40), width=4)
    draw.ellipse((190, 115, 230, 155), fill=(60, 60, 60))
    draw.line((100, 90, 140, 40), fill=(40, 40, 40), width=3)
    path = directory / name
    image.save(path, format="PNG")
    return path


def label(choice: Any) -> str:
    """A state's label as the pages show it in the default language."""
    with translation.override("zh-hans"):
        return str(choice.label)


# --- what users do -----------------------------------------------------------------------------------------


def sign_in_by_phone(page: Page, base: str, phone: str, then: str) -> None:
    """Sign in through the residents' pages: the phone number, then the six-digit code texted to it; lands on
    ``then`` (the page the sign-in was asked from)."""
    from playwright.sync_api import expect

    response = page.goto(f"{base}/accounts/phone/?next={quote(then)}")
    assert response is not None
    assert response.status == 200
    page.locator('input[name="phone"]').fill(phone)
    sent = len(MemorySmsBackend.outbox)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/accounts/phone/code/")
    texts = [message for message in MemorySmsBackend.outbox[sent:] if message.phone == phone]
    assert len(texts) == 1, MemorySmsBackend.outbox
    found = CODE.search(texts[0].message)
    assert found is not None, texts[0].message
    page.locator('input[name="code"]').fill(found.group(1))
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
    expect(page).to_have_url(f"{base}{then}")


def expect_done(page: Page) -> None:
    """The move was accepted: the page says so and shows no form errors."""
    from playwright.sync_api import expect

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.get_by_test_id("form-errors")).to_have_count(0)
    expect(page.get_by_test_id("action-errors")).to_have_count(0)
    expect(page.locator('[data-testid^="error-"]')).to_have_count(0)  # no field's error


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE_WIDTH  # no sideways scroll


def timeline(page: Page) -> list[str]:
    return page.locator('[data-testid="timeline"] > li').evaluate_all("items => items.map(item => item.dataset.action)")


def register_as_member(member: Page, base: str, tree: CityTree) -> MemberRegistration:
    """双报到 on the phone: the community first, then the building, who the member is, the employer, the skills."""
    from playwright.sync_api import expect

    sign_in_by_phone(member, base, MEMBER_PHONE, "/member/register/")
    step = member.get_by_test_id("community-step")
    expect(step).to_be_visible()
    expect(member.get_by_test_id("registration-form")).to_have_count(
        0
    )  # the building comes once the community is known
    step.locator('select[name="community"]').select_option(tree.community.code)
    with member.expect_navigation():
        step.locator("button").click()
    expect(member).to_have_url(re.compile(rf"/member/register/\?community={re.escape(tree.community.code)}$"))

    form = member.get_by_test_id("registration-form")
    expect(form).to_be_visible()
    expect(form.locator('input[name="community"]')).to_have_value(tree.community.code)
    # Only the chosen community's buildings are offered.
    building = form.locator('select[name="building"]')
    expect(building.locator(f'option[value="{tree.microgrid.code}"]')).to_have_count(1)
    building.select_option(tree.microgrid.code)
    form.locator('input[name="name"]').fill(MEMBER_NAME)
    expect(form.locator('input[name="phone"]')).to_have_value(MEMBER_PHONE)  # from the account
    form.locator('input[name="employer"]').fill(MEMBER_EMPLOYER)
    form.locator('input[name="employer_party_organisation"]').fill(MEMBER_PARTY_ORGANISATION)
    for skill in MEMBER_SKILLS:
        form.locator(f'input[name="skills"][value="{skill}"]').check()
    fits_the_phone(member)
    screenshot(member, "volunteering-01-member-registers")
    with member.expect_navigation():
        form.locator(SUBMIT).click()
    expect(member).to_have_url(f"{base}/member/")
    expect(member.locator(".alert-success")).to_be_visible()
    pending = member.get_by_test_id("pending")
    expect(pending).to_be_visible()
    expect(pending.get_by_test_id("state")).to_have_attribute("data-state", RegistrationState.PENDING)
    expect(member.get_by_test_id("current")).to_have_count(0)
    screenshot(member, "volunteering-02-member-pending")

    registration = MemberRegistration.objects.get(user__phone=MEMBER_PHONE)
    assert registration.state == RegistrationState.PENDING
    assert registration.community_id == tree.community.pk
    assert registration.building_id == tree.microgrid.pk
    assert (registration.name, registration.phone) == (MEMBER_NAME, MEMBER_PHONE)
    assert registration.employer == MEMBER_EMPLOYER
    assert registration.employer_party_organisation == MEMBER_PARTY_ORGANISATION
    assert sorted(registration.skills) == sorted(MEMBER_SKILLS)
    return registration


def confirm_registration(staff: Page, base: str, registration: MemberRegistration) -> None:
    """The community's staff find the registration waiting in their list, open it and confirm it."""
    from playwright.sync_api import expect

    response = staff.goto(f"{base}/staff/party/registrations/")
    assert response is not None
    assert response.status == 200
    link = staff.get_by_test_id("registration-table").locator(
        f'a[href="/staff/party/registrations/{registration.pk}/"]'
    )
    expect(link).to_have_count(1)
    with staff.expect_navigation():
        link.click()
    expect(staff).to_have_url(f"{base}/staff/party/registrations/{registration.pk}/")
    expect(staff.get_by_test_id("state")).to_have_attribute("data-state", RegistrationState.PENDING)
    decision = staff.get_by_test_id("decision")
    expect(decision).to_be_visible()
    expect(decision.locator('input[name="expected_version"]').first).to_have_value(str(registration.version))
    screenshot(staff, "volunteering-03-staff-registration")
    with staff.expect_navigation():
        decision.get_by_test_id("confirm").click()
    expect_done(staff)
    expect(staff.get_by_test_id("state")).to_have_attribute("data-state", RegistrationState.CONFIRMED)
    expect(staff.get_by_test_id("decision")).to_have_count(0)
    screenshot(staff, "volunteering-04-staff-confirmed")


def post_wish(resident: Page, base: str, tree: CityTree) -> Wish:
    """A resident posts a micro-wish for themself, at their building."""
    from playwright.sync_api import expect

    sign_in_by_phone(resident, base, RESIDENT_PHONE, "/wishes/")
    post = resident.get_by_test_id("post")
    expect(post).to_have_attribute("open", "")  # no wish yet: the form is open
    form = resident.get_by_test_id("wish-form")
    form.locator('input[name="title"]').fill(WISH_TITLE)
    form.locator('textarea[name="description"]').fill(WISH_TEXT)
    form.locator('input[name="value"]').fill(WISH_VALUE)
    form.locator('input[name="beneficiary_name"]').fill(RESIDENT_NAME)
    expect(form.locator('input[name="beneficiary_phone"]')).to_have_value(RESIDENT_PHONE)
    form.locator('select[name="community"]').select_option(str(tree.community.pk))
    form.locator('input[name="building"]').fill(tree.microgrid.name)
    fits_the_phone(resident)
    screenshot(resident, "volunteering-05-resident-posts-wish")
    with resident.expect_navigation():
        form.locator(SUBMIT).click()
    expect(resident).to_have_url(re.compile(rf"^{re.escape(base)}/wishes/\d+/$"))
    expect(resident.locator(".alert-success")).to_be_visible()
    expect(resident.get_by_test_id("title")).to_have_text(WISH_TITLE)
    expect(resident.get_by_test_id("state")).to_have_text(label(WishState.SUBMITTED))

    wish_id = int(resident.url.rstrip("/").rsplit("/", 1)[-1])
    wish = Wish.objects.get(pk=wish_id)
    assert wish.state == WishState.SUBMITTED
    assert wish.posted_by.phone == RESIDENT_PHONE
    assert not wish.on_behalf
    assert (wish.title, wish.value) == (WISH_TITLE, Decimal(WISH_VALUE))
    assert (wish.beneficiary_name, wish.beneficiary_phone) == (RESIDENT_NAME, RESIDENT_PHONE)
    assert wish.community_id == tree.community.pk
    assert wish.building_id == tree.microgrid.pk
    return wish


def publish_wish(staff: Page, base: str, wish: Wish) -> None:
    """The community's staff review the wish from their list and publish it."""
    from playwright.sync_api import expect

    response = staff.goto(f"{base}/staff/wishes/")
    assert response is not None
    assert response.status == 200
    row = staff.get_by_test_id("wish-row").filter(has_text=WISH_TITLE)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("state")).to_have_text(label(WishState.SUBMITTED))
    with staff.expect_navigation():
        row.get_by_role("link", name=WISH_TITLE).click()
    expect(staff).to_have_url(f"{base}/staff/wishes/{wish.pk}/")
    review = staff.get_by_test_id("form-review")
    expect(review).to_be_visible()
    review.locator('input[name="review-decision"][value="publish"]').check()
    screenshot(staff, "volunteering-06-staff-reviews-wish")
    with staff.expect_navigation():
        review.locator(SUBMIT).click()
    expect_done(staff)
    expect(staff.get_by_test_id("state")).to_have_text(label(WishState.PUBLISHED))
    assert timeline(staff) == ["create", "publish"]
    wish.refresh_from_db()
    assert wish.state == WishState.PUBLISHED


def claim_and_fulfil_wish(member: Page, base: str, wish: Wish, photo: Path) -> None:
    """The member finds the wish among the open wishes of their community, claims it, and records it fulfilled."""
    from playwright.sync_api import expect

    response = member.goto(f"{base}/member/wishes/")
    assert response is not None
    assert response.status == 200
    open_here = member.get_by_test_id("open-own").get_by_test_id("open-wish").filter(has_text=WISH_TITLE)
    expect(open_here).to_have_count(1)
    fits_the_phone(member)
    screenshot(member, "volunteering-07-member-open-wishes")
    with member.expect_navigation():
        open_here.locator(SUBMIT).click()
    expect(member).to_have_url(f"{base}/member/wishes/{wish.pk}/")
    expect_done(member)
    expect(member.get_by_test_id("state")).to_have_text(label(WishState.CLAIMED))
    # Holding the claim, the member sees whom to deliver to.
    expect(member.get_by_test_id("beneficiary")).to_contain_text(RESIDENT_NAME)
    expect(member.get_by_test_id("beneficiary")).to_contain_text(RESIDENT_PHONE)
    wish.refresh_from_db()
    assert wish.state == WishState.CLAIMED
    assert wish.claimant_member is not None
    assert wish.claimant_member.user.phone == MEMBER_PHONE

    fulfil = member.get_by_test_id("form-fulfil")
    expect(fulfil).to_be_visible()
    fulfil.locator('input[name="fulfil-photo"]').set_input_files(str(photo))
    fulfil.locator('textarea[name="fulfil-note"]').fill("收音机已送到孙阿姨家，调好了戏曲频道。")
    screenshot(member, "volunteering-08-member-fulfils-wish")
    with member.expect_navigation():
        fulfil.locator(SUBMIT).click()
    expect_done(member)
    expect(member.get_by_test_id("state")).to_have_text(label(WishState.FULFILLED))
    expect(member.get_by_test_id("form-fulfil")).to_have_count(0)
    wish.refresh_from_db()
    assert wish.state == WishState.FULFILLED
    assert WishPhoto.objects.filter(wish=wish).count() == 1


def confirm_wish(resident: Page, base: str, wish: Wish) -> None:
    """The resident sees the photo of the wish come true and confirms it."""
    from playwright.sync_api import expect

    response = resident.goto(f"{base}/wishes/{wish.pk}/")
    assert response is not None
    assert response.status == 200
    expect(resident.get_by_test_id("state")).to_have_text(label(WishState.FULFILLED))
    expect(resident.get_by_test_id("claimant")).to_be_visible()
    photo = resident.get_by_test_id("photos").locator("img").first
    photo.scroll_into_view_if_needed()
    # The photo is served to the resident who posted the wish, and decodes (the server re-encoded it).
    resident.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=photo.element_handle())
    confirm = resident.get_by_test_id("form-confirm")
    expect(confirm).to_be_visible()
    screenshot(resident, "volunteering-09-resident-confirms-wish")
    with resident.expect_navigation():
        confirm.locator(SUBMIT).click()
    expect_done(resident)
    expect(resident.get_by_test_id("state")).to_have_text(label(WishState.CONFIRMED))
    expect(resident.get_by_test_id("form-confirm")).to_have_count(0)
    assert timeline(resident) == WISH_EVENTS


def order_service(resident: Page, base: str, tree: CityTree, item: ServiceItem, wanted_on: datetime.date) -> int:
    """点单: the resident finds their building, picks the service from the community's menu, and says when."""
    from playwright.sync_api import expect

    response = resident.goto(f"{base}/orders/")
    assert response is not None
    assert response.status == 200
    expect(resident.get_by_test_id("order-form")).to_have_count(0)  # the building first
    search = resident.locator('input[name="q"]')
    search.fill("春晖路1号")
    with resident.expect_navigation():
        search.press("Enter")
    found = resident.get_by_test_id("buildings-found").locator(f'a[href="?building={tree.microgrid.code}"]')
    expect(found).to_have_count(1)
    with resident.expect_navigation():
        found.click()

    form = resident.get_by_test_id("order-form")
    expect(form).to_be_visible()
    expect(form.locator('input[name="building"]')).to_have_value(tree.microgrid.code)
    menu = form.get_by_test_id("menu-item")
    expect(menu).to_have_count(1)  # the community's menu: the one service set up
    choice = form.locator(f'input[name="item"][value="{item.pk}"]')
    form.locator(f'label[for="{choice.get_attribute("id")}"]').click()
    expect(choice).to_be_checked()
    form.locator('textarea[name="text"]').fill(ORDER_TEXT)
    form.locator('input[name="for_name"]').fill(RESIDENT_NAME)
    expect(form.locator('input[name="for_phone"]')).to_have_value(RESIDENT_PHONE)
    form.locator('input[name="wanted_on"]').fill(wanted_on.isoformat())
    form.locator('input[name="wanted_from"]').fill("09:00")
    form.locator('input[name="wanted_to"]').fill("11:00")
    fits_the_phone(resident)
    screenshot(resident, "volunteering-10-resident-orders")
    with resident.expect_navigation():
        form.locator(SUBMIT).click()
    expect(resident).to_have_url(re.compile(rf"^{re.escape(base)}/orders/\d+/$"))
    expect(resident.locator(".alert-success")).to_be_visible()
    expect(resident.get_by_test_id("state")).to_have_text(label(OrderState.ORDERED))
    return int(resident.url.rstrip("/").rsplit("/", 1)[-1])


def issue_order(
    staff: Page, base: str, order: ServiceOrder, member: MemberRegistration, rival: MemberRegistration
) -> None:
    """下单: the staff open the order from the queue, see the member ranked first, and issue it to them."""
    from playwright.sync_api import expect

    response = staff.goto(f"{base}/staff/volunteers/orders/")
    assert response is not None
    assert response.status == 200
    row = staff.get_by_test_id("order-row").filter(has=staff.locator(f'a[href="/staff/volunteers/orders/{order.pk}/"]'))
    expect(row).to_have_count(1)
    with staff.expect_navigation():
        row.locator(f'a[href="/staff/volunteers/orders/{order.pk}/"]').first.click()
    expect(staff).to_have_url(f"{base}/staff/volunteers/orders/{order.pk}/")
    expect(staff.get_by_test_id("state")).to_have_text(label(OrderState.ORDERED))

    form = staff.get_by_test_id("issue-form")
    expect(form).to_be_visible()
    suggestions = form.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(2)
    # The member has the skill and lives in the very building: first, above the other member of the community.
    ranked = suggestions.evaluate_all("rows => rows.map(row => Number(row.dataset.member))")
    assert ranked == [member.pk, rival.pk]
    with translation.override("zh-hans"):
        skill = skill_labels([Skill.VISITING_ELDERLY])[0]
    first = form.locator(f'[data-testid="suggestion"][data-member="{member.pk}"]')
    expect(first.get_by_test_id("reason").first).to_contain_text(skill)
    first.locator(f'input[name="members"][value="{member.pk}"]').check()
    form.locator('textarea[name="note"]').fill("赵志刚同志就住在1号楼，又会修水龙头，请接单。")
    screenshot(staff, "volunteering-11-staff-issues-order")
    with staff.expect_navigation():
        form.locator(SUBMIT).click()
    expect_done(staff)
    expect(staff.get_by_test_id("state")).to_have_text(label(OrderState.ISSUED))
    expect(staff.get_by_test_id("issued-to")).to_be_visible()
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED
    assert list(order.issued_to.values_list("pk", flat=True)) == [member.pk]


def take_and_complete_order(member: Page, base: str, order: ServiceOrder) -> None:
    """接单: the member takes the order issued to them, does it and records the hours."""
    from playwright.sync_api import expect

    response = member.goto(f"{base}/member/orders/")
    assert response is not None
    assert response.status == 200
    offered = member.get_by_test_id("offered-order").filter(has=member.locator(f'a[href="/member/orders/{order.pk}/"]'))
    expect(offered).to_have_count(1)
    fits_the_phone(member)
    screenshot(member, "volunteering-12-member-orders")
    with member.expect_navigation():
        offered.locator(SUBMIT).click()
    expect(member).to_have_url(f"{base}/member/orders/{order.pk}/")
    expect_done(member)
    expect(member.get_by_test_id("state")).to_have_text(label(OrderState.TAKEN))
    # The taker sees whom to call.
    expect(member.get_by_test_id("for")).to_contain_text(RESIDENT_NAME)
    expect(member.get_by_test_id("for")).to_contain_text(RESIDENT_PHONE)

    complete = member.get_by_test_id("complete-form")
    expect(complete).to_be_visible()
    complete.locator('input[name="hours"]').fill(str(HOURS))
    complete.locator('textarea[name="note"]').fill("陪老人聊了一个多小时，换了厨房水龙头的密封圈。")
    screenshot(member, "volunteering-13-member-completes")
    with member.expect_navigation():
        complete.locator(SUBMIT).click()
    expect_done(member)
    expect(member.get_by_test_id("state")).to_have_text(label(OrderState.COMPLETED))
    expect(member.get_by_test_id("complete-form")).to_have_count(0)


def rate_order(resident: Page, base: str, order: ServiceOrder) -> None:
    """评价: the resident gives five stars and a comment."""
    from playwright.sync_api import expect

    response = resident.goto(f"{base}/orders/{order.pk}/")
    assert response is not None
    assert response.status == 200
    expect(resident.get_by_test_id("state")).to_have_text(label(OrderState.COMPLETED))
    expect(resident.get_by_test_id("taker")).to_be_visible()
    rating = resident.get_by_test_id("rating")
    expect(rating).to_be_visible()
    stars = rating.locator('input[name="stars"][value="5"]')
    rating.locator(f'label[for="{stars.get_attribute("id")}"]').click()
    expect(stars).to_be_checked()
    rating.locator('textarea[name="comment"]').fill("小赵很耐心，水龙头也不漏了，谢谢！")
    screenshot(resident, "volunteering-14-resident-rates")
    with resident.expect_navigation():
        rating.locator(SUBMIT).click()
    expect_done(resident)
    expect(resident.get_by_test_id("state")).to_have_text(label(OrderState.RATED))
    expect(resident.get_by_test_id("rating")).to_have_count(0)
    expect(resident.get_by_test_id("rated")).to_be_visible()
    assert timeline(resident) == ORDER_EVENTS
    screenshot(resident, "volunteering-15-resident-rated")


def expect_points(member: Page, base: str, *, balance: int, lines: list[tuple[str, int]]) -> None:
    """The member's points page: the balance, the points earned in all, and the ledger's lines (what for, points),
    newest first."""
    from playwright.sync_api import expect

    response = member.goto(f"{base}/member/points/")
    assert response is not None
    assert response.status == 200
    expect(member.get_by_test_id("balance")).to_have_text(str(balance))
    expect(member.get_by_test_id("earned")).to_have_text(str(sum(points for _what, points in lines)))
    entries = member.get_by_test_id("ledger").get_by_test_id("entry")
    expect(entries).to_have_count(len(lines))
    for index, (what, points) in enumerate(lines):
        line = entries.nth(index)
        expect(line).to_contain_text(what)
        expect(line.get_by_test_id("entry-points")).to_have_text(f"+{points}")
    fits_the_phone(member)


# --- the test ----------------------------------------------------------------------------------------------


def test_a_member_registers_fulfils_a_wish_and_does_an_ordered_service(
    *,
    page: Page,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    live_server: Any,
    watch: PageWatch,
    volunteering: Volunteering,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    world = volunteering
    tree = world.tree
    base = live_server.url

    # 1. 双报到: the member registers; the community's staff confirm; the member's page shows it confirmed.
    member = new_page("member", mobile=True)
    registration = register_as_member(member, base, tree)
    staff = page
    sign_in(staff, base, world.staff.username)
    confirm_registration(staff, base, registration)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.confirmed_at is not None
    assert [event.action for event in registration.events.order_by("sequence")] == ["create", "confirm"]

    member.goto(f"{base}/member/")
    current = member.get_by_test_id("current")
    expect(current).to_be_visible()
    expect(current.get_by_test_id("state")).to_have_attribute("data-state", RegistrationState.CONFIRMED)
    expect(current).to_contain_text(tree.microgrid.name)
    expect(member.get_by_test_id("pending")).to_have_count(0)
    expect(member.get_by_test_id("summary")).to_be_visible()
    expect(member.get_by_test_id("points-balance")).to_have_text("0")
    screenshot(member, "volunteering-16-member-confirmed")

    # 2. 微心愿: posted, published, claimed, fulfilled with a photo, confirmed; the points appear.
    resident = new_page("resident", mobile=True)
    wish = post_wish(resident, base, tree)
    publish_wish(staff, base, wish)
    claim_and_fulfil_wish(member, base, wish, png_file(tmp_path, "radio.png"))
    confirm_wish(resident, base, wish)
    wish.refresh_from_db()
    assert wish.state == WishState.CONFIRMED
    assert wish.claimant_member_id == registration.pk
    wish_events = list(wish.events.order_by("sequence"))
    assert [event.action for event in wish_events] == WISH_EVENTS
    assert [event.actor_id for event in wish_events] == [
        wish.posted_by_id,
        world.staff.pk,
        registration.user_id,
        registration.user_id,
        wish.posted_by_id,
    ]
    assert [event.to_state for event in wish_events] == [
        WishState.SUBMITTED,
        WishState.PUBLISHED,
        WishState.CLAIMED,
        WishState.FULFILLED,
        WishState.CONFIRMED,
    ]
    # The photo belongs to the fulfilment.
    assert WishPhoto.objects.get(wish=wish).event_id == wish_events[3].pk
    expect_points(member, base, balance=WISH_POINTS, lines=[(WISH_TITLE, WISH_POINTS)])
    screenshot(member, "volunteering-17-member-points-wish")
    wish_entry = PointEntry.objects.get(account__member=registration, source="wish", source_id=wish.pk)
    assert (wish_entry.kind, wish_entry.points, wish_entry.rule_id) == (EntryKind.EARN, WISH_POINTS, world.wish_rule.pk)

    # 3. 点单—下单—接单: ordered from the menu, issued to the member, taken, completed with hours, rated.
    wanted_on = timezone.localdate() + datetime.timedelta(days=2)
    order_id = order_service(resident, base, tree, world.item, wanted_on)
    order = ServiceOrder.objects.get(pk=order_id)
    assert order.state == OrderState.ORDERED
    assert order.item_id == world.item.pk
    assert order.building_id == tree.microgrid.pk
    assert order.community_id == tree.community.pk
    assert (order.for_name, order.for_phone) == (RESIDENT_NAME, RESIDENT_PHONE)
    assert order.wanted_on == wanted_on
    assert (order.wanted_from, order.wanted_to) == (datetime.time(9), datetime.time(11))
    assert order.ordered_by.phone == RESIDENT_PHONE

    issue_order(staff, base, order, registration, world.rival)
    take_and_complete_order(member, base, order)
    rate_order(resident, base, order)

    hour_points = int(HOUR_POINTS * HOURS)
    expect_points(
        member,
        base,
        balance=WISH_POINTS + hour_points,
        lines=[(world.item.name, hour_points), (WISH_TITLE, WISH_POINTS)],
    )
    screenshot(member, "volunteering-18-member-points-hours")

    # The record: rated, every step an event in order by the right people, and the points the hours earned.
    order = ServiceOrder.objects.get(pk=order.pk)
    assert order.state == OrderState.RATED
    assert order.taker_id == registration.pk
    assert order.hours == HOURS
    assert order.rating == 5
    assert order.comment
    events = list(order.events.order_by("sequence"))
    assert [event.action for event in events] == ORDER_EVENTS
    assert [event.sequence for event in events] == list(range(1, len(ORDER_EVENTS) + 1))
    assert [event.to_state for event in events] == [
        OrderState.ORDERED,
        OrderState.ISSUED,
        OrderState.TAKEN,
        OrderState.COMPLETED,
        OrderState.RATED,
    ]
    resident_id = order.ordered_by_id
    assert [event.actor_id for event in events] == [
        resident_id,
        world.staff.pk,
        registration.user_id,
        registration.user_id,
        resident_id,
    ]
    for earlier, later in itertools.pairwise(events):
        assert later.from_state == earlier.to_state
        assert later.at >= earlier.at
    assert order.version == len(ORDER_EVENTS)

    hours_entry = PointEntry.objects.get(account__member=registration, source="order", source_id=order.pk)
    assert hours_entry.kind == EntryKind.EARN
    assert hours_entry.points == hour_points
    assert hours_entry.rule_id == world.hour_rule.pk
    account = PointAccount.objects.get(member=registration)
    assert account.balance == WISH_POINTS + hour_points
    assert account.balance == PointEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"]
    assert hours_entry.balance_after == account.balance
    # The other member earned nothing.
    assert not PointEntry.objects.filter(account__member=world.rival).exists()

    # The member's home sums it up.
    member.goto(f"{base}/member/")
    expect(member.get_by_test_id("points-balance")).to_have_text(str(WISH_POINTS + hour_points))
    screenshot(member, "volunteering-19-member-home")

    watch.check()
