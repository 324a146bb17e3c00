"""A staff member signs in through the real login page, in a real browser, and sees only their own unit.

Screenshots of each step are written to test-artifacts/browser/ (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_staff
from gridwork.places.tests.factories import make_city_tree
from tests.browser.conftest import PageWatch, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser

USERNAME = "chunhui-staff"
WRONG_PASSWORD = "Not-the-Pass-2026"


def sign_in(page: Page, base_url: str, username: str, password: str) -> Response:
    """Fill in the login form and submit it; returns the response the browser ended up on."""
    if not page.url.startswith(f"{base_url}/accounts/login/"):
        page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    with page.expect_navigation() as navigation:
        page.locator('button[type="submit"]').click()
    response = navigation.value
    assert response is not None
    return response


def test_community_staff_signs_in_and_sees_only_their_community(page: Page, live_server: Any, watch: PageWatch) -> None:
    from playwright.sync_api import expect

    tree = make_city_tree()
    make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=USERNAME)
    base = live_server.url

    response = page.goto(f"{base}/accounts/login/")
    assert response is not None
    assert response.status == 200
    expect(page.locator('input[name="username"]')).to_be_visible()
    screenshot(page, "01-login")

    sign_in(page, base, USERNAME, STAFF_PASSWORD)
    # Signing in lands on the staff home, which names the unit the user works for.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/staff/$"))
    expect(page.locator("body")).to_contain_text(tree.community.name)
    screenshot(page, "02-staff-home")

    response = page.goto(f"{base}/staff/places/{tree.community.code}/")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1).first).to_contain_text(tree.community.name)
    screenshot(page, "03-own-community")

    # The sibling community under the same street is outside this user's scope: not found, not shown.
    response = page.goto(f"{base}/staff/places/{tree.community2.code}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(tree.community2.name)
    screenshot(page, "04-sibling-community-404")

    watch.check()


def test_five_wrong_passwords_lock_the_account(page: Page, live_server: Any, watch: PageWatch, settings: Any) -> None:
    from axes.models import AccessAttempt
    from playwright.sync_api import expect

    tree = make_city_tree()
    make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=USERNAME)
    base = live_server.url
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    for attempt in range(1, limit):
        response = sign_in(page, base, USERNAME, WRONG_PASSWORD)
        # Below the limit: the login form again, with its error, and no way in.
        assert response.status == 200, f"attempt {attempt}"
        expect(page.locator('input[name="password"]')).to_be_visible()
    screenshot(page, "05-wrong-password")

    # The limit-th failure locks the account at once (AXES_LOCK_OUT_AT_FAILURE): axes answers with
    # AXES_LOCKOUT_TEMPLATE and its default AXES_HTTP_RESPONSE_CODE, 429.
    response = sign_in(page, base, USERNAME, WRONG_PASSWORD)
    assert response.status == 429
    expect(page.locator("body")).to_contain_text("锁定")
    screenshot(page, "06-locked-out")

    # Now even the right password does not get in.
    page.goto(f"{base}/accounts/login/")
    response = sign_in(page, base, USERNAME, STAFF_PASSWORD)
    assert response.status == 429
    expect(page.locator("body")).to_contain_text("锁定")
    screenshot(page, "07-locked-out-right-password")

    # ...and no session was opened: the staff area still sends the browser to the login page.
    page.goto(f"{base}/staff/")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/accounts/login/"))
    assert AccessAttempt.objects.get(username=USERNAME).failures_since_start >= limit

    watch.check()
