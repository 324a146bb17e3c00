"""A neighbour dispute settled at the grassroots (枫桥经验, issue 13), through the real pages in headless Chromium.

春晖社区第一网格's grid worker, on a phone, records this month's screening of the grid: 30 households visited, one
dispute found — water from 401's new bathroom leaking into 301's ceiling, the neighbours quarrelling on the stairs.
春晖社区's staff, on a desktop, find the entry in the screening entries, register it as a dispute case (the form
prefilled from the entry; the parties entered), assign the mediator the platform suggests first (the community's
people's mediator for neighbour disputes, ahead of the street's lawyer; neither the unavailable mediator nor the
sibling community's is suggested), record the mediation session in the community's mediation room, record the
agreement (调解协议书) with a follow-up due today, download the agreement's PDF — the stored file; its text
(pypdfium2) has both parties' names and particulars and the terms; page 1 is rendered to a PNG —, and record the
follow-up: performed. The case's state badge shows the state at each step. The grid worker, on the phone, then sees
the concluded case with the parties masked and cannot download the PDF. Then the database: the entry registered, the
case concluded with the agreement, the suggested assignment, the session, the events in order by the community's
staff, the follow-up done, the download audited.

Each user has their own browser context and signs in through the staff sign-in page. The assertions use data-testid
attributes, field names, URLs and stored values. Screenshots (and the PDF with its first page as a PNG) go to
test-artifacts/browser/mediation-*.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import STAFF_PASSWORD
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import START
from gridwork.mediation.models import (
    Agreement,
    Assignment,
    CaseEvent,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    FollowUp,
    MediationSession,
    Outcome,
    PartyRole,
    Performance,
    RiskLevel,
)
from gridwork.mediation.tests.factories import CaseWorld, case_world
from gridwork.screening.models import EntryStatus, RiskEntry, Screening
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_matter_loop import new_page  # noqa: F401  (new_page: a fixture)
from tests.browser.test_volunteering import expect_done, fits_the_phone

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

TIMEOUT = 60_000

HOUSEHOLDS = "30"
FOUND = "401室新装修的卫生间漏水，渗到楼下301室的天花板，两家在楼道里争吵过两次，301室住户说要去找物业和派出所。"
PARTIES_AS_TOLD = "301室张桂芳（楼下），401室李建国（楼上）"
WHERE = "春晖路1号1号楼1单元"
TITLE = "1号楼401室卫生间漏水至301室纠纷"
APPLICANT = {
    "name": "张桂芳",
    "phone": "13800001111",
    "id_number": "520102196505121228",
    "address": "春晖路1号1号楼1单元301",
}
RESPONDENT = {
    "name": "李建国",
    "phone": "13800002222",
    "id_number": "520102197803043317",
    "address": "春晖路1号1号楼1单元401",
}
SESSION_PLACE = "春晖社区党群服务站调解室"
SESSION_PARTICIPANTS = "张桂芳、李建国、人民调解员老周、网格员"
SESSION_NOTES = "双方到场陈述；李建国承认卫生间防水层施工有问题，同意修复并赔偿；张桂芳同意不再追究其他费用。"
AGREEMENT_FACTS = "李建国401室装修后卫生间防水层渗漏，致张桂芳301室天花板受潮脱落，双方就修复和赔偿发生争执。"
TERMS = "李建国自本协议签订之日起十五日内修复401室卫生间防水层，并一次性赔偿张桂芳天花板修补费用人民币1800元。"
PERFORMANCE = "赔偿款于本协议签订之日当场以现金支付；防水修复完工后由社区调解员到场查看。"
FOLLOW_UP_NOTE = "回访张桂芳：赔偿款已收到，401室防水已重做，301室天花板不再渗水。"
# The first event is written by ``common.flows.flow_start``, which names it ``create`` (START) for every flow.
CASE_EVENTS = [
    (START, CaseState.REGISTERED),
    ("assign", CaseState.ASSIGNED),
    ("hold_session", CaseState.MEDIATING),
    ("conclude", CaseState.CONCLUDED),
    ("follow_up", CaseState.CONCLUDED),
]
# A form's submit button: some pages give it type="submit", others rely on HTML's default (a button without a type).
SUBMIT = 'button:not([type="button"]):not([type="reset"])'


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> CaseWorld:
    """The app's shared world: 春晖社区 with its grids, a grid worker of the first grid, the community's staff, and
    the roster — 调解员老周 (the community's people's mediator, neighbour and family disputes: the first suggestion),
    律师陈明 (the street's lawyer, any type), one of the sibling community and one not available."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return case_world()


@pytest.fixture
def patient() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


def label(choice: Any) -> str:
    """A choice's label as the pages show it in the default language."""
    with translation.override("zh-hans"):
        return str(choice.label)


def set_field(field: Locator, value: str | datetime.date | datetime.datetime) -> None:
    """Fill one form field whatever widget the page gives it: radio buttons, a select, a date, month or datetime
    input, text."""
    tag = field.first.evaluate("element => element.tagName.toLowerCase()")
    kind = (field.first.get_attribute("type") or "").lower()
    if kind == "radio":
        assert isinstance(value, str)
        field.and_(field.page.locator(f'[value="{value}"]')).check()
        return
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%dT%H:%M" if kind == "datetime-local" else "%Y-%m-%d %H:%M")
    elif isinstance(value, datetime.date):
        text = value.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
    else:
        text = value
    if tag == "select":
        field.select_option(text)
    else:
        field.fill(text)


def state_is(page: Page, state: CaseState) -> None:
    from playwright.sync_api import expect

    badge = page.get_by_test_id("case-state")
    expect(badge).to_have_attribute("data-state", state)
    expect(badge).to_contain_text(label(state))


def compact(text: str) -> str:
    """Text without whitespace: a PDF's extracted text breaks lines where the page does."""
    return re.sub(r"\s+", "", text)


# --- what the users do -------------------------------------------------------------------------------------


def sign_in(page: Page, base: str, user: User) -> None:
    """Sign in through the staff sign-in page; lands on the staff home, which names the user."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.get_by_test_id("username")).to_have_text(str(user))


def grid_worker_screens(page: Page, base: str, world: CaseWorld, today: datetime.date) -> None:
    """On the phone: this month's screening of the grid, with the neighbour dispute found."""
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('screening:screening-list')}")
    with page.expect_navigation():
        page.get_by_test_id("screening-new").click()
    expect(page).to_have_url(f"{base}{reverse('screening:screening-create')}")
    form = page.get_by_test_id("screening-form")
    expect(form).to_be_visible()
    fits_the_phone(page)
    # The worker's only grid, this month and today are filled in already.
    expect(form.locator('[name="grid"]')).to_have_value(str(world.tree.grid.pk))
    expect(form.locator('[name="month"]')).to_have_value(today.strftime("%Y-%m"))
    expect(form.locator('[name="screened_on"]')).to_have_value(today.isoformat())
    expect(form.locator('[name="found_nothing"]')).not_to_be_checked()
    form.locator('[name="households_visited"]').fill(HOUSEHOLDS)
    set_field(form.locator('[name$="-0-dispute_type"]'), DisputeType.NEIGHBOUR)
    set_field(form.locator('[name$="-0-risk"]'), RiskLevel.MEDIUM)
    form.locator('[name$="-0-summary"]').fill(FOUND)
    form.locator('[name$="-0-parties"]').fill(PARTIES_AS_TOLD)
    form.locator('[name$="-0-location"]').fill(WHERE)
    fits_the_phone(page)
    screenshot(page, "mediation-01-worker-screening-form")
    with page.expect_navigation():
        page.get_by_test_id("screening-submit").click()
    expect_done(page)
    fits_the_phone(page)
    screenshot(page, "mediation-02-worker-screening-recorded")


