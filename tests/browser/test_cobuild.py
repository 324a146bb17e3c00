"""A co-construction contract (契约化共建, issue 9), through the real pages in headless Chromium, by both parties.

谈约: the community's staff start a contract with a resident unit of their community and draft two clauses from two
of the four menus, one for each party; the unit's contact signs in with their phone, finds the draft among the
unit's contracts, proposes a third clause and comments. 签约: the staff sign, then the unit's contact. 亮约: the
staff publish the contract on the community's board. 履约: each party records the performance of its clause with a
photo (a real PNG). 评约: the staff start the evaluation early — first without a reason, which is refused on the
reason's field, then with one —; both parties score each clause and the whole, and the second evaluation closes the
contract. Then a signed-out visitor opens the community's board and the contract's public page: the clauses, how
they were kept and the scores are there; no phone number (plain or masked) and no person's name is, in the page's
text or its HTML. Then the database: the contract's events in order with who made them, both signatures, the
performance records with their evidence, and the two parties' scores.

Each user has their own browser context and signs in through the real pages: the staff with username and password,
the unit's contact by phone and one-time code (read from the in-memory SMS backend). The assertions use data-testid
attributes, field names, URLs and stored values, and state labels only as the app's own catalogue gives them.
Screenshots go to test-artifacts/browser/cobuild-*.png.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.sms import MemorySmsBackend
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_resident_user, make_staff
from gridwork.cobuild.categories import ServiceField
from gridwork.contracts.flows import ContractAction
from gridwork.contracts.models import (
    Clause,
    ClauseMenu,
    ClauseScore,
    Contract,
    ContractParty,
    ContractState,
    Evaluation,
    Evidence,
    EvidenceKind,
    Performance,
)
from gridwork.party.models import PartyOrganisation, PartyOrgKind, UnitContact
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.tests.factories import CityTree, make_city_tree
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_matter_loop import new_page  # noqa: F401  (a fixture)
from tests.browser.test_volunteering import (
    SUBMIT,
    expect_done,
    fits_the_phone,
    label,
    png_file,
    sign_in_by_phone,
    timeline,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

# The people of the story: none of their names or phone numbers may reach the public board.
STAFF_USERNAME = "chunhui-cobuild"
STAFF_NAME = "周晓梅"
CONTACT_PHONE = "13700005555"
CONTACT_NAME = "王丽娟"
UNIT_CONTACT_NAME = "赵建国"  # the contact person written on the unit's record
UNIT_CONTACT_PHONE = "13912345678"
SECRETARY_NAME = "李国华"  # the community's party secretary
UNIT_NAME = "明川市第二人民医院"
UNIT_PARTY_ORGANISATION = "明川市第二人民医院党总支"
COMMUNITY_ORGANISATION = "春晖社区大党委"

TITLE = "共建健康春晖"
COMMUNITY_CLAUSE = {
    "menu": ClauseMenu.RESOURCE,
    "done_by": ContractParty.COMMUNITY,
    "content": "社区每月为医院志愿者开放党群服务中心活动室两次，用于健康讲座。",
    "measure": "每月至少2次，每次不少于2小时",
    "field": ServiceField.HEALTH,
}
UNIT_CLAUSE = {
    "menu": ClauseMenu.SERVICE,
    "done_by": ContractParty.UNIT,
    "content": "医院每季度派医生到社区为老人义诊一次，测血压血糖。",
    "measure": "每季度1次，每次服务不少于30人",
    "field": ServiceField.ELDERLY,
}
# The unit's own proposal: its wording carries a phone number, which the public board must take out.
PROPOSED_TEXT = "医院为社区居民开设慢病健康档案，预约电话"
PROPOSED_CLAUSE = {
    "menu": ClauseMenu.SPECIAL,
    "done_by": ContractParty.UNIT,
    "content": f"{PROPOSED_TEXT}{CONTACT_PHONE}",
    "measure": "建档不少于100户",
    "field": ServiceField.HEALTH,
}
COMMENT = f"第二条义诊请安排在周六上午，老人方便。有事请找{CONTACT_NAME}，电话{CONTACT_PHONE}。"
EARLY_REASON = "医院院区明年搬迁，双方商定提前评约，续约另行商定。"
COMMUNITY_SCORES = {"whole": 92, "clauses": [95, 90, 80]}
UNIT_SCORES = {"whole": 88, "clauses": [85, 93, 75]}

CONTRACT_EVENTS = [
    (ContractAction.CREATE, "staff", ContractState.NEGOTIATING),
    (ContractAction.ADD_CLAUSE, "staff", ContractState.NEGOTIATING),
    (ContractAction.ADD_CLAUSE, "staff", ContractState.NEGOTIATING),
    (ContractAction.ADD_CLAUSE, "unit", ContractState.NEGOTIATING),
    (ContractAction.COMMENT, "unit", ContractState.NEGOTIATING),
    (ContractAction.SIGN, "staff", ContractState.SIGNING),
    (ContractAction.COUNTERSIGN, "unit", ContractState.SIGNED),
    (ContractAction.PUBLISH, "staff", ContractState.PERFORMING),
    (ContractAction.PERFORM, "staff", ContractState.PERFORMING),
    (ContractAction.PERFORM, "unit", ContractState.PERFORMING),
    (ContractAction.START_EVALUATION, "staff", ContractState.EVALUATING),
    (ContractAction.EVALUATE, "staff", ContractState.EVALUATING),
    (ContractAction.EVALUATE, "unit", ContractState.EVALUATING),
    (ContractAction.CLOSE, "unit", ContractState.CLOSED),  # the second evaluation closes the contract
]
ACTIONS = [action for action, _who, _state in CONTRACT_EVENTS]

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
MASKED_PHONE = re.compile(r"(?<!\d)1\d{2}\*{4}\d{4}(?!\d)")
# Slow machine (a benchmark and CI share it): generous waits, never fixed sleeps.
TIMEOUT = 60_000


# --- set-up ------------------------------------------------------------------------------------------------


@dataclass
class Cobuild:
    tree: CityTree
    staff: User  # community staff of 春晖社区: MANAGE_PARTY there
    unit: ResidentUnit  # sits in 春晖社区
    contact: User  # speaks for the unit (party.UnitContact); signs in by phone
    term_start: datetime.date
    term_end: datetime.date


@pytest.fixture
def cobuild(settings: Any, tmp_path: Path) -> Cobuild:
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    tree = make_city_tree()
    PartyOrganisation.objects.create(
        code="P-CH-CB",
        name=COMMUNITY_ORGANISATION,
        kind=PartyOrgKind.COMMUNITY_COMMITTEE,
        place=tree.community,
        secretary_name=SECRETARY_NAME,
    )
    staff = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=STAFF_USERNAME, full_name=STAFF_NAME)
    unit = ResidentUnit.objects.create(
        credit_code="12520100MB0000091X",
        name=UNIT_NAME,
        kind=ResidentUnitKind.HOSPITAL,
        place=tree.community,
        party_organisation_name=UNIT_PARTY_ORGANISATION,
        contact_name=UNIT_CONTACT_NAME,
        contact_phone=UNIT_CONTACT_PHONE,
    )
    contact = make_resident_user(phone=CONTACT_PHONE, full_name=CONTACT_NAME)
    UnitContact.objects.create(unit=unit, user=contact)
    today = timezone.localdate()
    # A term that began a month ago and runs most of a year: performance can be recorded today, and the evaluation
    # can start only early, with a reason.
    return Cobuild(
        tree=tree,
        staff=staff,
        unit=unit,
        contact=contact,
        term_start=today - datetime.timedelta(days=30),
        term_end=today + datetime.timedelta(days=334),
    )


@pytest.fixture
def patient() -> Iterator[None]:
    """Playwright's expect waits longer than its default 5 s while this test runs."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


