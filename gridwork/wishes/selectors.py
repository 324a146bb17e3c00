"""Reading micro-wishes: for staff (narrowed to the units where they hold VIEW_PARTY), for the resident who posted
them, for registered members (their street's open wishes and their own claims) and for resident units' contacts.

Every list marks a wish that has waited for a claimant longer than the settings' ``stale_days`` since it was (last)
published (``stale``) and puts those first. A wish a user may not see is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_name
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.flows import ACTION_LABELS, WISH_FLOW, WishAction
from gridwork.wishes.models import Wish, WishEvent, WishPhoto, WishSettings, WishState

CLAIMED_STATES = (WishState.CLAIMED, WishState.FULFILLED, WishState.CONFIRMED)
RELATED = ("community", "community__parent", "building", "claimant_member", "claimant_unit")


# --- aging ------------------------------------------------------------------------------------------------------------


def stale_cutoff(*, now: datetime | None = None) -> datetime:
    """Wishes published (and unclaimed) before this moment are stale."""
    return (now or timezone.now()) - timedelta(days=WishSettings.current().stale_days)


def with_stale(
    wishes: QuerySet[Wish], *, now: datetime | None = None, cutoff: datetime | None = None
) -> QuerySet[Wish]:
    """``wishes`` with ``stale``: published, unclaimed, and waiting longer than the settings allow."""
    return wishes.annotate(
        stale=Case(
            When(state=WishState.PUBLISHED, published_at__lt=cutoff or stale_cutoff(now=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# --- staff ------------------------------------------------------------------------------------------------------------


def wish_list(
    *,
    user: Any,
    state: str = "",
    community: Place | None = None,
    stale_only: bool = False,
    now: datetime | None = None,
) -> QuerySet[Wish]:
    """The wishes of the user's units (VIEW_PARTY), stale ones first, then the newest."""
    cutoff = stale_cutoff(now=now)
    wishes = with_stale(Wish.objects.restrict(user, Perm.VIEW_PARTY).select_related(*RELATED), cutoff=cutoff)
    if state:
        wishes = wishes.filter(state=state)
    if community is not None:
        wishes = wishes.filter(community=community)
    if stale_only:
        wishes = wishes.filter(state=WishState.PUBLISHED, published_at__lt=cutoff)
    return wishes.order_by("-stale", "-created_at", "-id")


def wish_get(*, user: Any, pk: int, now: datetime | None = None) -> Wish:
    wish = (
        with_stale(Wish.objects.restrict(user, Perm.VIEW_PARTY), now=now)
        .select_related(*RELATED, "posted_by")
        .filter(pk=pk)
        .first()
    )
    if wish is None:
        raise Http404
    return wish


def wish_community_choices(*, user: Any, perm: str = Perm.VIEW_PARTY) -> QuerySet[Place]:
    """The communities under the units where the user holds ``perm``, street by street."""
    return (
        Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")
    )