def community_registers_the_case(page: Page, base: str, entry: RiskEntry) -> DisputeCase:
    """From the screening entries: "Register as a case", the form prefilled from the entry, the parties entered."""
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('screening:entry-list')}")
    row = page.locator(f'[data-testid="entry-row"][data-entry="{entry.pk}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(WHERE)
    register = row.get_by_test_id("entry-register")
    screenshot(page, "mediation-03-community-entries")
    with page.expect_navigation():
        register.click()
    expect(page).to_have_url(re.compile(re.escape(reverse("mediation:case-create")) + rf"\?(.*&)?entry={entry.pk}\b"))
    form = page.get_by_test_id("case-form")
    expect(form).to_be_visible()
    # Prefilled from the entry.
    expect(form.locator('[name="dispute_type"]')).to_have_value(DisputeType.NEIGHBOUR)
    expect(form.locator('[name="risk"]')).to_have_value(RiskLevel.MEDIUM)
    expect(form.locator('[name="facts"]')).to_have_value(re.compile(re.escape(FOUND)))
    expect(form.locator('[name="location"]')).to_have_value(WHERE)
    form.locator('[name="title"]').fill(TITLE)
    for index, (role, party) in enumerate([(PartyRole.APPLICANT, APPLICANT), (PartyRole.RESPONDENT, RESPONDENT)]):
        set_field(form.locator(f'[name$="-{index}-role"]'), role)
        for name, value in party.items():
            form.locator(f'[name$="-{index}-{name}"]').fill(value)
    screenshot(page, "mediation-04-community-case-form")
    with page.expect_navigation():
        page.get_by_test_id("case-submit").click()
    case = DisputeCase.objects.get(risk_entry=entry)
    expect(page).to_have_url(f"{base}{reverse('mediation:case-detail', args=[case.pk])}")
    expect_done(page)
    state_is(page, CaseState.REGISTERED)
    expect(page.get_by_text(case.number).first).to_be_visible()
    # The parties are masked until revealed: the phone numbers are not on the page.
    content = page.content()
    assert APPLICANT["phone"] not in content
    assert RESPONDENT["id_number"] not in content
    screenshot(page, "mediation-05-community-case-registered")
    return case


def community_assigns_the_suggestion(page: Page, base: str, case: DisputeCase, world: CaseWorld) -> None:
    from playwright.sync_api import expect

    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions.first).to_contain_text(world.mediator.name)  # neighbour disputes, in the community
    expect(suggestions.nth(1)).to_contain_text(world.lawyer.name)  # any type, for the whole street
    expect(page.get_by_test_id("suggestions")).not_to_contain_text(world.away_mediator.name)  # not available
    expect(page.get_by_test_id("suggestions")).not_to_contain_text(world.far_mediator.name)  # another community
    assign = suggestions.first.get_by_test_id("suggestion-assign")
    expect(assign).to_be_visible()
    with page.expect_navigation():
        assign.click()
    expect(page).to_have_url(f"{base}{reverse('mediation:case-detail', args=[case.pk])}")
    expect_done(page)
    state_is(page, CaseState.ASSIGNED)
    expect(page.get_by_test_id("current-mediator")).to_contain_text(world.mediator.name)
    screenshot(page, "mediation-06-community-mediator-assigned")