# --- what the users do -------------------------------------------------------------------------------------


def goto(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, (url, response.status)


def sign_in_staff(page: Page, base: str) -> None:
    """Sign in through the staff sign-in page with username and password; lands on the staff home, which names
    the user (by their full name)."""
    from playwright.sync_api import expect

    goto(page, f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(STAFF_USERNAME)
    page.locator('input[name="password"]').fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.get_by_test_id("username")).to_have_text(STAFF_NAME)


def clause_card(page: Page, position: int) -> Locator:
    return page.get_by_test_id("clauses").locator(f'[data-testid="clause"][data-position="{position}"]')


def expect_state(page: Page, state: ContractState) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("state").first).to_have_text(label(state))


def fill_clause(page: Page, clause: dict[str, str], due_on: datetime.date) -> None:
    from playwright.sync_api import expect

    form = page.get_by_test_id("clause-form")
    expect(form).to_be_visible()
    form.locator('select[name="menu"]').select_option(clause["menu"])
    form.locator('select[name="done_by"]').select_option(clause["done_by"])
    form.locator('textarea[name="content"]').fill(clause["content"])
    form.locator('input[name="due_on"]').fill(due_on.isoformat())
    form.locator('select[name="field"]').select_option(clause["field"])
    form.locator('input[name="measure"]').fill(clause["measure"])


