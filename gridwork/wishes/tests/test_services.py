"""The services of micro-wishes, as the right and the wrong users: posting (the value cap, the household, on
behalf), review, claim (who may, one claimant), release, fulfil (a photo), confirm (points once), withdraw, rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party.models import RegistrationState
from gridwork.points.models import PointAccount, PointEntry
from gridwork.wishes import services
from gridwork.wishes.flows import WishAction
from gridwork.wishes.models import Wish, WishEvent, WishPhoto, WishSettings, WishState
from gridwork.wishes.selectors import wish_outcome_note
from gridwork.wishes.services import WishAlreadyClaimed
from gridwork.wishes.tests.factories import (
    RULE_POINTS,
    WishWorld,
    claimed,
    fresh,
    fulfilled,
    jpeg,
    make_unit,
    make_unit_contact,
    make_wish_rule,
    post,
    published,
)

pytestmark = pytest.mark.django_db


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


def actions(wish: Wish) -> list[str]:
    return list(WishEvent.objects.filter(subject=wish).order_by("sequence").values_list("action", flat=True))


# --- posting ----------------------------------------------------------------------------------------------------------


def test_a_resident_posts_a_wish_awaiting_review(world: WishWorld) -> None:
    wish = post(world)
    assert (wish.state, wish.version, wish.on_behalf, wish.posted_by) == (
        WishState.SUBMITTED,
        1,
        False,
        world.resident,
    )
    assert actions(wish) == [WishAction.CREATE]


def test_a_linked_resident_leaving_the_place_empty_gets_their_household_s(world: WishWorld) -> None:
    wish = post(world, community=None, building=None)
    assert (wish.community, wish.building) == (world.tree.community, world.tree.microgrid)


def test_a_building_alone_gives_its_community(world: WishWorld) -> None:
    wish = post(world, actor=world.other_resident, community=None, building=world.building2)
    assert (wish.community, wish.building) == (world.tree.community2, world.building2)


def test_an_unlinked_resident_must_choose_the_community(world: WishWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        post(world, actor=world.other_resident, community=None, building=None)
    assert "community" in errors_of(raised)


def test_a_building_outside_the_community_is_refused(world: WishWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        post(world, building=world.building2)
    assert "秋实1号楼" in errors_of(raised)["building"][0]


def test_the_value_cap_is_a_field_error_naming_the_cap(world: WishWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        post(world, value=Decimal("500.01"))
    assert errors_of(raised) == {"value": ["A micro-wish may be worth at most 500 yuan."]}
    post(world, value=Decimal("500"))  # the cap itself is allowed

    WishSettings.objects.filter(pk=1).update(value_cap=Decimal("299.50"))
    with pytest.raises(ValidationError) as raised:
        post(world, value=Decimal("300"))
    assert "299.5 yuan" in errors_of(raised)["value"][0]
    assert Wish.objects.count() == 1


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-5"), Decimal("1.005"), None])
def test_a_value_must_be_positive_yuan_and_fen(world: WishWorld, value: Decimal | None) -> None:
    with pytest.raises(ValidationError) as raised:
        post(world, value=value)
    assert list(errors_of(raised)) == ["value"]


def test_every_wrong_field_is_named_at_once(world: WishWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        post(world, title="  ", value=Decimal("9999"), beneficiary_name="", beneficiary_phone="12345")
    assert set(errors_of(raised)) == {"title", "value", "beneficiary_name", "beneficiary_phone"}
    assert not Wish.objects.exists()


def test_staff_post_on_behalf_in_their_community_only(world: WishWorld) -> None:
    wish = post(world, actor=world.staff, on_behalf=True, beneficiary_name="孤寡老人王奶奶")
    assert (wish.on_behalf, wish.posted_by) == (True, world.staff)
    for outsider in (world.staff2, world.grid_worker, world.resident):
        with pytest.raises(PermissionDenied):
            post(world, actor=outsider, on_behalf=True)
    assert Wish.objects.count() == 1


# --- review -----------------------------------------------------------------------------------------------------------


def test_publishing_opens_the_wish_for_claims(world: WishWorld) -> None:
    wish = published(world)
    assert wish.state == WishState.PUBLISHED
    assert wish.published_at is not None
    assert actions(wish) == [WishAction.CREATE, WishAction.PUBLISH]


def test_rejecting_needs_a_reason_which_the_poster_reads(world: WishWorld) -> None:
    wish = post(world)
    with pytest.raises(ValidationError) as raised:
        services.wish_review(actor=world.staff, wish=wish, publish=False, reason="  ", expected_version=1)
    assert list(errors_of(raised)) == ["reason"]
    assert fresh(wish).state == WishState.SUBMITTED

    services.wish_review(actor=world.staff, wish=wish, publish=False, reason="超出微心愿范围", expected_version=1)
    wish = fresh(wish)
    assert wish.state == WishState.REJECTED
    assert wish_outcome_note(wish) == "超出微心愿范围"


@pytest.mark.parametrize("who", ["staff2", "grid_worker", "resident", "member"])
def test_only_the_community_s_managing_staff_review(world: WishWorld, who: str) -> None:
    wish = post(world)
    with pytest.raises(PermissionDenied):
        services.wish_review(actor=getattr(world, who), wish=wish, publish=True, reason="", expected_version=1)
    assert fresh(wish).state == WishState.SUBMITTED


def test_the_street_above_may_review(world: WishWorld) -> None:
    wish = post(world)
    services.wish_review(actor=world.street_staff, wish=wish, publish=True, reason="", expected_version=1)
    assert fresh(wish).state == WishState.PUBLISHED


def test_a_review_on_a_stale_page_is_refused(world: WishWorld) -> None:
    wish = post(world)
    services.wish_cancel(actor=world.resident, wish=wish)
    with pytest.raises(StaleState):
        services.wish_review(actor=world.staff, wish=wish, publish=True, reason="", expected_version=1)


# --- claim ------------------------------------------------------------------------------------------------------------


def test_a_member_of_the_community_claims(world: WishWorld) -> None:
    wish = claimed(world)
    assert wish.state == WishState.CLAIMED
    assert wish.claimant_member is not None
    assert wish.claimant_member.user == world.member
    assert wish.claimant_unit is None
    event = WishEvent.objects.get(subject=wish, action=WishAction.CLAIM)
    assert event.data == {"by": "member", "member_id": wish.claimant_member.pk}


def test_a_member_of_another_community_of_the_street_claims(world: WishWorld) -> None:
    wish = claimed(world, by=world.member2)
    assert wish.claimant_member is not None
    assert wish.claimant_member.user == world.member2


@pytest.mark.parametrize("who", ["far_member", "other_resident", "staff"])
def test_others_cannot_claim(world: WishWorld, who: str) -> None:
    wish = published(world)
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=getattr(world, who), wish=wish, expected_version=wish.version)
    assert fresh(wish).state == WishState.PUBLISHED


def test_a_member_cannot_claim_their_own_wish(world: WishWorld) -> None:
    wish = post(world, actor=world.member)
    wish = services.wish_review(actor=world.staff, wish=wish, publish=True, reason="", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=world.member, wish=wish, expected_version=wish.version)


def test_a_registered_unit_claims_through_its_contact(world: WishWorld) -> None:
    wish = claimed(world, by=world.unit_user)
    assert (wish.claimant_unit, wish.claimant_member) == (world.unit, None)
    event = WishEvent.objects.get(subject=wish, action=WishAction.CLAIM)
    assert event.data["by"] == "unit"
    assert event.data["unit_name"] == world.unit.name


@pytest.mark.parametrize("state", [RegistrationState.PENDING, RegistrationState.REJECTED])
def test_a_unit_not_confirmed_with_the_community_cannot_claim(world: WishWorld, state: str) -> None:
    unit = make_unit(place=world.tree.community, name="待审单位", credit_code="91520100MA6DXXXX02")
    contact = make_unit_contact(unit, phone="13700000002", community=world.tree.community, state=state)
    wish = published(world)
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=contact, wish=wish, expected_version=wish.version)
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=contact, wish=wish, expected_version=wish.version, unit=unit)


def test_a_contact_cannot_claim_as_a_unit_they_do_not_speak_for(world: WishWorld) -> None:
    wish = published(world)
    with pytest.raises(PermissionDenied):
        services.wish_claim(actor=world.member, wish=wish, expected_version=wish.version, unit=world.unit)
    assert fresh(wish).state == WishState.PUBLISHED


def test_a_second_claim_is_told_the_wish_was_just_claimed(world: WishWorld) -> None:
    wish = published(world)
    page_version = wish.version
    services.wish_claim(actor=world.member, wish=wish, expected_version=page_version)
    for late in (page_version, None):
        with pytest.raises(WishAlreadyClaimed, match="just claimed"):
            services.wish_claim(actor=world.member2, wish=wish, expected_version=late)
    assert actions(wish).count(WishAction.CLAIM) == 1
    assert fresh(wish).claimant_member.user == world.member  # type: ignore[union-attr]


def test_a_wish_under_review_cannot_be_claimed(world: WishWorld) -> None:
    wish = post(world)
    with pytest.raises(MoveRefused):
        services.wish_claim(actor=world.member, wish=wish, expected_version=1)


# --- release ----------------------------------------------------------------------------------------------------------


def test_the_claimant_releases_with_a_reason_and_the_wish_is_open_again(world: WishWorld) -> None:
    wish = claimed(world)
    with pytest.raises(ValidationError) as raised:
        services.wish_release(actor=world.member, wish=wish, reason="")
    assert list(errors_of(raised)) == ["reason"]
    services.wish_release(actor=world.member, wish=wish, reason="临时出差，无法完成")
    wish = fresh(wish)
    assert (wish.state, wish.claimant_member, wish.claimed_at) == (WishState.PUBLISHED, None, None)
    claimed_again = services.wish_claim(actor=world.member2, wish=wish, expected_version=wish.version)
    assert claimed_again.claimant_member.user == world.member2  # type: ignore[union-attr]


def test_another_member_cannot_release_a_claim(world: WishWorld) -> None:
    wish = claimed(world)
    with pytest.raises(PermissionDenied):
        services.wish_release(actor=world.member2, wish=wish, reason="我来")
    assert fresh(wish).state == WishState.CLAIMED


def test_staff_release_a_claim_and_the_event_says_whose(world: WishWorld) -> None:
    wish = claimed(world)
    services.wish_release(actor=world.staff, wish=wish, reason="认领人联系不上")
    event = WishEvent.objects.get(subject=wish, action=WishAction.RELEASE)
    assert event.data["by"] == "staff"
    assert event.data["released"]["by"] == "member"


# --- fulfil -----------------------------------------------------------------------------------------------------------


def test_fulfilling_without_a_photo_is_refused(world: WishWorld) -> None:
    wish = claimed(world)
    with pytest.raises(ValidationError) as raised:
        services.wish_fulfil(actor=world.member, wish=wish, photo=None, note="送到了")
    assert list(errors_of(raised)) == ["photo"]
    not_an_image = SimpleUploadedFile("a.jpg", b"GIF89a not really", content_type="image/jpeg")
    with pytest.raises(ValidationError) as raised:
        services.wish_fulfil(actor=world.member, wish=wish, photo=not_an_image)
    assert list(errors_of(raised)) == ["photo"]
    assert fresh(wish).state == WishState.CLAIMED
    assert not WishPhoto.objects.exists()


def test_fulfilling_stores_the_photo_with_its_event(world: WishWorld) -> None:
    wish = fulfilled(world)
    assert wish.state == WishState.FULFILLED
    assert wish.fulfilled_at is not None
    photo = WishPhoto.objects.get(wish=wish)
    assert photo.event is not None
    assert photo.event.action == WishAction.FULFIL
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 40, 30)
    assert not photo.image.name.endswith("done.jpg")  # the server names the file


@pytest.mark.parametrize("who", ["member2", "staff", "resident"])
def test_only_the_claimant_fulfils(world: WishWorld, who: str) -> None:
    wish = claimed(world)
    with pytest.raises(PermissionDenied):
        services.wish_fulfil(actor=getattr(world, who), wish=wish, photo=jpeg())
    assert fresh(wish).state == WishState.CLAIMED


def test_any_contact_of_the_claiming_unit_fulfils(world: WishWorld) -> None:
    wish = claimed(world, by=world.unit_user)
    colleague = make_unit_contact(world.unit, phone="13700000009", community=None)
    services.wish_fulfil(actor=colleague, wish=wish, photo=jpeg())
    assert fresh(wish).state == WishState.FULFILLED


# --- confirm ----------------------------------------------------------------------------------------------------------


def test_confirming_earns_the_member_points_once(world: WishWorld) -> None:
    make_wish_rule()
    wish = fulfilled(world)
    services.wish_confirm(actor=world.resident, wish=wish)
    wish = fresh(wish)
    assert (wish.state, wish.confirmed_at is not None) == (WishState.CONFIRMED, True)
    assert wish.claimant_member is not None
    entry = PointEntry.objects.get(source="wish", source_id=wish.pk)
    assert (entry.points, entry.account.member) == (RULE_POINTS, wish.claimant_member)

    with pytest.raises(MoveRefused):
        services.wish_confirm(actor=world.resident, wish=wish)
    assert PointEntry.objects.filter(source="wish", source_id=wish.pk).count() == 1
    assert PointAccount.objects.get(member=wish.claimant_member).balance == RULE_POINTS
    assert actions(wish).count(WishAction.CONFIRM) == 1


def test_confirming_without_a_rule_in_force_earns_nothing(world: WishWorld) -> None:
    wish = fulfilled(world)
    services.wish_confirm(actor=world.resident, wish=wish)
    assert fresh(wish).state == WishState.CONFIRMED
    assert not PointEntry.objects.exists()


def test_a_unit_claimant_earns_no_member_points(world: WishWorld) -> None:
    make_wish_rule()
    wish = fulfilled(world, by=world.unit_user)
    services.wish_confirm(actor=world.resident, wish=wish)
    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("who", ["other_resident", "member", "staff"])
def test_only_the_poster_confirms_their_own_wish(world: WishWorld, who: str) -> None:
    make_wish_rule()
    wish = fulfilled(world)
    with pytest.raises(PermissionDenied):
        services.wish_confirm(actor=getattr(world, who), wish=wish)
    assert fresh(wish).state == WishState.FULFILLED
    assert not PointEntry.objects.exists()


def test_staff_confirm_a_wish_posted_on_behalf(world: WishWorld) -> None:
    wish = fulfilled(world, actor=world.staff, on_behalf=True)
    with pytest.raises(PermissionDenied):
        services.wish_confirm(actor=world.staff2, wish=wish)
    services.wish_confirm(actor=world.street_staff, wish=wish)
    assert fresh(wish).state == WishState.CONFIRMED


# --- withdraw ---------------------------------------------------------------------------------------------------------


def test_the_poster_withdraws_before_a_claim(world: WishWorld) -> None:
    wish = published(world)
    services.wish_cancel(actor=world.resident, wish=wish)
    assert fresh(wish).state == WishState.CANCELLED


def test_staff_withdraw_with_a_reason_and_nobody_after_a_claim(world: WishWorld) -> None:
    wish = published(world)
    with pytest.raises(ValidationError):
        services.wish_cancel(actor=world.staff, wish=wish, reason="")
    with pytest.raises(PermissionDenied):
        services.wish_cancel(actor=world.other_resident, wish=wish, reason="x")
    services.wish_cancel(actor=world.staff, wish=wish, reason="居民已自行解决")
    assert wish_outcome_note(fresh(wish)) == "居民已自行解决"
    taken = claimed(world)
    with pytest.raises(MoveRefused):
        services.wish_cancel(actor=world.resident, wish=taken)


# --- rules ------------------------------------------------------------------------------------------------------------


def test_only_the_city_changes_the_rules_and_it_is_audited(world: WishWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.wish_settings_update(actor=world.street_staff, value_cap=Decimal("800"), stale_days=10)
    with pytest.raises(ValidationError) as raised:
        services.wish_settings_update(actor=world.city_staff, value_cap=Decimal("0"), stale_days=0)
    assert set(errors_of(raised)) == {"value_cap", "stale_days"}
    services.wish_settings_update(actor=world.city_staff, value_cap=Decimal("800"), stale_days=10)
    current = WishSettings.current()
    assert (current.value_cap, current.stale_days) == (Decimal("800"), 10)
    assert AuditEvent.objects.filter(action="wish_settings.update").count() == 1
