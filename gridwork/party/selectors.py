"""Reading party organisations and members, and the registrations (双报到), narrowed to the user's scope.

Staff read through ``restrict`` (the scope rule); a member reads only their own registrations; an employer's contact
(``UnitContact``) reads only the registrations naming one of their units as employer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.party.models import (
    MemberRegistration,
    PartTimeMember,
    PartyMember,
    PartyOrganisation,
    RegistrationEvent,
    RegistrationState,
    UnitContact,
    UnitRegistration,
    UnitRegistrationEvent,
)
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel


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


# --- 双报到: members' registrations, as staff see them ------------------------------------------------------------


def _with_unmasked(registrations: QuerySet[MemberRegistration], user: Any) -> QuerySet[MemberRegistration]:
    """Mark each registration ``unmasked`` when ``user`` holds VIEW_PERSONAL_DATA over its community."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        return registrations.annotate(unmasked=Value(False, output_field=BooleanField()))
    visible = MemberRegistration.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=OuterRef("pk"))
    return registrations.annotate(unmasked=Exists(visible))


def registration_queue(*, user: Any, state: str = "", building: Place | None = None) -> QuerySet[MemberRegistration]:
    """The registrations of the user's communities, those awaiting confirmation first, then the newest."""
    registrations = MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).select_related(
        "community", "building", "employer_unit"
    )
    if state:
        registrations = registrations.filter(state=state)
    if building is not None:
        registrations = registrations.filter(building=building)
    waiting = Case(When(state=RegistrationState.PENDING, then=0), default=1, output_field=IntegerField())
    return _with_unmasked(registrations, user).order_by(waiting.asc(), "-created_at", "-id")


def registration_buildings(*, user: Any) -> QuerySet[Place]:
    """The buildings named by the registrations the user sees (the queue's building filter)."""
    seen = MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).values("building_id")
    return Place.objects.filter(pk__in=seen).select_related("parent").order_by("path")


def registration_get(*, user: Any, pk: int) -> MemberRegistration:
    registration = (
        _with_unmasked(MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).filter(pk=pk), user)
        .select_related("community", "building", "employer_unit", "transferred_from__community")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def registration_may_manage(*, user: Any, registration: MemberRegistration) -> bool:
    """Whether the user may confirm or reject this registration (MANAGE_PARTY over its community)."""
    return MemberRegistration.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=registration.pk).exists()


def registration_events(registration: MemberRegistration) -> list[RegistrationEvent]:
    return list(RegistrationEvent.objects.filter(subject=registration).order_by("sequence"))


def registration_moved_to(registration: MemberRegistration) -> MemberRegistration | None:
    """The registration this one moved to (its successor linked by ``transferred_from``), if any."""
    return (
        MemberRegistration.objects.filter(transferred_from=registration).select_related("community", "building").first()
    )


def registered_member_communities(*, user: Any) -> QuerySet[Place]:
    """The communities whose registered members the user may list."""
    return Place.objects.restrict(user, Perm.VIEW_PARTY).filter(level=PlaceLevel.COMMUNITY).order_by("path")


def registered_member_list(*, user: Any, community: Place | None = None) -> QuerySet[MemberRegistration]:
    """在职党员 registered (confirmed) with the user's communities, by community and building, each marked
    ``unmasked`` when the user may see the name and phone unmasked."""
    registrations = (
        MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(state=RegistrationState.CONFIRMED)
        .select_related("community", "building", "employer_unit")
    )
    if community is not None:
        registrations = registrations.filter(community=community)
    return _with_unmasked(registrations, user).order_by("community__path", "building__path", "name", "id")


# --- the member's own registrations ---------------------------------------------------------------------------------


def my_registrations(*, user: Any) -> QuerySet[MemberRegistration]:
    """All the user's registrations, newest first, with their events."""
    if not getattr(user, "is_authenticated", False):
        return MemberRegistration.objects.none()
    return (
        MemberRegistration.objects.filter(user=user)
        .select_related("community__parent", "building", "employer_unit", "transferred_from__community")
        .prefetch_related(Prefetch("events", queryset=RegistrationEvent.objects.order_by("sequence")))
        .order_by("-created_at", "-id")
    )


def my_registration_get(*, user: Any, pk: int) -> MemberRegistration:
    """One of the user's own registrations; anybody else's is not found."""
    registration = my_registrations(user=user).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def registration_pending_of(user: Any) -> MemberRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        MemberRegistration.objects.filter(user=user, state=RegistrationState.PENDING)
        .select_related("community", "building")
        .first()
    )


def registration_latest_of(user: Any) -> MemberRegistration | None:
    """The user's newest registration in any state (to fill the form of a new one)."""
    return my_registrations(user=user).first()


def registration_communities() -> QuerySet[Place]:
    """Every community a member may register with, with its street."""
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")


def registration_community_get(code: str) -> Place | None:
    if not code:
        return None
    return Place.objects.filter(level=PlaceLevel.COMMUNITY, code=code).select_related("parent").first()


def registration_building_choices(community: Place | None) -> QuerySet[Place]:
    """The buildings (micro-grids) of ``community``, with their grid."""
    if community is None:
        return Place.objects.none()
    return (
        Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=community.path)
        .select_related("parent")
        .order_by("path")
    )