def start_contract(staff: Page, base: str, world: Cobuild) -> Contract:
    """谈约 begins: from the contracts list, the staff start a contract with the unit, with its term."""
    from playwright.sync_api import expect

    goto(staff, f"{base}/staff/contracts/")
    expect(staff.get_by_test_id("contract-row")).to_have_count(0)
    with staff.expect_navigation():
        staff.get_by_test_id("start").click()
    expect(staff).to_have_url(f"{base}/staff/contracts/new/")
    form = staff.get_by_test_id("contract-form")
    form.locator('select[name="community"]').select_option(str(world.tree.community.pk))
    form.locator('select[name="unit"]').select_option(str(world.unit.pk))
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('input[name="term_start"]').fill(world.term_start.isoformat())
    form.locator('input[name="term_end"]').fill(world.term_end.isoformat())
    screenshot(staff, "cobuild-01-staff-starts-contract")
    with staff.expect_navigation():
        form.locator(SUBMIT).click()
    expect(staff).to_have_url(re.compile(rf"^{re.escape(base)}/staff/contracts/\d+/$"))
    expect_done(staff)
    expect_state(staff, ContractState.NEGOTIATING)
    expect(staff.get_by_test_id("title")).to_have_text(TITLE)
    expect(staff.get_by_test_id("no-clauses")).to_be_visible()

    contract = Contract.objects.get(pk=int(staff.url.rstrip("/").rsplit("/", 1)[-1]))
    assert re.fullmatch(rf"GJ{timezone.localdate().year}\d{{4}}", contract.number)
    expect(staff.get_by_test_id("number")).to_have_text(contract.number)
    assert (contract.community_id, contract.unit_id) == (world.tree.community.pk, world.unit.pk)
    assert (contract.term_start, contract.term_end) == (world.term_start, world.term_end)
    assert contract.party_organisation is not None
    assert contract.party_organisation.name == COMMUNITY_ORGANISATION
    return contract


def draft_clause(staff: Page, base: str, contract: Contract, clause: dict[str, str], due_on: datetime.date) -> None:
    """The staff add a clause to the draft."""
    from playwright.sync_api import expect

    before = staff.get_by_test_id("clauses").get_by_test_id("clause").count()
    with staff.expect_navigation():
        staff.get_by_test_id("clause-new").click()
    expect(staff).to_have_url(f"{base}/staff/contracts/{contract.pk}/clauses/new/")
    fill_clause(staff, clause, due_on)
    screenshot(staff, f"cobuild-02-staff-drafts-clause-{before + 1}")
    with staff.expect_navigation():
        staff.get_by_test_id("clause-form").locator(SUBMIT).click()
    expect(staff).to_have_url(f"{base}/staff/contracts/{contract.pk}/")
    expect_done(staff)
    expect(staff.get_by_test_id("clauses").get_by_test_id("clause")).to_have_count(before + 1)
    card = clause_card(staff, before + 1)
    expect(card.get_by_test_id("clause-content")).to_have_text(clause["content"])
    expect(card.get_by_test_id("measure")).to_have_text(clause["measure"])