def community_records_the_session(page: Page, base: str, case: DisputeCase) -> datetime.datetime:
    """The session held just now in the community's mediation room."""
    from playwright.sync_api import expect

    held_at = timezone.localtime().replace(second=0, microsecond=0)

    detail = f"{base}{reverse('mediation:case-detail', args=[case.pk])}"
    with page.expect_navigation():
        page.get_by_test_id("case-session-link").click()
    expect(page).to_have_url(f"{base}{reverse('mediation:case-session', args=[case.pk])}")
    form = page.get_by_test_id("session-form")
    expect(form).to_be_visible()
    set_field(form.locator('[name="held_at"]'), held_at)
    form.locator('[name="location"]').fill(SESSION_PLACE)
    form.locator('[name="participants"]').fill(SESSION_PARTICIPANTS)
    form.locator('[name="notes"]').fill(SESSION_NOTES)
    screenshot(page, "mediation-07-community-session-form")
    with page.expect_navigation():
        page.get_by_test_id("session-submit").click()
    expect(page).to_have_url(detail)
    expect_done(page)
    state_is(page, CaseState.MEDIATING)
    expect(page.get_by_text(SESSION_PLACE).first).to_be_visible()
    screenshot(page, "mediation-08-community-session-recorded")
    return held_at


def community_records_the_agreement(page: Page, base: str, case: DisputeCase, today: datetime.date) -> Agreement:
    from playwright.sync_api import expect

    with page.expect_navigation():
        page.get_by_test_id("outcome-agreement").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}{reverse('mediation:agreement-create', args=[case.pk])}")))
    form = page.get_by_test_id("agreement-form")
    expect(form).to_be_visible()
    form.locator('[name="facts"]').fill(AGREEMENT_FACTS)
    form.locator('[name="terms"]').fill(TERMS)
    form.locator('[name="performance"]').fill(PERFORMANCE)
    set_field(form.locator('[name="signed_on"]'), today)
    set_field(form.locator('[name="follow_up_on"]'), today)  # the first follow-up: due today
    screenshot(page, "mediation-09-community-agreement-form")
    with page.expect_navigation():
        page.get_by_test_id("agreement-submit").click()
    expect_done(page)
    agreement = Agreement.objects.get(case=case)
    expect(page).to_have_url(
        re.compile(
            "^"
            + "|".join(
                re.escape(f"{base}{reverse(name, args=[pk])}") + "$"
                for name, pk in [("mediation:agreement-detail", agreement.pk), ("mediation:case-detail", case.pk)]
            )
        )
    )
    screenshot(page, "mediation-10-community-agreement-recorded")
    return agreement


