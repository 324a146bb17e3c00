"""Reads of the socialorgs app, narrowed to the user's units first (``restrict(user, VIEW_ACTORS)``: anything outside
is not found, 404). Phones are shown only to users holding VIEW_PERSONAL_DATA over the organisation's place; everyone
else sees them masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_phone
from gridwork.places.models import Place
from gridwork.socialorgs.models import (
    OPEN_INCUBATION_STATES,
    FilingStatus,
    Incubation,
    IncubationBase,
    IncubationEvent,
    Member,
    Organisation,
    OrgKind,
)
from gridwork.socialorgs.services import BASE_LEVELS, ORG_LEVELS, holds

ACTIVE = "active"
DISSOLVED = "dissolved"
STATUSES = (ACTIVE, DISSOLVED)


def sees_personal_data(user: Any, organisation: Organisation) -> bool:
    return holds(user, Perm.VIEW_PERSONAL_DATA, organisation.place)


def shown_phone(user: Any, organisation: Organisation, phone: str) -> str:
    """The phone as ``user`` may see it: whole with VIEW_PERSONAL_DATA over the organisation, masked otherwise."""
    return phone if sees_personal_data(user, organisation) else mask_phone(phone)


# --- organisations --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFilters:
    place: Place | None = None
    kind: str = ""
    status: str = ""
    filing: str = ""
    q: str = ""


def organisation_list(
    *, user: Any, filters: OrganisationFilters | None = None, perm: str = Perm.VIEW_ACTORS
) -> QuerySet[Organisation]:
    """The organisations of the user's units with their current members: by home place (and below), kind, active or
    dissolved, filing status, and words of the name, services or contact person."""
    filters = filters or OrganisationFilters()
    organisations = Organisation.objects.restrict(user, perm).select_related("place")
    if filters.place is not None:
        organisations = organisations.filter(place__path__startswith=filters.place.path)
    if filters.kind in OrgKind.values:
        organisations = organisations.filter(kind=filters.kind)
    if filters.status == ACTIVE:
        organisations = organisations.filter(dissolved_on__isnull=True)
    elif filters.status == DISSOLVED:
        organisations = organisations.filter(dissolved_on__isnull=False)
    if filters.filing in FilingStatus.values:
        organisations = organisations.filter(filing=filters.filing)
    for word in filters.q.split()[:5]:
        organisations = organisations.filter(
            Q(name__icontains=word)
            | Q(services__icontains=word)
            | Q(contact_name__icontains=word)
            | Q(registration_number__icontains=word)
        )
    return organisations.annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True)
    ).order_by("place__path", "name")


def organisation_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> Organisation:
    organisation = Organisation.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def organisation_place_choices(*, user: Any) -> QuerySet[Place]:
    """The communities and streets where the user manages organisations."""
    return Place.objects.restrict(user, Perm.MANAGE_ACTORS).filter(level__in=ORG_LEVELS).order_by("path")


def filter_place_choices(*, user: Any) -> QuerySet[Place]:
    """The communities and streets the user may filter the list by."""
    return Place.objects.restrict(user, Perm.VIEW_ACTORS).filter(level__in=ORG_LEVELS).order_by("path")


@dataclass(frozen=True)
class MemberRow:
    member: Member
    phone: str


def organisation_members(*, user: Any, organisation: Organisation) -> list[MemberRow]:
    """Current members first (leaders first), then former ones; phones as the user may see them."""
    members = Member.objects.filter(organisation=organisation).order_by(
        F("left_on").asc(nulls_first=True), "role", "joined_on", "name"
    )
    visible = sees_personal_data(user, organisation)
    return [MemberRow(member, member.phone if visible else mask_phone(member.phone)) for member in members]


def member_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> Member:
    member = Member.objects.restrict(user, perm).select_related("organisation__place").filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


# --- incubation -----------------------------------------------------------------------------------------------------


def base_list(*, user: Any, perm: str = Perm.VIEW_ACTORS) -> QuerySet[IncubationBase]:
    """The incubation bases of the user's units, with how many organisations each holds now and has graduated."""
    return (
        IncubationBase.objects.restrict(user, perm)
        .select_related("place")
        .annotate(
            open_count=Count("incubations", filter=Q(incubations__state__in=OPEN_INCUBATION_STATES)),
            graduated_count=Count("incubations", filter=Q(incubations__state="graduated")),
        )
        .order_by("place__path", "name")
    )


def base_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> IncubationBase:
    base = IncubationBase.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if base is None:
        raise Http404
    return base


def base_place_choices(*, user: Any) -> QuerySet[Place]:
    return Place.objects.restrict(user, Perm.MANAGE_ACTORS).filter(level__in=BASE_LEVELS).order_by("path")


def bases_serving(organisation: Organisation) -> QuerySet[IncubationBase]:
    """The bases an organisation may enter: those at its street, district or city (at or above its home place)."""
    prefixes = _prefixes(organisation.place.path)
    return IncubationBase.objects.filter(place__path__in=prefixes).select_related("place").order_by("place__path")


def _prefixes(path: str) -> list[str]:
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


def base_incubations(*, user: Any, base: IncubationBase) -> QuerySet[Incubation]:
    """The incubations at ``base`` of organisations the user may see."""
    return (
        Incubation.objects.restrict(user, Perm.VIEW_ACTORS)
        .filter(base=base)
        .select_related("organisation__place")
        .order_by("-entered_on", "-pk")
    )


def organisation_incubations(organisation: Organisation) -> QuerySet[Incubation]:
    return Incubation.objects.filter(organisation=organisation).select_related("base").order_by("-entered_on", "-pk")


def incubation_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> Incubation:
    incubation = (
        Incubation.objects.restrict(user, perm)
        .select_related("organisation__place", "base__place")
        .filter(pk=pk)
        .first()
    )
    if incubation is None:
        raise Http404
    return incubation


def incubation_history(incubation: Incubation) -> QuerySet[IncubationEvent]:
    return IncubationEvent.objects.filter(subject=incubation).order_by("sequence")
