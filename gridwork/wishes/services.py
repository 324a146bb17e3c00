"""Writing micro-wishes (微心愿): post, review, claim, release, fulfil, confirm, withdraw; and the city's settings.

Every move goes through ``WISH_FLOW`` (``common.flows``): the state changes by a compare-and-set on state and version
and the event is appended in the same transaction. Each service reads the wish afresh, checks who the actor is to
it (poster, claimant, staff over its community), validates field by field (``ValidationError`` of a dict), and
refuses with ``PermissionDenied``, ``MoveRefused``, ``StaleState`` or ``WishAlreadyClaimed``.

A claim is the contested move: of two people claiming at once, one wins; the other is told that the wish was just
claimed (``WishAlreadyClaimed``) and nothing of theirs is saved. A member claimant earns the ``wish`` points once,
when the resident confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise
from gridwork.audit.services import audit_record
from gridwork.common.flows import MoveRefused, StaleState, flow_move, flow_start
from gridwork.common.scope import holds_over
from gridwork.matters.photos import PhotoRejected, clean_photo
from gridwork.party.models import MemberRegistration, RegistrationState, UnitContact
from gridwork.party.selectors import member_registration_of
from gridwork.people.models import Resident, ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.points.models import PointBasis
from gridwork.points.services import Source, points_earn
from gridwork.wishes.flows import WISH_FLOW, WishAction
from gridwork.wishes.models import Wish, WishEvent, WishPhoto, WishSettings, WishState

MAX_TITLE = 60
MAX_DESCRIPTION = 1000
MAX_NAME = 50
MAX_REASON = 500
MAX_NOTE = 500
MAX_VALUE = Decimal("999999.99")  # what the column holds (8 digits, 2 decimals)
MAX_STALE_DAYS = 365
TAKEN_STATES = frozenset({WishState.CLAIMED, WishState.FULFILLED, WishState.CONFIRMED})


class WishAlreadyClaimed(Exception):
    """The wish was claimed by someone else first (a lost race, or a page shown before the claim)."""

    def __init__(self) -> None:
        super().__init__(_("Someone else has just claimed this wish. Choose another one."))


@dataclass(frozen=True)
class Claimant:
    """Who claims: a registered party member, or a resident unit (through one of its contacts)."""

    member: MemberRegistration | None = None
    unit: ResidentUnit | None = None

    def event_data(self) -> dict[str, Any]:
        if self.member is not None:
            return {"by": "member", "member_id": self.member.pk}
        assert self.unit is not None
        return {"by": "unit", "unit_id": self.unit.pk, "unit_name": self.unit.name}


def yuan(amount: Decimal | int) -> str:
    """An amount as people write it: 500, 99.5, 0.01."""
    text = f"{Decimal(amount).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- who is who to a wish ---------------------------------------------------------------------------------------------


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def wish_managed_by(*, user: Any, wish: Wish) -> bool:
    """Whether ``user`` holds MANAGE_PARTY over the wish's community (reviews, releases, posts on behalf)."""
    return holds_over(user, Perm.MANAGE_PARTY, wish.community)


def wish_personal_data_visible(*, user: Any, community: Place) -> bool:
    """Whether ``user`` may see names and phones unmasked in this community (VIEW_PERSONAL_DATA over it)."""
    return holds_over(user, Perm.VIEW_PERSONAL_DATA, community)


def wish_claimed_by(*, user: Any, wish: Wish) -> bool:
    """Whether ``user`` is the claimant: the member who claimed it, or a contact of the unit that did."""
    if not getattr(user, "is_authenticated", False):
        return False
    if wish.claimant_member_id is not None:
        return MemberRegistration.objects.filter(pk=wish.claimant_member_id, user_id=user.pk).exists()
    if wish.claimant_unit_id is not None:
        return UnitContact.objects.filter(unit_id=wish.claimant_unit_id, user_id=user.pk).exists()
    return False


def wish_posted_by(*, user: Any, wish: Wish) -> bool:
    return bool(getattr(user, "is_authenticated", False) and wish.posted_by_id == user.pk)


