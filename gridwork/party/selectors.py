"""Reading party organisations and members, narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.party.models import (
    MemberRegistration,
    PartTimeMember,
    PartyMember,
    PartyOrganisation,
    RegistrationState,
)
from gridwork.places.models import Place


def party_organisation_list(
    *, user: Any, place: Place | None = None, kind: str | None = None, search: str = ""
) -> QuerySet[PartyOrganisation]:
    organisations = PartyOrganisation.objects.restrict(user, Perm.VIEW_PARTY).select_related("place")
    if place is not None:
        organisations = organisations.filter(place=place)
    if kind:
        organisations = organisations.filter(kind=kind)
    if search:
        organisations = organisations.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return organisations.order_by("code")


def party_organisation_get(*, user: Any, code: str) -> PartyOrganisation:
    organisation = (
        PartyOrganisation.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(code=code)
        .select_related("place", "parent")
        .annotate(member_count=Count("members"))
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


def party_member_list(
    *, user: Any, organisation: PartyOrganisation | None = None, search: str = "", in_service: bool | None = None
) -> QuerySet[PartyMember]:
    members = PartyMember.objects.restrict(user, Perm.VIEW_PARTY).select_related("organisation")
    if organisation is not None:
        members = members.filter(organisation=organisation)
    if in_service is not None:
        members = members.filter(in_service=in_service)
    if search:
        members = members.filter(name__icontains=search)
    return members.order_by("organisation__code", "id")


def part_time_member_list(*, user: Any, organisation: PartyOrganisation) -> QuerySet[PartTimeMember]:
    return (
        PartTimeMember.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(organisation=organisation)
        .select_related("resident_unit")
        .order_by("term_start")
    )


def member_registration_of(user: Any) -> MemberRegistration | None:
    """The user's confirmed registration with a community (双报到), or None: what makes them a member here."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        MemberRegistration.objects.filter(user=user, state=RegistrationState.CONFIRMED)
        .select_related("community", "building")
        .first()
    )