def wish_photo_get(*, wish: Wish, photo_id: int) -> WishPhoto:
    """A photo of ``wish``, which the caller has already found visible to the user."""
    photo = WishPhoto.objects.filter(wish=wish, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def wish_outcome_note(wish: Wish) -> str:
    """Why the wish was not accepted or withdrawn: the note of that event, for the poster to read."""
    if wish.state not in (WishState.REJECTED, WishState.CANCELLED):
        return ""
    event = (
        WishEvent.objects.filter(subject=wish, action__in=[WishAction.REJECT, WishAction.CANCEL])
        .order_by("-sequence")
        .first()
    )
    return event.note if event is not None else ""


# --- the poster -------------------------------------------------------------------------------------------------------


def posted_wish_list(*, user: Any, now: datetime | None = None) -> QuerySet[Wish]:
    """The wishes the user posted, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Wish.objects.none()
    return (
        with_stale(Wish.objects.filter(posted_by_id=user.pk), now=now)
        .select_related(*RELATED)
        .order_by("-created_at", "-id")
    )


def posted_wish_get(*, user: Any, pk: int) -> Wish:
    wish = posted_wish_list(user=user).filter(pk=pk).first()
    if wish is None:
        raise Http404
    return wish


# --- members ----------------------------------------------------------------------------------------------------------


def _street_q(member: MemberRegistration) -> Q:
    street_id = member.community.parent_id
    return Q(community__parent_id=street_id) if street_id is not None else Q(community_id=member.community_id)


def member_open_wishes(*, member: MemberRegistration, now: datetime | None = None) -> tuple[list[Wish], list[Wish]]:
    """The published wishes a member may claim: those of their own community, then those of the rest of their
    street; stale first, then the longest waiting. Wishes the member posted are left out."""
    wishes = (
        with_stale(Wish.objects.filter(_street_q(member), state=WishState.PUBLISHED), now=now)
        .exclude(posted_by_id=member.user_id)
        .select_related(*RELATED)
        .order_by("-stale", "published_at", "id")
    )
    own: list[Wish] = []
    rest: list[Wish] = []
    for wish in wishes:
        (own if wish.community_id == member.community_id else rest).append(wish)
    return own, rest


def member_claimed_wishes(*, member: MemberRegistration) -> QuerySet[Wish]:
    """The wishes the member (under any of their registrations) claimed: those still to do first."""
    return (
        Wish.objects.filter(claimant_member__user_id=member.user_id, state__in=CLAIMED_STATES)
        .select_related(*RELATED)
        .annotate(
            done=Case(
                When(state=WishState.CONFIRMED, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("done", "-claimed_at", "-id")
    )


def member_wish_get(*, member: MemberRegistration, pk: int, now: datetime | None = None) -> Wish:
    """A wish open in the member's street (not their own), or one they claimed."""
    visible = (Q(state=WishState.PUBLISHED) & _street_q(member) & ~Q(posted_by_id=member.user_id)) | Q(
        claimant_member__user_id=member.user_id, state__in=CLAIMED_STATES
    )
    wish = with_stale(Wish.objects.filter(visible), now=now).select_related(*RELATED).filter(pk=pk).first()
    if wish is None:
        raise Http404
    return wish


# --- resident units ---------------------------------------------------------------------------------------------------


def units_spoken_for(*, user: Any) -> QuerySet[ResidentUnit]:
    """The resident units for which ``user`` is a contact (``party.UnitContact``)."""
    if not getattr(user, "is_authenticated", False):
        return ResidentUnit.objects.none()
    return ResidentUnit.objects.filter(contacts__user_id=user.pk).distinct().order_by("name")


def _unit_communities_q(user: Any) -> Q:
    return Q(
        community__unit_registrations__unit__contacts__user_id=user.pk,
        community__unit_registrations__state=RegistrationState.CONFIRMED,
    )


def unit_open_wishes(*, user: Any, now: datetime | None = None) -> QuerySet[Wish]:
    """The published wishes of the communities where a unit the user speaks for is registered (confirmed)."""
    if not getattr(user, "is_authenticated", False):
        return Wish.objects.none()
    ids = Wish.objects.filter(_unit_communities_q(user), state=WishState.PUBLISHED).values("pk")
    return (
        with_stale(Wish.objects.filter(pk__in=ids), now=now)
        .exclude(posted_by_id=user.pk)
        .select_related(*RELATED)
        .order_by("-stale", "published_at", "id")
    )


def unit_claimed_wishes(*, user: Any) -> QuerySet[Wish]:
    if not getattr(user, "is_authenticated", False):
        return Wish.objects.none()
    return (
        Wish.objects.filter(claimant_unit__contacts__user_id=user.pk, state__in=CLAIMED_STATES)
        .distinct()
        .select_related(*RELATED)
        .annotate(
            done=Case(
                When(state=WishState.CONFIRMED, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("done", "-claimed_at", "-id")
    )


def unit_wish_get(*, user: Any, pk: int, now: datetime | None = None) -> Wish:
    """A wish open to one of the user's units, or one such a unit claimed."""
    open_ids = unit_open_wishes(user=user).filter(pk=pk).values("pk")
    claimed_ids = unit_claimed_wishes(user=user).filter(pk=pk).values("pk")
    wish = (
        with_stale(Wish.objects.filter(Q(pk__in=open_ids) | Q(pk__in=claimed_ids)), now=now)
        .select_related(*RELATED)
        .first()
    )
    if wish is None:
        raise Http404
    return wish


# --- what the pages show ----------------------------------------------------------------------------------------------


def claimant_label(wish: Wish, *, unmasked: bool = False) -> str:
    """Who claimed the wish, as others see it: the member's name masked (unless ``unmasked``), or the unit's name."""
    if wish.claimant_member is not None:
        name = wish.claimant_member.name
        return name if unmasked else mask_name(name)
    if wish.claimant_unit is not None:
        return wish.claimant_unit.name
    return ""


@dataclass
class TimelineEntry:
    sequence: int
    action: str
    label: str
    state_label: str
    at: datetime
    who: str
    note: str
    photos: list[WishPhoto] = field(default_factory=list)


def wish_timeline(*, wish: Wish, audience: str, unmasked: bool = False) -> list[TimelineEntry]:
    """The wish's events in order, each with who made it as ``audience`` may see it:

    ``staff`` see staff names, and members' and residents' names masked unless ``unmasked``; the ``poster`` sees
    "you", the claimant (member masked, or unit) and the community; a ``claimant`` sees the same but "the resident".
    """
    events = list(WishEvent.objects.filter(subject=wish).order_by("sequence"))
    member_ids = {event.data.get("member_id") for event in events if event.data.get("by") == "member"}
    names = dict(MemberRegistration.objects.filter(pk__in=member_ids).values_list("pk", "name"))
    photos: dict[int | None, list[WishPhoto]] = {}
    for photo in WishPhoto.objects.filter(wish=wish).order_by("id"):
        photos.setdefault(photo.event_id, []).append(photo)
    entries = []
    for event in events:
        entries.append(
            TimelineEntry(
                sequence=event.sequence,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                state_label=WISH_FLOW.state_label(event.to_state),
                at=event.at,
                who=_who(event, wish=wish, audience=audience, unmasked=unmasked, names=names),
                note=event.note,
                photos=photos.get(event.pk, []),
            )
        )
    return entries


def _who(event: WishEvent, *, wish: Wish, audience: str, unmasked: bool, names: dict[int, str]) -> str:
    by = event.data.get("by")
    if by == "member":
        name = names.get(event.data.get("member_id"), "")
        return name if unmasked else mask_name(name)
    if by == "unit":
        return str(event.data.get("unit_name", ""))
    if event.actor_id == wish.posted_by_id and not wish.on_behalf:
        if audience == "poster":
            return _("You")
        if audience == "claimant":
            return _("The resident")
        return event.actor_name if unmasked else mask_name(event.actor_name)
    if audience == "staff":
        return event.actor_name
    return _("%(community)s staff") % {"community": wish.community.name}