def claiming_units(*, user: Any, community: Place) -> list[ResidentUnit]:
    """The resident units ``user`` speaks for that hold a confirmed registration (单位报到) with ``community``."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ResidentUnit.objects.filter(
            contacts__user_id=user.pk,
            registrations__community=community,
            registrations__state=RegistrationState.CONFIRMED,
        )
        .distinct()
        .order_by("name")
    )


def member_may_claim_in(member: MemberRegistration, community: Place) -> bool:
    """A member claims in their own community and in the other communities of the same street."""
    return member.community_id == community.pk or (
        member.community.parent_id is not None and member.community.parent_id == community.parent_id
    )


def _claimant_for(actor: Any, wish: Wish, unit: ResidentUnit | None) -> Claimant:
    if unit is not None:
        if unit not in claiming_units(user=actor, community=wish.community):
            raise PermissionDenied(
                _(
                    "%(unit)s may not claim this wish: you must speak for the unit, and the unit must be registered "
                    "with %(community)s."
                )
                % {"unit": unit.name, "community": wish.community.name}
            )
        return Claimant(unit=unit)
    member = member_registration_of(actor)
    if member is not None:
        if not member_may_claim_in(member, wish.community):
            raise PermissionDenied(
                _("You may claim the wishes of your own community and of the other communities of your street.")
            )
        return Claimant(member=member)
    units = claiming_units(user=actor, community=wish.community)
    if len(units) == 1:
        return Claimant(unit=units[0])
    if units:
        raise PermissionDenied(_("Choose which of your units claims the wish."))
    raise PermissionDenied(
        _("Only a registered party member, or a resident unit registered with the community, may claim a wish.")
    )


def _fresh(wish: Wish | int) -> Wish:
    pk = wish.pk if isinstance(wish, Wish) else wish
    return Wish.objects.select_related("community", "claimant_member", "claimant_unit").get(pk=pk)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- rules ------------------------------------------------------------------------------------------------------------


def wish_errors(
    *,
    title: str,
    description: str,
    value: Decimal | None,
    cap: Decimal,
    beneficiary_name: str,
    beneficiary_phone: str,
) -> dict[str, str]:
    """What is wrong with these values for a wish, field by field; ``beneficiary_phone`` is already normalised."""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is wished for.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep it within %(max)d characters.") % {"max": MAX_TITLE}
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Keep the details within %(max)d characters.") % {"max": MAX_DESCRIPTION}
    if value is None:
        errors["value"] = _("Enter the estimated value in yuan.")
    else:
        try:
            exact = value == value.quantize(Decimal("0.01"))
        except InvalidOperation:
            exact = False
        if not value.is_finite() or not exact:
            errors["value"] = _("Enter the value in yuan with at most two decimals, such as 120 or 99.50.")
        elif value <= 0:
            errors["value"] = _("The value must be more than 0 yuan.")
        elif value > cap:
            errors["value"] = _("A micro-wish may be worth at most %(cap)s yuan.") % {"cap": yuan(cap)}
    if not beneficiary_name:
        errors["beneficiary_name"] = _("Say whom the wish is for.")
    elif len(beneficiary_name) > MAX_NAME:
        errors["beneficiary_name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_NAME}
    if beneficiary_phone and not phone_is_valid(beneficiary_phone):
        errors["beneficiary_phone"] = _("Enter a mainland mobile number of 11 digits, such as 13812345678.")
    return errors


def _ancestor(place: Place, level: str) -> Place | None:
    return Place.objects.filter(code__in=place.ancestor_codes(), level=level).first()


def _household_of(actor: Any) -> Place | None:
    resident = Resident.objects.filter(user_id=actor.pk).select_related("household").first()
    return resident.household if resident is not None else None


def _wish_place(
    *, actor: Any, community: Place | None, building: Place | None, on_behalf: bool
) -> tuple[Place | None, Place | None, dict[str, str]]:
    """The community and building of a new wish: as chosen, or (a resident for themself) from their household."""
    errors: dict[str, str] = {}
    if community is not None and community.level != PlaceLevel.COMMUNITY:
        errors["community"] = _("Choose a community.")
        return None, None, errors
    if building is not None:
        if building.level != PlaceLevel.MICROGRID:
            errors["building"] = _("Choose a building (micro-grid).")
            return community, None, errors
        if community is None:
            community = _ancestor(building, PlaceLevel.COMMUNITY)
        elif not building.path.startswith(community.path):
            errors["building"] = _("%(building)s is not in %(community)s.") % {
                "building": building.name,
                "community": community.name,
            }
        return community, building, errors
    if not on_behalf:
        household = _household_of(actor)
        if household is not None and (community is None or household.path.startswith(community.path)):
            community = community or _ancestor(household, PlaceLevel.COMMUNITY)
            building = _ancestor(household, PlaceLevel.MICROGRID)
    if community is None:
        errors["community"] = (
            _("Choose the community of the resident.") if on_behalf else _("Choose the community where you live.")
        )
    return community, building, errors


# --- writes -----------------------------------------------------------------------------------------------------------


def wish_post(
    *,
    actor: Any,
    title: str,
    description: str,
    value: Decimal | None,
    beneficiary_name: str,
    beneficiary_phone: str,
    community: Place | None,
    building: Place | None,
    on_behalf: bool,
    now: datetime | None = None,
) -> Wish:
    """发布微心愿: a resident for themself, or staff holding MANAGE_PARTY over the community on behalf of a resident in
    difficulty. The wish awaits the community's review."""
    _signed_in(actor)
    title, description, beneficiary_name = title.strip(), description.strip(), beneficiary_name.strip()
    phone = phone_normalise(beneficiary_phone.strip()) if beneficiary_phone.strip() else ""
    community, building, errors = _wish_place(actor=actor, community=community, building=building, on_behalf=on_behalf)
    if on_behalf and community is not None and not holds_over(actor, Perm.MANAGE_PARTY, community):
        raise PermissionDenied(_("You may post wishes on behalf of residents only in the communities you manage."))
    errors = {
        **wish_errors(
            title=title,
            description=description,
            value=value,
            cap=WishSettings.current().value_cap,
            beneficiary_name=beneficiary_name,
            beneficiary_phone=phone,
        ),
        **errors,
    }
    if errors:
        raise ValidationError(errors)
    assert community is not None
    assert value is not None
    wish = Wish(
        title=title,
        description=description,
        value=value,
        beneficiary_name=beneficiary_name,
        beneficiary_phone=phone,
        community=community,
        building=building,
        posted_by=actor,
        on_behalf=on_behalf,
    )
    return flow_start(wish, flow=WISH_FLOW, actor=actor, data={"on_behalf": on_behalf}, at=_now(now))


