"""The pages of micro-wishes, as the right and the wrong users: the resident's (post, follow, confirm), the member's
(open wishes near them, claim, release, fulfil), the unit contact's, and the staff's (queue, review, post on
behalf, photos, export, rules). Forged POSTs for someone else's wish change nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.points.models import PointEntry
from gridwork.wishes import services
from gridwork.wishes.models import Wish, WishEvent, WishPhoto, WishState
from gridwork.wishes.tests.factories import (
    WishWorld,
    claimed,
    fresh,
    fulfilled,
    jpeg,
    make_wish_rule,
    post,
    published,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def wish_form(**fields: Any) -> dict[str, Any]:
    data = {
        "title": "一台助听器",
        "description": "",
        "value": "300",
        "beneficiary_name": "张桂兰",
        "beneficiary_phone": "13800000001",
        "community": "",
        "building": "",
    }
    data.update(fields)
    return data


# --- the resident -----------------------------------------------------------------------------------------------------


def test_a_resident_posts_from_the_page_with_their_household_prefilled(world: WishWorld) -> None:
    client = client_of(world.resident)
    page = client.get(reverse("resident_wishes:mine"))
    assert page.status_code == 200
    assert 'value="1号楼"' in html(page)
    response = client.post(
        reverse("resident_wishes:mine"), wish_form(community=str(world.tree.community.pk), building="1号楼")
    )
    wish = Wish.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_wishes:detail", args=[wish.pk])
    assert (wish.building, wish.posted_by, wish.on_behalf) == (world.tree.microgrid, world.resident, False)


def test_a_value_over_the_cap_is_shown_beside_the_field(world: WishWorld) -> None:
    response = client_of(world.resident).post(reverse("resident_wishes:mine"), wish_form(value="501"))
    assert response.status_code == 400
    assert re.search(r'data-testid="error-value">[^<]*500 yuan', html(response))
    assert not Wish.objects.exists()


def test_a_building_not_in_the_community_is_shown_beside_the_field(world: WishWorld) -> None:
    response = client_of(world.other_resident).post(
        reverse("resident_wishes:mine"), wish_form(community=str(world.tree.community.pk), building="秋实1号楼")
    )
    assert response.status_code == 400
    assert 'data-testid="error-building"' in html(response)


def test_anonymous_visitors_are_sent_to_sign_in(world: WishWorld) -> None:
    response = Client().get(reverse("resident_wishes:mine"))
    assert response.status_code == 302
    assert "login" in response["Location"] or "phone" in response["Location"]


def test_the_poster_follows_the_wish_with_the_claimant_masked(world: WishWorld) -> None:
    wish = fulfilled(world)
    page = client_of(world.resident).get(reverse("resident_wishes:detail", args=[wish.pk]))
    assert page.status_code == 200
    text = html(page)
    assert "李*华" in text
    assert "李明华" not in text
    assert 'data-testid="form-confirm"' in text
    photo = WishPhoto.objects.get(wish=wish)
    assert reverse("resident_wishes:photo", args=[wish.pk, photo.pk]) in text
    served = client_of(world.resident).get(reverse("resident_wishes:photo", args=[wish.pk, photo.pk]))
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")


def test_the_poster_reads_why_the_wish_was_not_accepted(world: WishWorld) -> None:
    wish = post(world)
    services.wish_review(actor=world.staff, wish=wish, publish=False, reason="请联系社区另行帮扶", expected_version=1)
    page = client_of(world.resident).get(reverse("resident_wishes:detail", args=[wish.pk]))
    assert "请联系社区另行帮扶" in html(page)


def test_the_resident_confirms_and_the_member_earns_points_once(world: WishWorld) -> None:
    make_wish_rule()
    wish = fulfilled(world)
    client = client_of(world.resident)
    url = reverse("resident_wishes:detail", args=[wish.pk])
    data = {"action": "confirm", "confirm-version": wish.version}
    assert client.post(url, data).status_code == 302
    assert fresh(wish).state == WishState.CONFIRMED
    again = client.post(url, data)
    assert again.status_code == 409
    assert 'data-testid="refusal"' in html(again)
    assert PointEntry.objects.filter(source="wish", source_id=wish.pk).count() == 1


def test_another_resident_cannot_see_or_confirm_someone_else_s_wish(world: WishWorld) -> None:
    make_wish_rule()
    wish = fulfilled(world)
    intruder = client_of(world.other_resident)
    assert intruder.get(reverse("resident_wishes:detail", args=[wish.pk])).status_code == 404
    forged = intruder.post(
        reverse("resident_wishes:detail", args=[wish.pk]), {"action": "confirm", "confirm-version": wish.version}
    )
    assert forged.status_code == 404
    photo = WishPhoto.objects.get(wish=wish)
    assert intruder.get(reverse("resident_wishes:photo", args=[wish.pk, photo.pk])).status_code == 404
    assert fresh(wish).state == WishState.FULFILLED
    assert not PointEntry.objects.exists()


# --- the member -------------------------------------------------------------------------------------------------------


def test_the_member_sees_their_community_first_and_stale_wishes_highlighted(world: WishWorld) -> None:
    now = timezone.now()
    old = published(world, title="等了很久", now=now - timedelta(days=30))
    new = published(world, title="刚发布")
    there = post(world, actor=world.other_resident, community=world.tree.community2, building=world.building2)
    services.wish_review(actor=world.staff2, wish=there, publish=True, reason="", expected_version=1)
    page = client_of(world.member).get(reverse("member_wishes:list"))
    assert page.status_code == 200
    text = html(page)
    own, street = text.index('data-testid="open-own"'), text.index('data-testid="open-street"')
    assert own < text.index(old.title) < text.index(new.title) < street < text.index(there.title)
    stale_flags = re.findall(r'data-testid="open-wish" data-stale="(\d)"', text)
    assert stale_flags == ["1", "0", "0"]


def test_a_member_claims_and_a_second_member_is_told_it_was_just_claimed(world: WishWorld) -> None:
    wish = published(world)
    url = reverse("member_wishes:detail", args=[wish.pk])
    data = {"action": "claim", "claim-version": wish.version}
    assert client_of(world.member).post(url, data).status_code == 302
    late = client_of(world.member2).post(reverse("member_wishes:detail", args=[wish.pk]), data)
    assert late.status_code in {404, 409}  # the wish is no longer open to them: not found, or just claimed
    assert WishEvent.objects.filter(subject=wish, action="claim").count() == 1
    assert fresh(wish).claimant_member.user == world.member  # type: ignore[union-attr]


def test_a_member_on_a_page_shown_before_the_claim_is_told_it_was_just_claimed(world: WishWorld) -> None:
    wish = published(world)
    version = wish.version
    services.wish_claim(actor=world.member2, wish=wish, expected_version=version)
    services.wish_release(actor=world.member2, wish=wish, reason="改天", now=timezone.now())
    services.wish_claim(actor=world.unit_user, wish=wish, expected_version=None)
    response = client_of(world.member).post(
        reverse("member_wishes:detail", args=[wish.pk]), {"action": "claim", "claim-version": version}
    )
    assert response.status_code == 404  # claimed by a unit: not the member's to see any more


def test_the_claimant_sees_whom_to_contact_and_others_see_a_masked_name(world: WishWorld) -> None:
    wish = published(world)
    before = html(client_of(world.member).get(reverse("member_wishes:detail", args=[wish.pk])))
    assert "张*兰" in before
    assert "13800000001" not in before
    services.wish_claim(actor=world.member, wish=wish, expected_version=wish.version)
    after = html(client_of(world.member).get(reverse("member_wishes:detail", args=[wish.pk])))
    assert "张桂兰" in after
    assert "13800000001" in after


def test_a_member_cannot_fulfil_or_release_a_wish_claimed_by_someone_else(world: WishWorld) -> None:
    wish = claimed(world, by=world.member2)
    intruder = client_of(world.member)
    url = reverse("member_wishes:detail", args=[wish.pk])
    forged = intruder.post(
        url, {"action": "fulfil", "fulfil-version": wish.version, "fulfil-photo": jpeg(), "fulfil-note": "我送的"}
    )
    assert forged.status_code == 404
    forged = intruder.post(url, {"action": "release", "release-version": wish.version, "release-reason": "抢过来"})
    assert forged.status_code == 404
    stored = fresh(wish)
    assert (stored.state, stored.version) == (WishState.CLAIMED, wish.version)
    assert not WishPhoto.objects.exists()


def test_fulfilling_without_a_photo_is_refused_on_the_page(world: WishWorld) -> None:
    wish = claimed(world)
    client = client_of(world.member)
    url = reverse("member_wishes:detail", args=[wish.pk])
    response = client.post(url, {"action": "fulfil", "fulfil-version": wish.version, "fulfil-note": "送到了"})
    assert response.status_code == 400
    assert 'data-testid="error-photo"' in html(response)
    assert fresh(wish).state == WishState.CLAIMED
    done = client.post(url, {"action": "fulfil", "fulfil-version": wish.version, "fulfil-photo": jpeg()})
    assert done.status_code == 302
    assert fresh(wish).state == WishState.FULFILLED
    photo = WishPhoto.objects.get(wish=wish)
    assert client.get(reverse("member_wishes:photo", args=[wish.pk, photo.pk])).status_code == 200


def test_releasing_needs_a_reason_on_the_page(world: WishWorld) -> None:
    wish = claimed(world)
    client = client_of(world.member)
    url = reverse("member_wishes:detail", args=[wish.pk])
    refused = client.post(url, {"action": "release", "release-version": wish.version, "release-reason": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-reason"' in html(refused)
    released = client.post(url, {"action": "release", "release-version": wish.version, "release-reason": "出差"})
    assert released.status_code == 302
    assert fresh(wish).state == WishState.PUBLISHED


def test_a_member_of_another_street_does_not_find_the_wish(world: WishWorld) -> None:
    wish = published(world)
    client = client_of(world.far_member)
    assert client.get(reverse("member_wishes:detail", args=[wish.pk])).status_code == 404
    forged = client.post(
        reverse("member_wishes:detail", args=[wish.pk]), {"action": "claim", "claim-version": wish.version}
    )
    assert forged.status_code == 404
    assert fresh(wish).state == WishState.PUBLISHED


# --- the unit ---------------------------------------------------------------------------------------------------------


def test_a_unit_contact_claims_as_the_unit(world: WishWorld) -> None:
    wish = published(world)
    client = client_of(world.unit_user)
    page = client.get(reverse("resident_wishes:units"))
    assert page.status_code == 200
    assert wish.title in html(page)
    response = client.post(
        reverse("resident_wishes:unit-detail", args=[wish.pk]),
        {"action": "claim", "claim-version": wish.version, "claim-unit": world.unit.pk},
    )
    assert response.status_code == 302
    assert fresh(wish).claimant_unit == world.unit
    resident_page = html(client_of(world.resident).get(reverse("resident_wishes:detail", args=[wish.pk])))
    assert world.unit.name in resident_page


def test_someone_who_speaks_for_no_unit_finds_no_wish_there(world: WishWorld) -> None:
    wish = published(world)
    assert (
        client_of(world.other_resident).get(reverse("resident_wishes:unit-detail", args=[wish.pk])).status_code == 404
    )


# --- staff ------------------------------------------------------------------------------------------------------------


def test_staff_see_their_communities_wishes_only(world: WishWorld) -> None:
    here = post(world)
    there = post(world, actor=world.other_resident, community=world.tree.community2, building=world.building2)
    page = html(client_of(world.staff).get(reverse("wishes:list")))
    assert reverse("wishes:detail", args=[here.pk]) in page
    assert reverse("wishes:detail", args=[there.pk]) not in page
    assert client_of(world.staff2).get(reverse("wishes:detail", args=[here.pk])).status_code == 404
    assert client_of(world.resident).get(reverse("wishes:list")).status_code == 403


def test_another_community_s_staff_cannot_review(world: WishWorld) -> None:
    wish = post(world)
    forged = client_of(world.staff2).post(
        reverse("wishes:detail", args=[wish.pk]),
        {"action": "review", "review-version": 1, "review-decision": "publish", "review-reason": ""},
    )
    assert forged.status_code == 404
    assert fresh(wish).state == WishState.SUBMITTED


def test_staff_review_rejecting_needs_a_reason(world: WishWorld) -> None:
    wish = post(world)
    client = client_of(world.staff)
    url = reverse("wishes:detail", args=[wish.pk])
    page = client.get(url)
    assert 'data-testid="form-review"' in html(page)
    refused = client.post(
        url, {"action": "review", "review-version": 1, "review-decision": "reject", "review-reason": ""}
    )
    assert refused.status_code == 400
    assert 'data-testid="error-reason"' in html(refused)
    published_now = client.post(
        url, {"action": "review", "review-version": 1, "review-decision": "publish", "review-reason": ""}
    )
    assert published_now.status_code == 302
    assert fresh(wish).state == WishState.PUBLISHED
    stale = client.post(url, {"action": "cancel", "cancel-version": 1, "cancel-reason": "重复"})
    assert stale.status_code == 409
    assert fresh(wish).state == WishState.PUBLISHED


def test_the_grid_worker_of_the_wishs_building_sees_it_but_cannot_review_it(world: WishWorld) -> None:
    """A wish is seen through its building: the grid worker of the building's grid finds it, and may not decide."""
    wish = post(world)
    client = client_of(world.grid_worker)
    assert f'href="{reverse("wishes:detail", args=[wish.pk])}"' in client.get(reverse("wishes:list")).content.decode()
    assert client.get(reverse("wishes:detail", args=[wish.pk])).status_code == 200
    forged = client.post(
        reverse("wishes:detail", args=[wish.pk]),
        {"action": "review", "review-version": 1, "review-decision": "publish", "review-reason": ""},
    )
    assert forged.status_code in {403, 404}
    assert fresh(wish).state == WishState.SUBMITTED
    other_grid = client_of(make_staff(role=Role.GRID_WORKER, place=world.tree.grid2, username="grid2"))
    assert other_grid.get(reverse("wishes:detail", args=[wish.pk])).status_code == 404