def unit_negotiates(unit: Page, base: str, contract: Contract, due_on: datetime.date) -> None:
    """The unit's contact signs in, goes from the unit's home to its contracts, finds the draft, proposes a clause
    and comments."""
    from playwright.sync_api import expect

    sign_in_by_phone(unit, base, CONTACT_PHONE, "/unit/")
    with unit.expect_navigation():
        unit.get_by_test_id("unit-contracts-link").click()
    expect(unit).to_have_url(f"{base}/unit/contracts/")
    expect(unit.get_by_test_id("units")).to_contain_text(UNIT_NAME)
    listed = unit.get_by_test_id("contracts").locator(f'a[href="/unit/contracts/{contract.pk}/"]')
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(contract.number)
    expect(listed).to_contain_text(TITLE)
    fits_the_phone(unit)
    screenshot(unit, "cobuild-03-unit-contracts")
    with unit.expect_navigation():
        listed.click()
    expect(unit).to_have_url(f"{base}/unit/contracts/{contract.pk}/")
    expect_state(unit, ContractState.NEGOTIATING)
    expect(unit.get_by_test_id("clauses").get_by_test_id("clause")).to_have_count(2)
    expect(clause_card(unit, 1).get_by_test_id("clause-content")).to_have_text(COMMUNITY_CLAUSE["content"])
    expect(clause_card(unit, 2).get_by_test_id("clause-content")).to_have_text(UNIT_CLAUSE["content"])
    # The unit proposes and comments; it neither changes the community's clauses nor sets the terms.
    expect(unit.get_by_test_id("clause-edit")).to_have_count(0)
    expect(unit.get_by_test_id("form-terms")).to_have_count(0)
    expect(unit.get_by_test_id("form-sign")).to_be_visible()
    fits_the_phone(unit)
    screenshot(unit, "cobuild-04-unit-sees-draft")

    with unit.expect_navigation():
        unit.get_by_test_id("clause-new").click()
    expect(unit).to_have_url(f"{base}/unit/contracts/{contract.pk}/clauses/new/")
    # The unit proposes for itself by default.
    expect(unit.get_by_test_id("clause-form").locator('select[name="done_by"]')).to_have_value(ContractParty.UNIT)
    fill_clause(unit, PROPOSED_CLAUSE, due_on)
    fits_the_phone(unit)
    screenshot(unit, "cobuild-05-unit-proposes-clause")
    with unit.expect_navigation():
        unit.get_by_test_id("clause-form").locator(SUBMIT).click()
    expect(unit).to_have_url(f"{base}/unit/contracts/{contract.pk}/")
    expect_done(unit)
    expect(unit.get_by_test_id("clauses").get_by_test_id("clause")).to_have_count(3)
    expect(clause_card(unit, 3).get_by_test_id("clause-content")).to_have_text(PROPOSED_CLAUSE["content"])

    comment = unit.get_by_test_id("form-comment")
    comment.locator('textarea[name="comment-note"]').fill(COMMENT)
    with unit.expect_navigation():
        comment.locator(SUBMIT).click()
    expect_done(unit)
    assert timeline(unit) == ACTIONS[:5]
    expect(unit.get_by_test_id("timeline").get_by_test_id("note").last).to_have_text(COMMENT)
    screenshot(unit, "cobuild-06-unit-commented")


def sign(page: Page, url: str, *, then: ContractState) -> None:
    """Sign for one's party the draft as the page shows it now."""
    from playwright.sync_api import expect

    goto(page, url)
    expect(page.get_by_test_id("sign-problems")).to_have_count(0)
    form = page.get_by_test_id("form-sign")
    expect(form).to_be_visible()
    with page.expect_navigation():
        form.get_by_test_id("sign").click()
    expect(page).to_have_url(url)
    expect_done(page)
    expect_state(page, then)
    expect(page.get_by_test_id("form-sign")).to_have_count(0)


def publish(staff: Page, base: str, contract: Contract) -> None:
    """亮约: the staff publish the contract both parties signed on the community's board."""
    from playwright.sync_api import expect

    goto(staff, f"{base}/staff/contracts/{contract.pk}/")
    expect_state(staff, ContractState.SIGNED)
    expect(staff.get_by_test_id("signed-community")).to_contain_text(STAFF_NAME)
    expect(staff.get_by_test_id("signed-unit")).to_contain_text(CONTACT_NAME)  # staff with VIEW_PERSONAL_DATA
    expect(staff.get_by_test_id("board-link")).to_have_count(0)
    form = staff.get_by_test_id("form-publish")
    screenshot(staff, "cobuild-08-staff-publishes")
    with staff.expect_navigation():
        form.get_by_test_id("publish").click()
    expect_done(staff)
    expect_state(staff, ContractState.PERFORMING)
    expect(staff.get_by_test_id("board-link")).to_have_attribute("href", f"/board/contracts/{contract.number}/")
    expect(staff.get_by_test_id("form-publish")).to_have_count(0)