def _reason(reason: str, *, required: str | None) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ValidationError({"reason": required})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason within %(max)d characters.") % {"max": MAX_REASON}})
    return reason


def wish_review(
    *, actor: Any, wish: Wish, publish: bool, reason: str, expected_version: int, now: datetime | None = None
) -> Wish:
    """审核: the community publishes the wish for claiming, or rejects it with a reason the poster sees."""
    _signed_in(actor)
    wish = _fresh(wish)
    if not wish_managed_by(user=actor, wish=wish):
        raise PermissionDenied(_("Only the staff of the wish's community may review it."))
    when = _now(now)
    if publish:
        note = _reason(reason, required=None)
        flow_move(
            wish,
            flow=WISH_FLOW,
            action=WishAction.PUBLISH,
            actor=actor,
            note=note,
            changes={"published_at": when},
            expected_version=expected_version,
            at=when,
        )
    else:
        note = _reason(reason, required=_("Give the reason; the resident who posted the wish sees it."))
        flow_move(
            wish,
            flow=WISH_FLOW,
            action=WishAction.REJECT,
            actor=actor,
            note=note,
            expected_version=expected_version,
            at=when,
        )
    return wish


def wish_claim(
    *,
    actor: Any,
    wish: Wish,
    expected_version: int | None,
    unit: ResidentUnit | None = None,
    now: datetime | None = None,
) -> Wish:
    """认领: a confirmed member of the wish's community or street, or a contact of a resident unit registered with the
    community (as that unit; ``unit`` chooses which when the user speaks for several). Compare-and-set: of two
    claims at once, one wins and the other gets ``WishAlreadyClaimed``."""
    _signed_in(actor)
    wish = _fresh(wish)
    claimant = _claimant_for(actor, wish, unit)
    if wish.posted_by_id == actor.pk:
        raise PermissionDenied(_("You cannot claim a wish you posted."))
    if wish.state in TAKEN_STATES:
        raise WishAlreadyClaimed
    when = _now(now)
    try:
        flow_move(
            wish,
            flow=WISH_FLOW,
            action=WishAction.CLAIM,
            actor=actor,
            data=claimant.event_data(),
            changes={"claimant_member": claimant.member, "claimant_unit": claimant.unit, "claimed_at": when},
            expected_version=expected_version,
            at=when,
        )
    except (StaleState, MoveRefused) as refused:
        if Wish.objects.filter(pk=wish.pk, state__in=TAKEN_STATES).exists():
            raise WishAlreadyClaimed from refused
        raise
    return wish