def community_downloads_the_pdf(page: Page, agreement: Agreement) -> bytes:
    """The agreement's PDF, downloaded with the community's session: the parties' names and the terms are in it."""
    import pypdfium2 as pdfium
    from playwright.sync_api import expect

    download = page.get_by_test_id("agreement-download")
    expect(download).to_be_visible()
    href = download.get_attribute("href")
    assert href is not None
    assert href.split("?")[0].endswith(reverse("mediation:agreement-pdf", args=[agreement.pk])), href
    with page.expect_download() as started:
        download.click()
    pdf_file = started.value
    assert pdf_file.failure() is None
    assert pdf_file.suggested_filename.endswith(".pdf"), pdf_file.suggested_filename
    body = Path(pdf_file.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    assert hashlib.sha256(body).hexdigest() == agreement.pdf_sha256  # the stored document, as written

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "mediation-agreement.pdf").write_bytes(body)
    pdf = pdfium.PdfDocument(body)
    try:
        text = ""
        for number in range(len(pdf)):
            pdf_page = pdf[number]
            textpage = pdf_page.get_textpage()
            text += textpage.get_text_range()
            textpage.close()
            pdf_page.close()
        text = compact(text)
        # The parties' own document: their names and particulars in full, the terms, the number.
        wanted = [*APPLICANT.values(), *RESPONDENT.values(), TERMS, PERFORMANCE, agreement.number, "调解协议书"]
        for expected in wanted:
            assert compact(expected) in text, f"{expected!r} is not in the PDF's text: {text!r}"
        first = pdf[0]
        first.render(scale=2).to_pil().save(ARTIFACTS / "mediation-agreement-page1.png")
        first.close()
    finally:
        pdf.close()
    return body


def community_records_the_follow_up(page: Page, base: str, case: DisputeCase, follow_up: FollowUp) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('mediation:followup-list')}")
    record = page.get_by_test_id("followup-record")
    expect(record).to_have_count(1)
    screenshot(page, "mediation-11-community-followups-due")
    with page.expect_navigation():
        record.click()
    expect(page).to_have_url(
        re.compile(re.escape(f"{base}{reverse('mediation:followup-record', args=[follow_up.pk])}"))
    )
    form = page.get_by_test_id("followup-form")
    expect(form).to_be_visible()
    set_field(form.locator('[name="result"]'), Performance.PERFORMED)
    form.locator('[name="note"]').fill(FOLLOW_UP_NOTE)
    done_on = form.locator('[name="done_on"]')
    if done_on.count() and not done_on.input_value():
        set_field(done_on, timezone.localdate())
    with page.expect_navigation():
        page.get_by_test_id("followup-submit").click()
    expect_done(page)
    page.goto(f"{base}{reverse('mediation:case-detail', args=[case.pk])}")
    state_is(page, CaseState.CONCLUDED)
    screenshot(page, "mediation-12-community-case-followed-up")


def grid_worker_sees_it_masked(page: Page, base: str, case: DisputeCase, agreement: Agreement) -> None:
    """The grid worker follows the case on the phone: its state, the parties masked, no PDF for them."""
    from playwright.sync_api import expect

    response = page.goto(f"{base}{reverse('mediation:case-detail', args=[case.pk])}")
    assert response is not None
    assert response.status == 200
    state_is(page, CaseState.CONCLUDED)
    fits_the_phone(page)
    expect(page.get_by_test_id("agreement-download")).to_have_count(0)
    content = page.content()
    assert SESSION_PARTICIPANTS not in content  # shown to those who may see the parties
    for party in (APPLICANT, RESPONDENT):
        assert party["phone"] not in content
        assert party["id_number"] not in content
    screenshot(page, "mediation-13-worker-case")
    refused = page.request.get(f"{base}{reverse('mediation:agreement-pdf', args=[agreement.pk])}")
    assert refused.status in {403, 404}
    assert not refused.body().startswith(b"%PDF")