def test_photos_are_served_only_to_those_who_may_see_the_wish(world: WishWorld) -> None:
    wish = fulfilled(world)
    photo = WishPhoto.objects.get(wish=wish)
    url = reverse("wishes:photo", args=[wish.pk, photo.pk])
    assert client_of(world.staff).get(url).status_code == 200
    assert client_of(world.street_staff).get(url).status_code == 200
    assert client_of(world.staff2).get(url).status_code == 404
    assert client_of(world.member2).get(reverse("member_wishes:photo", args=[wish.pk, photo.pk])).status_code == 404
    assert Client().get(url).status_code == 302


def test_staff_post_on_behalf_in_their_community_only(world: WishWorld) -> None:
    url = reverse("wishes:new")
    response = client_of(world.staff).post(
        url, wish_form(community=str(world.tree.community.pk), building="1号楼", beneficiary_name="王奶奶")
    )
    wish = Wish.objects.get()
    assert response.status_code == 302
    assert (wish.on_behalf, wish.posted_by) == (True, world.staff)
    outside = client_of(world.staff2).post(url, wish_form(community=str(world.tree.community.pk)))
    assert outside.status_code == 400  # the community is not among their choices
    assert Wish.objects.count() == 1
    assert client_of(world.grid_worker).get(url).status_code == 403


