"""Reading estates and their committees. Staff reads are narrowed to the user's units first
(``restrict(user, VIEW_ACTORS)``: anything outside is not found); the public reads show only active estates with an
active committee, the members' names and roles (no phones, no accounts) and the public duty notices."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_phone
from gridwork.estates.models import (
    CURRENT_STATES,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeStatus,
    DutyNotice,
    Estate,
)
from gridwork.party.models import PartyMember, PartyOrganisation
from gridwork.places.models import Place, PlaceLevel

# --- staff --------------------------------------------------------------------------------------------------------


def estate_list(*, user: Any, q: str = "", community: Place | None = None) -> QuerySet[Estate]:
    """The estates of the user's units, with their current committee's status."""
    estates = Estate.objects.restrict(user, Perm.VIEW_ACTORS).select_related("community")
    if community is not None:
        estates = estates.filter(community=community)
    for word in q.split()[:5]:
        estates = estates.filter(
            Q(name__icontains=word) | Q(address__icontains=word) | Q(community__name__icontains=word)
        )
    current = Committee.objects.filter(estate=OuterRef("pk"), state__in=CURRENT_STATES)
    return estates.annotate(
        has_current=Exists(current),
        has_active=Exists(current.filter(state=CommitteeStatus.ACTIVE)),
    ).order_by("community__path", "name")


def community_choices(*, user: Any, perm: str = Perm.VIEW_ACTORS) -> QuerySet[Place]:
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).order_by("path")


def estate_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> Estate:
    estate = Estate.objects.restrict(user, perm).select_related("community").filter(pk=pk).first()
    if estate is None:
        raise Http404
    return estate


def estate_committees(estate: Estate) -> QuerySet[Committee]:
    return Committee.objects.filter(estate=estate).order_by("-created_at", "-pk")


def current_committee(estate: Estate) -> Committee | None:
    return estate_committees(estate).filter(state__in=CURRENT_STATES).first()


def committee_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> Committee:
    committee = (
        Committee.objects.restrict(user, perm)
        .select_related("estate__community", "party_organisation", "party_liaison_member")
        .filter(pk=pk)
        .first()
    )
    if committee is None:
        raise Http404
    return committee


def member_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> CommitteeMember:
    member = (
        CommitteeMember.objects.restrict(user, perm)
        .select_related("committee__estate__community")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def meeting_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> CommitteeMeeting:
    meeting = (
        CommitteeMeeting.objects.restrict(user, perm)
        .select_related("committee__estate__community", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def notice_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> DutyNotice:
    notice = (
        DutyNotice.objects.restrict(user, perm).select_related("committee__estate__community").filter(pk=pk).first()
    )
    if notice is None:
        raise Http404
    return notice


def may_see_phones(user: Any, estate: Estate) -> bool:
    """Members' phones in full: VIEW_PERSONAL_DATA over the estate's community."""
    return Estate.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=estate.pk).exists()


def member_rows(committee: Committee, *, full_phones: bool) -> list[dict[str, Any]]:
    """The committee's members, sitting first; phones masked unless ``full_phones``."""
    members = committee.members.select_related("staff_user").order_by("left_on", "role", "name")
    return [
        {"member": member, "phone": member.phone if full_phones else mask_phone(member.phone)} for member in members
    ]


def committee_meetings(committee: Committee) -> QuerySet[CommitteeMeeting]:
    return committee.meetings.annotate(decision_count=Count("decisions")).order_by("-held_on", "-pk")


def committee_notices(committee: Committee) -> QuerySet[DutyNotice]:
    return committee.notices.order_by("-published_on", "-pk")


def committee_history(committee: Committee) -> list[Any]:
    return list(committee.events.order_by("sequence"))


def party_organisation_choices(estate: Estate) -> QuerySet[PartyOrganisation]:
    """Party organisations of the estate's community (its committee, branches, groups below)."""
    return PartyOrganisation.objects.filter(place__path__startswith=estate.community.path).order_by("code")


def party_member_choices(estate: Estate) -> QuerySet[PartyMember]:
    return (
        PartyMember.objects.filter(organisation__place__path__startswith=estate.community.path)
        .select_related("organisation")
        .order_by("name", "pk")
    )


def grid_choices(community: Place | None) -> QuerySet[Place]:
    if community is None:
        return Place.objects.none()
    return Place.objects.filter(level=PlaceLevel.GRID, path__startswith=community.path).order_by("path")


# --- public -------------------------------------------------------------------------------------------------------


def _public_committees() -> QuerySet[Committee]:
    return Committee.objects.filter(state=CommitteeStatus.ACTIVE, estate__is_active=True)


def public_estates(*, q: str = "") -> QuerySet[Estate]:
    """Active estates with an active committee, for anyone."""
    estates = Estate.objects.filter(is_active=True, committees__in=_public_committees()).select_related(
        "community__parent"
    )
    for word in q.split()[:5]:
        estates = estates.filter(Q(name__icontains=word) | Q(community__name__icontains=word))
    return estates.distinct().order_by("community__path", "name")


def public_committee_of(pk: int) -> Committee:
    """An active estate's active committee; 404 otherwise."""
    committee = (
        _public_committees().filter(estate_id=pk).select_related("estate__community", "party_organisation").first()
    )
    if committee is None:
        raise Http404
    return committee


def public_members(committee: Committee) -> QuerySet[CommitteeMember]:
    """The sitting members' names and roles (and whether a party member): nothing else is read."""
    return (
        CommitteeMember.objects.filter(committee=committee, left_on__isnull=True)
        .only("id", "committee_id", "name", "role", "is_party_member")
        .order_by("role", "name")
    )


def public_notices(committee: Committee) -> QuerySet[DutyNotice]:
    return DutyNotice.objects.filter(committee=committee, is_public=True).order_by("-published_on", "-pk")