def _claimant_data(wish: Wish) -> dict[str, Any]:
    if wish.claimant_member is not None:
        return Claimant(member=wish.claimant_member).event_data()
    if wish.claimant_unit is not None:
        return Claimant(unit=wish.claimant_unit).event_data()
    return {}


def wish_release(
    *, actor: Any, wish: Wish, reason: str, expected_version: int | None = None, now: datetime | None = None
) -> Wish:
    """放弃认领: the claimant (or the community's staff) gives the wish back, with a reason; it is open again."""
    _signed_in(actor)
    wish = _fresh(wish)
    by_claimant = wish_claimed_by(user=actor, wish=wish)
    if not by_claimant and not wish_managed_by(user=actor, wish=wish):
        raise PermissionDenied(_("Only the claimant or the community's staff may release the claim."))
    note = _reason(reason, required=_("Say why the claim is released."))
    when = _now(now)
    data = _claimant_data(wish) if by_claimant else {"by": "staff", "released": _claimant_data(wish)}
    flow_move(
        wish,
        flow=WISH_FLOW,
        action=WishAction.RELEASE,
        actor=actor,
        note=note,
        data=data,
        changes={"claimant_member": None, "claimant_unit": None, "claimed_at": None, "published_at": when},
        expected_version=expected_version,
        at=when,
    )
    return wish