def test_the_queue_filters_and_highlights_stale_wishes(world: WishWorld) -> None:
    old = published(world, title="等了很久", now=timezone.now() - timedelta(days=30))
    new = published(world, title="刚发布")
    client = client_of(world.staff)
    text = html(client.get(reverse("wishes:list")))
    assert text.index(old.title) < text.index(new.title)
    assert re.findall(r'data-testid="wish-row" data-stale="(\d)"', text) == ["1", "0"]
    only_stale = html(client.get(reverse("wishes:list"), {"stale": "on"}))
    assert old.title in only_stale
    assert new.title not in only_stale
    by_state = html(client.get(reverse("wishes:list"), {"state": "submitted"}))
    assert old.title not in by_state


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_export_masks_the_beneficiary_unless_the_user_may_see_personal_data(world: WishWorld) -> None:
    post(world, value=Decimal("120.5"))
    masked = client_of(world.street_staff).get(reverse("wishes:export"))
    assert masked.status_code == 200
    assert masked["Content-Type"].startswith("application/vnd.openxmlformats")
    header, row = _sheet(masked)
    assert row[header.index("For")] == "张*兰"
    assert row[header.index("Mobile phone")] == "138****0001"
    assert row[header.index("Estimated value (yuan)")] == 120.5
    assert not AuditEvent.objects.filter(action="wish.export_unmasked").exists()

    unmasked = client_of(world.staff).get(reverse("wishes:export"))
    header, row = _sheet(unmasked)
    assert row[header.index("For")] == "张桂兰"
    assert AuditEvent.objects.filter(action="wish.export_unmasked").count() == 1
    assert len(_sheet(client_of(world.staff2).get(reverse("wishes:export")))) == 1  # the header only


def test_a_formula_typed_by_a_resident_stays_text_in_the_export(world: WishWorld) -> None:
    post(world, title='=HYPERLINK("http://x")')
    header, row = _sheet(client_of(world.staff).get(reverse("wishes:export")))
    assert row[header.index("Wish")] == '=HYPERLINK("http://x")'


def test_only_the_city_edits_the_rules(world: WishWorld) -> None:
    url = reverse("wishes:settings")
    assert client_of(world.staff).get(url).status_code == 403
    client = client_of(world.city_staff)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"value_cap": "0", "stale_days": "7"})
    assert refused.status_code == 400
    assert client.post(url, {"value_cap": "300", "stale_days": "5"}).status_code == 302
    over = client_of(world.resident).post(reverse("resident_wishes:mine"), wish_form(value="301"))
    assert re.search(r'data-testid="error-value">[^<]*300 yuan', html(over))