def record_performance(
    page: Page, base: str, detail_url: str, *, position: int, note: str, photo: Path, shot: str
) -> None:
    """履约: the party responsible for the clause records what was done today, with a photo."""
    from playwright.sync_api import expect

    goto(page, detail_url)
    card = clause_card(page, position)
    expect(card).to_have_attribute("data-status", "due")
    with page.expect_navigation():
        card.get_by_test_id("clause-perform").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(detail_url)}clauses/\d+/perform/$"))
    form = page.get_by_test_id("perform-form")
    expect(form.locator('input[name="performed_on"]')).to_have_value(timezone.localdate().isoformat())
    expect(form.locator('input[name="completes"]')).to_be_checked()
    form.locator('textarea[name="note"]').fill(note)
    form.locator('input[name="evidence"]').set_input_files(str(photo))
    screenshot(page, shot)
    with page.expect_navigation():
        form.locator(SUBMIT).click()
    expect(page).to_have_url(detail_url)
    expect_done(page)
    card = clause_card(page, position)
    expect(card).to_have_attribute("data-status", "on_time")
    expect(card.get_by_test_id("records")).to_contain_text(note)
    evidence = card.get_by_test_id("evidence")
    expect(evidence).to_have_count(1)
    expect(card.get_by_test_id("clause-perform")).to_be_visible()  # more may be recorded while performing
    # The photo is served, re-encoded, to those who may see the contract.
    href = evidence.get_attribute("href")
    assert href is not None
    served = page.request.get(f"{base}{href}")
    assert served.status == 200
    assert served.headers["content-type"].startswith("image/")
    assert served.body()[:3] == b"\xff\xd8\xff" or served.body()[:8] == b"\x89PNG\r\n\x1a\n"


def evaluate(
    page: Page, detail_url: str, contract: Contract, *, scores: dict[str, Any], comment: str, shot: str
) -> None:
    """评约 of one party: each clause and the whole, 0–100."""
    from playwright.sync_api import expect

    goto(page, detail_url)
    with page.expect_navigation():
        page.get_by_test_id("evaluate-link").click()
    expect(page).to_have_url(f"{detail_url}evaluate/")
    form = page.get_by_test_id("evaluate-form")
    clauses = list(Clause.objects.filter(contract=contract).order_by("position"))
    expect(form.get_by_test_id("clause")).to_have_count(len(clauses))
    for clause, score in zip(clauses, scores["clauses"], strict=True):
        form.locator(f'input[name="clause_{clause.pk}"]').fill(str(score))
    form.locator('input[name="score"]').fill(str(scores["whole"]))
    form.locator('textarea[name="comment"]').fill(comment)
    screenshot(page, shot)
    with page.expect_navigation():
        form.locator(SUBMIT).click()
    expect(page).to_have_url(detail_url)
    expect_done(page)
    expect(page.get_by_test_id("evaluate-link")).to_have_count(0)


def expect_no_personal_data(page: Page, world: Cobuild) -> None:
    """Neither the rendered text nor the HTML of the page holds a phone number (plain or masked) or a name."""
    text = page.locator("body").inner_text()
    markup = page.content()
    for where, content in (("text", text), ("html", markup)):
        assert PHONE.findall(content) == [], (page.url, where)
        assert MASKED_PHONE.findall(content) == [], (page.url, where)
        for name in (STAFF_NAME, STAFF_USERNAME, CONTACT_NAME, UNIT_CONTACT_NAME, SECRETARY_NAME):
            assert name not in content, (page.url, where, name)
        for phone in (CONTACT_PHONE, UNIT_CONTACT_PHONE):
            assert phone not in content, (page.url, where, phone)
    # Nothing recorded along the way reaches the board: notes, comments, reasons, evidence.
    for private in (COMMENT, EARLY_REASON, "活动室已按约开放", "义诊已完成"):
        assert private not in text, (page.url, private)
    assert page.get_by_test_id("evidence").count() == 0
    assert page.get_by_test_id("records").count() == 0


# --- the test ----------------------------------------------------------------------------------------------