def registration_employer_units() -> QuerySet[ResidentUnit]:
    """The resident units a member may name as employer: those whose party organisation is registered (单位报到)
    with a community."""
    registered = UnitRegistration.objects.filter(state=RegistrationState.CONFIRMED).values("unit_id")
    return ResidentUnit.objects.filter(pk__in=registered).order_by("name")


# --- 单位报到: units' registrations and their contacts ---------------------------------------------------------------


def unit_registration_list(*, user: Any, state: str = "") -> QuerySet[UnitRegistration]:
    registrations = UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY).select_related("unit", "community")
    if state:
        registrations = registrations.filter(state=state)
    waiting = Case(When(state=RegistrationState.PENDING, then=0), default=1, output_field=IntegerField())
    return registrations.order_by(waiting.asc(), "-created_at", "-id")


def unit_registration_get(*, user: Any, pk: int) -> UnitRegistration:
    registration = (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(pk=pk)
        .select_related("unit__place", "community")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def unit_registration_may_manage(*, user: Any, registration: UnitRegistration) -> bool:
    return UnitRegistration.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=registration.pk).exists()


def unit_registration_events(registration: UnitRegistration) -> list[UnitRegistrationEvent]:
    return list(UnitRegistrationEvent.objects.filter(subject=registration).order_by("sequence"))


def unit_registration_units(*, user: Any) -> QuerySet[ResidentUnit]:
    """The resident units a staff member may register with a community (MANAGE_PARTY over the unit's place)."""
    return ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).select_related("place").order_by("name")


def unit_registration_communities(*, user: Any) -> QuerySet[Place]:
    """The communities a staff member may register a unit with (MANAGE_PARTY over the community)."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(level=PlaceLevel.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def contact_unit_get(*, user: Any, pk: int) -> ResidentUnit:
    """A resident unit of the user's scope, for its contacts page."""
    unit = ResidentUnit.objects.restrict(user, Perm.VIEW_PARTY).filter(pk=pk).select_related("place").first()
    if unit is None:
        raise Http404
    return unit


def unit_contact_list(*, unit: ResidentUnit) -> QuerySet[UnitContact]:
    return UnitContact.objects.filter(unit=unit).select_related("user").order_by("created_at", "id")


def unit_may_add_contact(*, user: Any, unit: ResidentUnit) -> bool:
    return ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=unit.pk).exists()


def unit_contact_may_unmask(*, user: Any, unit: ResidentUnit) -> bool:
    return ResidentUnit.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=unit.pk).exists()


# --- the employer's side: a unit contact's units and their members -------------------------------------------------


def units_of_contact(*, user: Any) -> QuerySet[ResidentUnit]:
    """The resident units the user speaks for (``UnitContact``)."""
    if not getattr(user, "is_authenticated", False):
        return ResidentUnit.objects.none()
    return ResidentUnit.objects.filter(contacts__user=user).distinct().order_by("name")


def contact_unit_registrations(*, user: Any) -> QuerySet[UnitRegistration]:
    """The registrations (单位报到) of the user's units, newest first, with their events."""
    return (
        UnitRegistration.objects.filter(unit__in=units_of_contact(user=user))
        .select_related("unit", "community__parent")
        .prefetch_related(Prefetch("events", queryset=UnitRegistrationEvent.objects.order_by("sequence")))
        .order_by("-created_at", "-id")
    )


def contact_unit_registration_get(*, user: Any, pk: int) -> UnitRegistration:
    registration = contact_unit_registrations(user=user).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def unit_member_list(*, user: Any) -> QuerySet[MemberRegistration]:
    """The members registered (confirmed) with a community who name one of the user's units as their employer."""
    return (
        MemberRegistration.objects.filter(
            employer_unit__in=units_of_contact(user=user), state=RegistrationState.CONFIRMED
        )
        .select_related("community__parent", "building", "employer_unit")
        .order_by("employer_unit__name", "name", "id")
    )


def unit_member_get(*, user: Any, pk: int) -> MemberRegistration:
    """One member of the user's units (a confirmed registration naming one of them); any other is not found."""
    registration = unit_member_list(user=user).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def unit_member_history(*, user: Any, registration: MemberRegistration) -> QuerySet[MemberRegistration]:
    """The communities the member was registered with before, as far as they named the user's units as employer."""
    return (
        MemberRegistration.objects.filter(
            user_id=registration.user_id,
            employer_unit__in=units_of_contact(user=user),
            state__in=[RegistrationState.CONFIRMED, RegistrationState.TRANSFERRED],
        )
        .select_related("community__parent", "building")
        .order_by("-created_at", "-id")
    )


def account_for_contact(identifier: str) -> Any:
    """The active or disabled account with this mobile number (or, for staff, this username), or None."""
    from gridwork.accounts.models import User
    from gridwork.accounts.services import phone_is_valid, phone_normalise

    identifier = identifier.strip()
    if not identifier:
        return None
    phone = phone_normalise(identifier)
    if phone_is_valid(phone):
        user = User.objects.filter(phone=phone).first()
        if user is not None:
            return user
    return User.objects.filter(username=identifier).first()