def wish_fulfil(
    *,
    actor: Any,
    wish: Wish,
    photo: IO[bytes] | None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Wish:
    """圆梦: the claimant records the wish fulfilled, with a photo (re-encoded without metadata) and a note."""
    _signed_in(actor)
    wish = _fresh(wish)
    if not wish_claimed_by(user=actor, wish=wish):
        raise PermissionDenied(_("Only the claimant may record the wish fulfilled."))
    note = note.strip()
    errors: dict[str, str] = {}
    clean = None
    if photo is None:
        errors["photo"] = _("Add a photo that shows the wish fulfilled.")
    else:
        try:
            clean = clean_photo(photo, original_name=str(getattr(photo, "name", "") or ""))
        except PhotoRejected as rejected:
            errors["photo"] = str(rejected)
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note within %(max)d characters.") % {"max": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    assert clean is not None
    when = _now(now)
    with transaction.atomic():
        event = flow_move(
            wish,
            flow=WISH_FLOW,
            action=WishAction.FULFIL,
            actor=actor,
            note=note,
            data=_claimant_data(wish),
            changes={"fulfilled_at": when},
            expected_version=expected_version,
            at=when,
        )
        assert isinstance(event, WishEvent)
        stored = WishPhoto(
            wish=wish, event=event, size=len(clean.content), content_type=clean.content_type, created_at=when
        )
        stored.image.save(clean.name, ContentFile(clean.content, name=clean.name), save=False)
        stored.save()
    return wish


def wish_confirm(*, actor: Any, wish: Wish, expected_version: int | None = None, now: datetime | None = None) -> Wish:
    """确认: the poster confirms the wish came true (staff of the community, for a wish they posted on behalf). A
    member claimant earns the points of the ``wish`` rule in force, once."""
    _signed_in(actor)
    wish = _fresh(wish)
    if wish.on_behalf:
        if not wish_managed_by(user=actor, wish=wish):
            raise PermissionDenied(_("Only the community's staff may confirm a wish posted on a resident's behalf."))
    elif not wish_posted_by(user=actor, wish=wish):
        raise PermissionDenied(_("Only the resident who posted the wish may confirm it."))
    when = _now(now)
    with transaction.atomic():
        flow_move(
            wish,
            flow=WISH_FLOW,
            action=WishAction.CONFIRM,
            actor=actor,
            data=_claimant_data(wish),
            changes={"confirmed_at": when},
            expected_version=expected_version,
            at=when,
        )
        if wish.claimant_member is not None:
            points_earn(
                member=wish.claimant_member,
                basis=PointBasis.WISH,
                quantity=1,
                source=Source("wish", wish.pk),
                actor=actor,
                on=timezone.localdate(when),
                note=wish.title,
            )
    return wish


def wish_cancel(
    *, actor: Any, wish: Wish, reason: str = "", expected_version: int | None = None, now: datetime | None = None
) -> Wish:
    """撤回: the poster withdraws the wish before anyone claims it; staff of the community may too, with a reason."""
    _signed_in(actor)
    wish = _fresh(wish)
    by_poster = wish_posted_by(user=actor, wish=wish)
    if not by_poster and not wish_managed_by(user=actor, wish=wish):
        raise PermissionDenied(_("Only the poster or the community's staff may withdraw the wish."))
    note = _reason(reason, required=None if by_poster else _("Give the reason; the resident who posted it sees it."))
    when = _now(now)
    flow_move(
        wish,
        flow=WISH_FLOW,
        action=WishAction.CANCEL,
        actor=actor,
        note=note,
        expected_version=expected_version,
        at=when,
    )
    return wish


def wish_settings_editable_by(*, user: Any) -> bool:
    """The rules hold for the whole city: only staff holding MANAGE_PARTY at the city change them."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return False
    return Place.objects.filter(level=PlaceLevel.CITY, path__in=user.scope_paths(Perm.MANAGE_PARTY)).exists()


def wish_settings_update(*, actor: Any, value_cap: Decimal | None, stale_days: int | None) -> WishSettings:
    """The city's rules for wishes: changed by staff holding MANAGE_PARTY at the city; audited."""
    _signed_in(actor)
    if not wish_settings_editable_by(user=actor):
        raise PermissionDenied(_("Only the city's staff may change the rules for micro-wishes."))
    errors: dict[str, str] = {}
    if value_cap is None or not value_cap.is_finite() or value_cap <= 0 or value_cap > MAX_VALUE:
        errors["value_cap"] = _("Enter a cap above 0 and at most %(max)s yuan.") % {"max": yuan(MAX_VALUE)}
    elif value_cap != value_cap.quantize(Decimal("0.01")):
        errors["value_cap"] = _("Enter the cap in yuan with at most two decimals.")
    if stale_days is None or not 1 <= stale_days <= MAX_STALE_DAYS:
        errors["stale_days"] = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_STALE_DAYS}
    if errors:
        raise ValidationError(errors)
    assert value_cap is not None
    assert stale_days is not None
    with transaction.atomic():
        found = WishSettings.current()
        before = {"value_cap": str(found.value_cap), "stale_days": found.stale_days}
        found.value_cap, found.stale_days = value_cap, stale_days
        found.save(update_fields=["value_cap", "stale_days"])
        audit_record(
            actor=actor,
            action="wish_settings.update",
            target=found,
            detail={"before": before, "after": {"value_cap": str(value_cap), "stale_days": stale_days}},
        )
    return found