# --- the test ----------------------------------------------------------------------------------------------


def test_a_neighbour_dispute_found_on_screening_is_mediated_to_an_agreement_and_followed_up(
    world: CaseWorld,
    live_server: Any,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    patient: None,
) -> None:
    base = live_server.url
    today = timezone.localdate()

    worker = new_page("gridworker", mobile=True)
    community = new_page("community")
    sign_in(worker, base, world.grid_worker)
    sign_in(community, base, world.staff)

    grid_worker_screens(worker, base, world, today)
    screening = Screening.objects.get(grid=world.tree.grid)
    assert screening.month == today.replace(day=1)
    assert screening.households_visited == int(HOUSEHOLDS)
    assert screening.found_nothing is False
    assert screening.screened_by == world.grid_worker
    entry = RiskEntry.objects.get(screening=screening)
    assert (entry.dispute_type, entry.risk, entry.status) == (
        DisputeType.NEIGHBOUR,
        RiskLevel.MEDIUM,
        EntryStatus.WATCHED,
    )
    assert (entry.summary, entry.parties, entry.location) == (FOUND, PARTIES_AS_TOLD, WHERE)

    case = community_registers_the_case(community, base, entry)
    community_assigns_the_suggestion(community, base, case, world)
    held_at = community_records_the_session(community, base, case)
    agreement = community_records_the_agreement(community, base, case, today)
    community_downloads_the_pdf(community, agreement)
    follow_up = FollowUp.objects.get(agreement=agreement)
    assert follow_up.due_on == today
    community_records_the_follow_up(community, base, case, follow_up)
    grid_worker_sees_it_masked(worker, base, case, agreement)

    # The database: the entry registered, the case concluded with its agreement, the suggested mediator, the session.
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REGISTERED
    case = DisputeCase.objects.get(pk=case.pk)
    assert case.number.startswith(f"调-{today.year}-")
    assert (case.title, case.dispute_type, case.risk, case.source) == (
        TITLE,
        DisputeType.NEIGHBOUR,
        RiskLevel.MEDIUM,
        CaseSource.SCREENING,
    )
    assert (case.place, case.community) == (world.tree.grid, world.tree.community)
    assert (case.state, case.outcome) == (CaseState.CONCLUDED, Outcome.AGREEMENT)
    assert case.concluded_at is not None
    assert case.mediator == world.mediator
    parties = [(p.role, p.name, p.phone, p.id_number, p.address) for p in case.parties.order_by("order", "id")]
    assert parties == [
        (PartyRole.APPLICANT, *APPLICANT.values()),
        (PartyRole.RESPONDENT, *RESPONDENT.values()),
    ]
    assignment = Assignment.objects.get(case=case)
    assert (assignment.mediator, assignment.suggested, assignment.ended_at) == (world.mediator, True, None)
    session = MediationSession.objects.get(case=case)
    assert (session.location, session.participants, session.notes) == (
        SESSION_PLACE,
        SESSION_PARTICIPANTS,
        SESSION_NOTES,
    )
    assert session.held_at == held_at
    agreement.refresh_from_db()
    assert agreement.number.startswith(f"调协-{today.year}-")
    assert (agreement.terms, agreement.performance, agreement.signed_on) == (TERMS, PERFORMANCE, today)
    assert agreement.pdf
    assert len(agreement.pdf_sha256) == 64
    follow_up.refresh_from_db()
    assert (follow_up.result, follow_up.done_on, follow_up.note) == (Performance.PERFORMED, today, FOLLOW_UP_NOTE)
    assert follow_up.done_by == world.staff
    events = list(CaseEvent.objects.filter(subject=case).order_by("sequence"))
    assert [(e.action, e.to_state) for e in events] == CASE_EVENTS
    assert {e.actor for e in events} == {world.staff}
    assert AuditEvent.objects.filter(action="mediation.download_agreement", actor=world.staff).count() == 1