def test_a_contract_from_negotiation_to_evaluation_and_its_public_page(
    *,
    page: Page,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    live_server: Any,
    watch: PageWatch,
    cobuild: Cobuild,
    patient: None,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    world = cobuild
    base = live_server.url
    today = timezone.localdate()
    due = today + datetime.timedelta(days=60)  # within the term, not yet due: performed today is on time

    # 1. 谈约: the staff start the contract and draft a clause for each party, from two menus.
    staff = page
    staff.context.set_default_timeout(TIMEOUT)
    sign_in_staff(staff, base)
    contract = start_contract(staff, base, world)
    staff_url = f"{base}/staff/contracts/{contract.pk}/"
    draft_clause(staff, base, contract, COMMUNITY_CLAUSE, due)
    draft_clause(staff, base, contract, UNIT_CLAUSE, due)

    # The unit's contact sees the draft on their phone, proposes a clause and comments.
    unit = new_page("unit", mobile=True)
    unit.context.set_default_timeout(TIMEOUT)
    unit_url = f"{base}/unit/contracts/{contract.pk}/"
    unit_negotiates(unit, base, contract, due)

    # The staff see the proposal and the comment (the unit's contact named: the staff may see personal data).
    goto(staff, staff_url)
    expect(staff.get_by_test_id("clauses").get_by_test_id("clause")).to_have_count(3)
    assert timeline(staff) == ACTIONS[:5]
    expect(staff.get_by_test_id("timeline").locator('li[data-action="comment"]').get_by_test_id("who")).to_contain_text(
        CONTACT_NAME
    )
    screenshot(staff, "cobuild-07-staff-sees-proposal")

    # 2. 签约: the staff sign first, then the unit's contact.
    sign(staff, staff_url, then=ContractState.SIGNING)
    expect(staff.get_by_test_id("signed-community")).to_contain_text(STAFF_NAME)
    expect(staff.get_by_test_id("form-reopen")).to_be_visible()
    expect(staff.get_by_test_id("clause-new")).to_have_count(0)  # the draft is fixed
    sign(unit, unit_url, then=ContractState.SIGNED)
    expect(unit.get_by_test_id("signed-unit")).to_contain_text(CONTACT_NAME)
    # To the unit, the community signed as the community's staff, not as a named person.
    expect(unit.get_by_test_id("signed-community")).not_to_contain_text(STAFF_NAME)
    expect(unit.get_by_test_id("signed-community")).to_contain_text(world.tree.community.name)
    expect(unit.get_by_test_id("form-publish")).to_have_count(0)  # the community publishes
    fits_the_phone(unit)

    # 3. 亮约: the staff publish it; the board shows it.
    publish(staff, base, contract)

    # 4. 履约: each party records its own clause's performance with a photo.
    record_performance(
        staff,
        base,
        staff_url,
        position=1,
        note="活动室已按约开放，本月两次健康讲座均在活动室举行。",
        photo=png_file(tmp_path, "hall.png"),
        shot="cobuild-09-staff-performs",
    )
    goto(unit, unit_url)
    # The unit records only its own clauses.
    expect(clause_card(unit, 1).get_by_test_id("clause-perform")).to_have_count(0)
    expect(clause_card(unit, 2).get_by_test_id("clause-perform")).to_be_visible()
    record_performance(
        unit,
        base,
        unit_url,
        position=2,
        note=f"义诊已完成，共服务老人42人。带队医生{UNIT_CONTACT_NAME}，{UNIT_CONTACT_PHONE}。",
        photo=png_file(tmp_path, "clinic.png"),
        shot="cobuild-10-unit-performs",
    )
    fits_the_phone(unit)

    # 5. 评约: the term has not ended, so the evaluation starts early only with a reason.
    goto(staff, staff_url)
    start = staff.get_by_test_id("form-start_evaluation")
    with staff.expect_navigation():
        start.locator(SUBMIT).click()
    expect(staff.get_by_test_id("error-reason")).to_be_visible()
    expect_state(staff, ContractState.PERFORMING)
    assert Contract.objects.get(pk=contract.pk).state == ContractState.PERFORMING
    start = staff.get_by_test_id("form-start_evaluation")
    start.locator('textarea[name="start_evaluation-reason"]').fill(EARLY_REASON)
    screenshot(staff, "cobuild-11-staff-starts-evaluation")
    with staff.expect_navigation():
        start.locator(SUBMIT).click()
    expect_done(staff)
    expect_state(staff, ContractState.EVALUATING)
    expect(staff.get_by_test_id("form-start_evaluation")).to_have_count(0)
    expect(staff.get_by_test_id("clause-perform")).to_have_count(0)

    evaluate(
        staff,
        staff_url,
        contract,
        scores=COMMUNITY_SCORES,
        comment="医院履约认真，义诊很受欢迎。",
        shot="cobuild-12-staff-evaluates",
    )
    expect_state(staff, ContractState.EVALUATING)
    expect(staff.get_by_test_id("score-community")).to_have_text(str(COMMUNITY_SCORES["whole"]))
    evaluate(
        unit, unit_url, contract, scores=UNIT_SCORES, comment="社区场地安排及时。", shot="cobuild-13-unit-evaluates"
    )
    expect_state(unit, ContractState.CLOSED)
    expect(unit.get_by_test_id("score-community")).to_have_text(str(COMMUNITY_SCORES["whole"]))
    expect(unit.get_by_test_id("score-unit")).to_have_text(str(UNIT_SCORES["whole"]))
    assert timeline(unit) == ACTIONS
    fits_the_phone(unit)
    screenshot(unit, "cobuild-14-unit-closed")

    goto(staff, staff_url)
    expect_state(staff, ContractState.CLOSED)
    assert timeline(staff) == ACTIONS
    expect(staff.get_by_test_id("form-close")).to_have_count(0)
    screenshot(staff, "cobuild-15-staff-closed")

    # 6. The public board, signed out: the community's contracts, then the contract's page.
    visitor = new_page("visitor", mobile=True)
    visitor.context.set_default_timeout(TIMEOUT)
    goto(visitor, f"{base}/board/{world.tree.community.code}/contracts/")
    listed = visitor.get_by_test_id("contracts").get_by_test_id("contract")
    expect(listed).to_have_count(1)
    expect(listed).to_have_attribute("href", f"/board/contracts/{contract.number}/")
    expect(listed).to_contain_text(contract.number)
    expect(listed).to_contain_text(TITLE)
    expect(listed).to_contain_text(UNIT_NAME)
    expect(listed.get_by_test_id("state")).to_have_text(label(ContractState.CLOSED))
    fits_the_phone(visitor)
    screenshot(visitor, "cobuild-16-board")
    expect_no_personal_data(visitor, world)

    with visitor.expect_navigation():
        listed.click()
    expect(visitor).to_have_url(f"{base}/board/contracts/{contract.number}/")
    expect(visitor.get_by_test_id("title")).to_have_text(TITLE)
    expect_state(visitor, ContractState.CLOSED)
    expect(visitor.get_by_test_id("unit")).to_contain_text(UNIT_NAME)
    expect(visitor.get_by_test_id("facts")).to_contain_text(COMMUNITY_ORGANISATION)
    expect(visitor.get_by_test_id("term")).to_have_text(f"{world.term_start:%Y-%m-%d} – {world.term_end:%Y-%m-%d}")
    expect(visitor.get_by_test_id("summary")).to_contain_text("2 / 3")
    clauses = visitor.get_by_test_id("clause")
    expect(clauses).to_have_count(3)
    expected = [
        (COMMUNITY_CLAUSE, "on_time", 0),
        (UNIT_CLAUSE, "on_time", 1),
        (PROPOSED_CLAUSE, "due", 2),
    ]
    for index, (clause, status, score_index) in enumerate(expected):
        card = clauses.nth(index)
        expect(card).to_have_attribute("data-status", status)
        expect(card.get_by_test_id("measure")).to_have_text(clause["measure"])
        scores = card.get_by_test_id("clause-scores")
        expect(scores).to_contain_text(str(COMMUNITY_SCORES["clauses"][score_index]))
        expect(scores).to_contain_text(str(UNIT_SCORES["clauses"][score_index]))
        if clause is PROPOSED_CLAUSE:
            # The phone number typed into the wording is taken out; the rest of the wording stays.
            expect(card.get_by_test_id("clause-content")).to_contain_text(PROPOSED_TEXT)
            expect(card.get_by_test_id("clause-content")).not_to_contain_text(CONTACT_PHONE)
        else:
            expect(card.get_by_test_id("clause-content")).to_have_text(clause["content"])
    expect(visitor.get_by_test_id("score-community")).to_have_text(str(COMMUNITY_SCORES["whole"]))
    expect(visitor.get_by_test_id("score-unit")).to_have_text(str(UNIT_SCORES["whole"]))
    expect(visitor.get_by_test_id("rating")).to_have_count(0)  # a visitor signed out does not rate
    fits_the_phone(visitor)
    screenshot(visitor, "cobuild-17-public-contract")
    expect_no_personal_data(visitor, world)
    # The evidence stays private: the signed-out visitor is not served the photo.
    evidence = Evidence.objects.filter(performance__contract=contract).order_by("id").first()
    assert evidence is not None
    for private_url in (
        f"{base}/unit/contracts/{contract.pk}/evidence/{evidence.pk}/",
        f"{base}/staff/contracts/{contract.pk}/evidence/{evidence.pk}/",
    ):
        response = visitor.request.get(private_url, max_redirects=0)
        assert response.status != 200, private_url
        assert not response.headers.get("content-type", "").startswith("image/"), private_url

    # 7. The record.
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.state == ContractState.CLOSED
    assert contract.title == TITLE
    events = list(contract.events.order_by("sequence"))
    actor_of = {"staff": world.staff.pk, "unit": world.contact.pk}
    party_of = {"staff": ContractParty.COMMUNITY, "unit": ContractParty.UNIT}
    assert [event.action for event in events] == ACTIONS
    assert [event.sequence for event in events] == list(range(1, len(ACTIONS) + 1))
    assert [event.actor_id for event in events] == [actor_of[who] for _action, who, _state in CONTRACT_EVENTS]
    assert [event.to_state for event in events] == [state for _action, _who, state in CONTRACT_EVENTS]
    assert [event.data.get("party") for event in events] == [party_of[who] for _action, who, _state in CONTRACT_EVENTS]
    for earlier, later in itertools.pairwise(events):
        assert later.from_state == earlier.to_state
        assert later.at >= earlier.at
    assert contract.version == len(ACTIONS)
    assert events[4].note == COMMENT
    assert events[10].note == EARLY_REASON
    assert events[10].data["early"] is True
    assert events[13].data["both_evaluated"] is True

    # Both signatures, by the users of the two parties; the term fixed by them.
    assert contract.community_signed_by_id == world.staff.pk
    assert contract.unit_signed_by_id == world.contact.pk
    assert contract.community_signed_at == events[5].at
    assert contract.unit_signed_at == events[6].at
    assert contract.signed_at == contract.unit_signed_at
    assert (contract.term_start, contract.term_end) == (world.term_start, world.term_end)
    assert contract.published_at == events[7].at
    assert contract.evaluation_started_at == events[10].at
    assert contract.ended_early is True
    assert contract.closed_at == events[13].at

    # The clauses: one per party from the menus chosen, the third proposed by the unit.
    clauses_stored = list(contract.clauses.order_by("position"))
    assert [(c.menu, c.party, c.proposed_by, c.field) for c in clauses_stored] == [
        (ClauseMenu.RESOURCE, ContractParty.COMMUNITY, ContractParty.COMMUNITY, ServiceField.HEALTH),
        (ClauseMenu.SERVICE, ContractParty.UNIT, ContractParty.COMMUNITY, ServiceField.ELDERLY),
        (ClauseMenu.SPECIAL, ContractParty.UNIT, ContractParty.UNIT, ServiceField.HEALTH),
    ]
    assert [c.content for c in clauses_stored] == [
        COMMUNITY_CLAUSE["content"],
        UNIT_CLAUSE["content"],
        PROPOSED_CLAUSE["content"],
    ]
    assert {c.due_on for c in clauses_stored} == {due}
    assert [c.performed_on for c in clauses_stored] == [today, today, None]

    # Performance: one record per party for its own clause, each with its photo, each the event of its move.
    records = list(Performance.objects.filter(contract=contract).order_by("id"))
    assert [(r.clause_id, r.party, r.recorded_by_id) for r in records] == [
        (clauses_stored[0].pk, ContractParty.COMMUNITY, world.staff.pk),
        (clauses_stored[1].pk, ContractParty.UNIT, world.contact.pk),
    ]
    assert [r.event_id for r in records] == [events[8].pk, events[9].pk]
    assert all(r.performed_on == today and r.completes for r in records)
    for record in records:
        photos = list(record.evidence.all())
        assert len(photos) == 1
        photo = photos[0]
        assert photo.kind == EvidenceKind.PHOTO
        assert photo.content_type.startswith("image/")
        assert photo.size > 0
        assert Path(photo.file.path).is_file()
        assert Path(photo.file.path).stat().st_size == photo.size
        assert not photo.file.name.endswith(("hall.png", "clinic.png"))  # the server names the file

    # The two parties' scores, each by its own user, each the event of its evaluation; nothing from residents.
    evaluations = {e.party: e for e in Evaluation.objects.filter(contract=contract)}
    assert set(evaluations) == {ContractParty.COMMUNITY, ContractParty.UNIT}
    community, unit_side = evaluations[ContractParty.COMMUNITY], evaluations[ContractParty.UNIT]
    assert (community.score, community.evaluated_by_id, community.event_id) == (
        COMMUNITY_SCORES["whole"],
        world.staff.pk,
        events[11].pk,
    )
    assert (unit_side.score, unit_side.evaluated_by_id, unit_side.event_id) == (
        UNIT_SCORES["whole"],
        world.contact.pk,
        events[12].pk,
    )
    for evaluation, scores in ((community, COMMUNITY_SCORES), (unit_side, UNIT_SCORES)):
        stored = list(
            ClauseScore.objects.filter(evaluation=evaluation)
            .order_by("clause__position")
            .values_list("score", flat=True)
        )
        assert stored == scores["clauses"]
    assert not contract.resident_ratings.exists()

    watch.check()
