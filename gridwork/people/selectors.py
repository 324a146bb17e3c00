"""Reading residents and resident units, narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.people.models import Resident, ResidentUnit


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


def resident_unit_list(*, user: Any, search: str = "") -> QuerySet[ResidentUnit]:
    units = ResidentUnit.objects.restrict(user, Perm.VIEW_PEOPLE).select_related("place")
    if search:
        units = units.filter(Q(name__icontains=search) | Q(credit_code__startswith=search.upper()))
    return units.order_by("name")


def resident_unit_get(*, user: Any, pk: int) -> ResidentUnit:
    unit = ResidentUnit.objects.restrict(user, Perm.VIEW_PEOPLE).filter(pk=pk).select_related("place").first()
    if unit is None:
        raise Http404
    return unit
