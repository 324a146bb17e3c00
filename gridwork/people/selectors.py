"""Reading residents and resident units, narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.people.models import UNIT_PLACE_LEVELS, Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place


def resident_list(*, user: Any, search: str = "") -> QuerySet[Resident]:
    residents = Resident.objects.restrict(user, Perm.VIEW_PEOPLE).select_related("household")
    if search:
        residents = residents.filter(Q(name__icontains=search) | Q(phone__endswith=search))
    return residents.order_by("household__code", "id")


def resident_get(*, user: Any, pk: int) -> Resident:
    resident = Resident.objects.restrict(user, Perm.VIEW_PEOPLE).filter(pk=pk).select_related("household").first()
    if resident is None:
        raise Http404
    return resident


def resident_may_reveal(*, user: Any, resident: Resident) -> bool:
    """Whether the user may see this resident's personal data unmasked (the reveal itself is audited)."""
    return Resident.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=resident.pk).exists()


def _units_with_unmasked(units: QuerySet[ResidentUnit], user: Any) -> QuerySet[ResidentUnit]:
    """Mark each unit ``unmasked`` when ``user`` holds VIEW_PERSONAL_DATA over the place where it sits."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        return units.annotate(unmasked=Value(False, output_field=BooleanField()))
    visible = ResidentUnit.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=OuterRef("pk"))
    return units.annotate(unmasked=Exists(visible))


def resident_unit_list(*, user: Any, search: str = "", kind: str = "") -> QuerySet[ResidentUnit]:
    """The units sitting in the user's area, each marked ``unmasked`` when the user may see its contact."""
    units = ResidentUnit.objects.restrict(user, Perm.VIEW_PEOPLE).select_related("place")
    if search:
        units = units.filter(Q(name__icontains=search) | Q(credit_code__startswith=search.upper()))
    if kind in ResidentUnitKind.values:
        units = units.filter(kind=kind)
    return _units_with_unmasked(units, user).order_by("name", "id")


def resident_unit_get(*, user: Any, pk: int) -> ResidentUnit:
    unit = (
        _units_with_unmasked(ResidentUnit.objects.restrict(user, Perm.VIEW_PEOPLE).filter(pk=pk), user)
        .select_related("place__parent")
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def resident_unit_may_manage(*, user: Any, unit: ResidentUnit) -> bool:
    """Whether the user may edit the unit, its contacts and its appointments (MANAGE_PARTY where it sits)."""
    return ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=unit.pk).exists()


def resident_unit_for_edit(*, user: Any, pk: int) -> ResidentUnit:
    """A unit the user may edit, with ``unmasked`` (whether the form may show its contact); any other is not found."""
    unit = (
        _units_with_unmasked(ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=pk), user)
        .select_related("place")
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def unit_place_choices(*, user: Any) -> QuerySet[Place]:
    """The communities and streets where the user may register a unit (MANAGE_PARTY), street before its
    communities."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(level__in=UNIT_PLACE_LEVELS)
        .select_related("parent")
        .order_by("path")
    )


def resident_unit_may_see_personal_data(*, user: Any, unit: ResidentUnit) -> bool:
    """Whether the user may see the unit's contact and its contact accounts unmasked (VIEW_PERSONAL_DATA where it
    sits)."""
    return ResidentUnit.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=unit.pk).exists()
