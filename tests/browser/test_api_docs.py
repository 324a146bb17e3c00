"""The interactive API documentation works offline: Swagger UI's assets come from the platform, and a signed-in
staff member can call an endpoint from the page with their session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_staff
from gridwork.places.tests.factories import make_city_tree
from tests.browser.conftest import PageWatch, screenshot
from tests.browser.test_staff_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_every_move_and_calls_the_api_with_the_session(
    page: Page, live_server: Any, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    tree = make_city_tree()
    make_staff(role=Role.STREET_STAFF, place=tree.street, username="api-reader")
    base = live_server.url
    sign_in(page, base, "api-reader", STAFF_PASSWORD)

    page.goto(f"{base}/api/docs/")
    scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert scripts
    assert all(src.startswith(base) for src in scripts)
    # One block per operation; every move of the loop is its own operation.
    expect(page.locator(".opblock").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(path.endswith("/dispatch/") for path in paths)
    assert any(path.endswith("/verify_close/") for path in paths)
    screenshot(page, "api-01-docs")

    me = page.locator(".opblock", has=page.locator('.opblock-summary-path[data-path="/api/v1/me/"]'))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    body = me.locator(".responses-wrapper .live-responses-table .microlight").first
    expect(body).to_contain_text('"username": "api-reader"')
    expect(body).to_contain_text(tree.street.code)
    screenshot(page, "api-02-try-it-out")
