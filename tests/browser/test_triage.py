"""Smart triage (智能分拨) through the real pages in headless Chromium, as the right users.

1. 查重 while typing: at the 12345 seat the operator puts the caller's building and types a reworded report of an
   open matter filed there; the likely-duplicates panel under the text box lists that matter. Another problem at
   the same gate lists nothing. Filed anyway, the receipt names the original too.
2. 合并: the street's dispatcher opens the reworded matter, finds the original among its likely duplicates and
   merges it: the duplicate is closed as a duplicate of the original, its caller follows the original, and the
   original's page lists the merged matter.
3. The administrators' page of the triage model: no live model, the auto-dispatch policy refuses 1.5 with the
   field's error and saves 0.9 with auto-dispatch on, and the retrain button enqueues the task (not run here).

The pages are in Chinese (the default): assertions use data-testid attributes, data attributes, stored values and
the JSON the page's script receives. Screenshots go to test-artifacts/browser/triage-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Matter, MatterFollower
from gridwork.matters.tests.factories import LoopStaff, file_in_building
from gridwork.matters.workflow import ClosureReason, MatterState
from gridwork.places.tests.factories import CityTree
from gridwork.triage.models import TriageModel, TriagePolicy
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_matter_loop import (  # noqa: F401
    city,
    expect_staff_page,
    new_page,
    open_matter,
    sign_in,
    state_label,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser

ORIGINAL_TEXT = "小区东门路灯坏了好几天，晚上很黑"
REWORDED_TEXT = "东门那边的路灯不亮了，已经好几天"
# Another problem at the same gate, in the same words of place and time.
OTHER_TEXT = "小区东门垃圾桶满了好几天没人清理，很臭"
CALLER_PHONE = "13912345678"
CALLER_NAME = "李建国"


def similar_answer(page: Page, text: str, typing: Callable[[], None]) -> dict[str, Any]:
    """Do ``typing`` and return the JSON the duplicate finder answered for ``text`` (the page's own request)."""
    path = reverse("triage:similar")

    def for_text(response: Response) -> bool:
        url = urlsplit(response.url)
        return url.path == path and parse_qs(url.query).get("text") == [text]

    with page.expect_response(for_text) as answer:
        typing()
    response = answer.value
    assert response.status == 200
    return response.json()


def answer_numbers(body: dict[str, Any]) -> list[str]:
    return [result["number"] for result in body["results"]]


def choose_building(page: Page, tree: CityTree) -> None:
    """The place as the seat gives it for a caller who names the building: the building search."""
    from playwright.sync_api import expect

    page.locator('label[for="place-mode-building"]').click()
    search = page.locator("#building-search")
    expect(search).to_be_visible()
    search.press_sequentially("春晖路1号", delay=20)
    page.locator("[data-building-results] button").filter(has_text=tree.microgrid.name).first.click()
    expect(page.locator("[data-building-chosen]")).to_contain_text(tree.grid.name)
    expect(page.locator('input[name="building"]')).to_have_value(tree.microgrid.code)


def test_the_hotline_seat_shows_likely_duplicates_while_typing(
    *,
    page: Page,
    live_server: Any,
    watch: PageWatch,
    city: tuple[CityTree, LoopStaff],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    tree, staff = city
    base = live_server.url
    original = Matter.objects.get(pk=file_in_building(tree, text=ORIGINAL_TEXT).matter_id)
    assert original.state == MatterState.SUBMITTED
    assert original.grid_id == tree.grid.pk
    original_url = reverse("matters:detail", args=[original.number])

    operator = page
    sign_in(operator, base, staff.operator.username)
    response = operator.goto(f"{base}{reverse('intake:hotline')}")
    assert response is not None
    assert response.status == 200
    form = operator.get_by_test_id("hotline-form")
    similar = form.get_by_test_id("similar")
    expect(similar).to_be_hidden()
    operator.locator('input[name="caller_phone"]').fill(CALLER_PHONE)
    operator.locator('input[name="caller_name"]').fill(CALLER_NAME)
    choose_building(operator, tree)

    # The caller's words, typed: after a pause the panel lists the open matter at the same building.
    text = operator.locator("#id_text")
    body = similar_answer(operator, REWORDED_TEXT, lambda: text.press_sequentially(REWORDED_TEXT, delay=15))
    assert answer_numbers(body) == [original.number]
    expect(similar).to_be_visible()
    link = similar.locator("[data-similar-results] li a")
    expect(link).to_have_count(1)
    expect(link).to_have_text(original.number)
    expect(link).to_have_attribute("href", original_url)
    screenshot(operator, "triage-01-hotline-similar")

    # Another problem at the same gate: the panel lists nothing and hides.
    def retype() -> None:
        text.press("Control+A")
        text.press_sequentially(OTHER_TEXT, delay=15)

    body = similar_answer(operator, OTHER_TEXT, retype)
    assert answer_numbers(body) == []
    expect(similar).to_be_hidden()
    expect(similar.locator("[data-similar-results] li")).to_have_count(0)

    # The caller does report the lamp: the panel comes back, and the operator files it anyway.
    def lamp_again() -> None:
        text.press("Control+A")
        text.press_sequentially(REWORDED_TEXT, delay=15)

    body = similar_answer(operator, REWORDED_TEXT, lamp_again)
    assert answer_numbers(body) == [original.number]
    expect(similar.locator("[data-similar-results] li a")).to_have_text(original.number)
    with operator.expect_navigation():
        form.locator('button[type="submit"]').click()
    number = operator.get_by_test_id("receipt-number").inner_text().strip()
    # The receipt names the original it likely repeats, for the dispatcher to merge.
    receipt_duplicates = operator.get_by_test_id("likely-duplicate")
    expect(receipt_duplicates).to_have_count(1)
    expect(receipt_duplicates.locator("a")).to_have_text(original.number)
    screenshot(operator, "triage-02-hotline-receipt")

    filed = Matter.objects.get(number=number)
    assert filed.pk != original.pk
    assert filed.channel == "hotline"
    assert filed.text == REWORDED_TEXT
    assert filed.building_id == tree.microgrid.pk
    assert filed.grid_id == tree.grid.pk
    assert filed.reporter_phone == CALLER_PHONE
    assert filed.filed_by_id == staff.operator.pk
    assert filed.state == MatterState.SUBMITTED
    assert filed.duplicate_of_id is None  # the finder only suggests: merging is the dispatcher's decision
    original.refresh_from_db()
    assert original.state == MatterState.SUBMITTED
    assert not MatterFollower.objects.exists()

    watch.check()


def test_the_dispatcher_merges_a_duplicate_into_the_original(
    *,
    page: Page,
    live_server: Any,
    watch: PageWatch,
    city: tuple[CityTree, LoopStaff],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    tree, staff = city
    base = live_server.url
    original = Matter.objects.get(pk=file_in_building(tree, text=ORIGINAL_TEXT).matter_id)
    duplicate = Matter.objects.get(
        pk=file_in_building(
            tree,
            actor=staff.operator,
            text=REWORDED_TEXT,
            channel="hotline",
            reporter_name=CALLER_NAME,
            reporter_phone=CALLER_PHONE,
        ).matter_id
    )
    assert duplicate.state == MatterState.SUBMITTED

    dispatcher = page
    # Should the merge ask for confirmation, the dispatcher confirms.
    dispatcher.on("dialog", lambda dialog: dialog.accept())
    sign_in(dispatcher, base, staff.dispatcher.username)
    open_matter(dispatcher, base, duplicate.number, tab="to_dispatch")
    expect_staff_page(dispatcher, MatterState.SUBMITTED, ["file"])
    candidates = dispatcher.get_by_test_id("likely-duplicates").get_by_test_id("likely-duplicate")
    expect(candidates).to_have_count(1)
    candidate = dispatcher.locator(f'[data-testid="likely-duplicate"][data-number="{original.number}"]')
    expect(candidate).to_have_count(1)
    expect(candidate.get_by_test_id("reason")).not_to_be_empty()
    expect(candidate.locator('input[name="original"]')).to_have_value(original.number)
    screenshot(dispatcher, "triage-03-likely-duplicates")

    candidate.locator('input[name="note"]').fill("同一盏路灯，合并办理。")
    with dispatcher.expect_navigation():
        candidate.locator('button[type="submit"]').click()
    # Success lands on the original's page, which lists the merged matter.
    expect(dispatcher.get_by_test_id("number")).to_have_text(original.number)
    expect(dispatcher.locator(".alert-success")).to_be_visible()
    merged = dispatcher.get_by_test_id("merged-duplicate")
    expect(merged).to_have_count(1)
    expect(merged.locator("a")).to_have_text(duplicate.number)
    expect(merged).to_contain_text("同一盏路灯，合并办理。")
    # The merged matter is closed: it is no longer a likely duplicate of the original.
    expect(dispatcher.get_by_test_id("likely-duplicates")).to_have_count(0)
    expect(dispatcher.get_by_test_id("state")).to_have_text(state_label(MatterState.SUBMITTED))
    screenshot(dispatcher, "triage-04-original-lists-merged")

    # The duplicate's page: closed as a duplicate of the original, read-only.
    open_matter(dispatcher, base, duplicate.number)
    expect_staff_page(dispatcher, MatterState.CLOSED, ["file", "discard"], actions=[])
    expect(dispatcher.get_by_test_id("read-only")).to_be_visible()
    expect(
        dispatcher.get_by_test_id("facts").locator(f'a[href="{reverse("matters:detail", args=[original.number])}"]')
    ).to_have_text(original.number)
    screenshot(dispatcher, "triage-05-duplicate-closed")

    duplicate.refresh_from_db()
    assert duplicate.state == MatterState.CLOSED
    assert duplicate.closure_reason == ClosureReason.DUPLICATE
    assert duplicate.duplicate_of_id == original.pk
    last = duplicate.events.order_by("-sequence").first()
    assert last is not None
    assert (last.action, last.actor_id) == ("discard", staff.dispatcher.pk)
    follower = MatterFollower.objects.get()
    assert follower.matter_id == original.pk
    assert follower.source_id == duplicate.pk
    assert follower.user_id == duplicate.reporter_id
    assert (follower.reporter_name, follower.reporter_phone) == (CALLER_NAME, CALLER_PHONE)
    assert follower.merged_by_id == staff.dispatcher.pk
    assert follower.note == "同一盏路灯，合并办理。"
    # The original itself is untouched by the merge.
    original.refresh_from_db()
    assert original.state == MatterState.SUBMITTED
    assert original.closure_reason in ("", None)
    assert original.duplicate_of_id is None

    watch.check()


def test_the_administrators_triage_page_policy_and_retrain(
    *,
    page: Page,
    live_server: Any,
    watch: PageWatch,
    city: tuple[CityTree, LoopStaff],  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    tree, _staff = city
    base = live_server.url
    admin = make_staff(role=Role.CITY_STAFF, place=tree.city, username="cityadmin")
    # A policy that differs from what the test saves, so that saving it is seen.
    TriagePolicy.objects.create(pk=1, auto_dispatch=False, auto_dispatch_confidence=0.75)
    assert not TriageModel.objects.exists()

    sign_in(page, base, admin.username)
    response = page.goto(f"{base}{reverse('triage:model-list')}")
    assert response is not None
    assert response.status == 200
    # No model is live: the card links no version, and the table has no rows of versions.
    live = page.get_by_test_id("live-model")
    expect(live).to_be_visible()
    expect(live.locator("a")).to_have_count(0)
    expect(page.get_by_test_id("model-row")).to_have_count(0)
    policy_form = page.get_by_test_id("policy-form")
    auto = policy_form.locator('input[name="auto_dispatch"]')
    confidence = policy_form.locator('input[name="auto_dispatch_confidence"]')
    expect(auto).not_to_be_checked()
    expect(confidence).to_have_value("0.75")
    screenshot(page, "triage-06-model-list")

    # 1.5 is refused with the field's error, and nothing is saved.
    auto.check()
    confidence.fill("1.5")
    with page.expect_navigation() as navigation:
        policy_form.locator("button").click()
    assert navigation.value is not None
    assert navigation.value.status == 400
    expect(page.get_by_test_id("error-auto_dispatch_confidence")).to_be_visible()
    expect(confidence).to_have_value("1.5")
    screenshot(page, "triage-07-policy-refused")
    policy = TriagePolicy.objects.get(pk=1)
    assert (policy.auto_dispatch, policy.auto_dispatch_confidence) == (False, 0.75)
    assert not AuditEvent.objects.filter(action="triage.policy.changed").exists()

    # 0.9 with auto-dispatch ticked is saved, audited, and shown when the page comes back.
    if not auto.is_checked():
        auto.check()
    confidence.fill("0.9")
    with page.expect_navigation():
        policy_form.locator("button").click()
    expect(page).to_have_url(f"{base}{reverse('triage:model-list')}")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id("error-auto_dispatch_confidence")).to_have_count(0)
    expect(auto).to_be_checked()
    expect(confidence).to_have_value("0.9")
    policy = TriagePolicy.objects.get(pk=1)
    assert (policy.auto_dispatch, policy.auto_dispatch_confidence) == (True, 0.9)
    assert policy.updated_by_id == admin.pk
    assert AuditEvent.objects.filter(action="triage.policy.changed").count() == 1

    # Retrain: one task enqueued for the worker, not run here; still no model.
    assert not DBTaskResult.objects.exists()
    with page.expect_navigation():
        page.get_by_test_id("retrain").click()
    expect(page).to_have_url(f"{base}{reverse('triage:model-list')}")
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, "triage-08-retrain-enqueued")
    task = DBTaskResult.objects.get()
    assert task.task_path == "gridwork.triage.tasks.retrain"
    assert task.args_kwargs["kwargs"] == {"user_id": admin.pk}
    assert task.status == "READY"
    assert not TriageModel.objects.exists()

    watch.check()
