"""Reading part-time members' terms (兼职委员), narrowed to the user's scope: a term is seen by staff holding VIEW_PARTY
over its organisation's place and changed by those holding MANAGE_PARTY there; anything else is not found.

A term's status on a day: not started, in term (ending within ``EXPIRING_DAYS`` days: expiring), over (its last day
passed), or ended early. The lists filter by the same statuses in the database (``TERM_FILTERS``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.common.scope import paths_q
from gridwork.party.models import PartTimeMember, PartyOrganisation, RegistrationState, UnitRegistration
from gridwork.party.parttime import EXPIRING_DAYS, PART_TIME_KINDS, in_term_q
from gridwork.people.models import ResidentUnit


class TermStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Not started")
    CURRENT = "current", _("In term")
    EXPIRING = "expiring", _("Ends within 60 days")
    EXPIRED = "expired", _("Term over")
    ENDED_EARLY = "ended_early", _("Ended early")


# The list's filters; "all" shows every term.
TERM_FILTERS: tuple[tuple[str, Any], ...] = (
    (TermStatus.CURRENT, TermStatus.CURRENT.label),
    (TermStatus.EXPIRING, _("Ending within 60 days, not renewed")),
    (TermStatus.UPCOMING, TermStatus.UPCOMING.label),
    (TermStatus.EXPIRED, TermStatus.EXPIRED.label),
    (TermStatus.ENDED_EARLY, TermStatus.ENDED_EARLY.label),
    ("all", _("All terms")),
)


def term_status(term: PartTimeMember, today: date | None = None) -> str:
    """The term's status on ``today`` (expiring is in term with its last day within ``EXPIRING_DAYS`` days)."""
    today = today or timezone.localdate()
    if today < term.term_start:
        return TermStatus.UPCOMING
    if today <= term.last_day:
        if term.last_day <= today + timedelta(days=EXPIRING_DAYS):
            return TermStatus.EXPIRING
        return TermStatus.CURRENT
    return TermStatus.ENDED_EARLY if term.ended_on is not None else TermStatus.EXPIRED


def status_q(status: str, today: date) -> Q:
    """The terms of a list filter on ``today``; an unknown filter keeps every term."""
    soon = today + timedelta(days=EXPIRING_DAYS)
    if status == TermStatus.CURRENT:
        return in_term_q(today)
    if status == TermStatus.EXPIRING:
        # Ending on its own (not ended early) within the window and not renewed yet: the terms to act on.
        return Q(
            term_start__lte=today, ended_on__isnull=True, term_end__gte=today, term_end__lte=soon, renewal__isnull=True
        )
    if status == TermStatus.UPCOMING:
        return Q(term_start__gt=today)
    if status == TermStatus.EXPIRED:
        return Q(ended_on__isnull=True, term_end__lt=today)
    if status == TermStatus.ENDED_EARLY:
        return Q(ended_on__lt=today)
    return Q()


def _terms(user: Any, perm: str) -> QuerySet[PartTimeMember]:
    return PartTimeMember.objects.restrict(user, perm).select_related(
        "organisation__place", "resident_unit__place", "renewed_from"
    )


def part_time_list(
    *,
    user: Any,
    status: str = TermStatus.CURRENT,
    organisation: PartyOrganisation | None = None,
    unit: ResidentUnit | None = None,
    search: str = "",
    today: date | None = None,
) -> QuerySet[PartTimeMember]:
    """The terms on the organisations of the user's area, by organisation and then the soonest to end."""
    today = today or timezone.localdate()
    terms = _terms(user, Perm.VIEW_PARTY).filter(status_q(status, today))
    if organisation is not None:
        terms = terms.filter(organisation=organisation)
    if unit is not None:
        terms = terms.filter(resident_unit=unit)
    if search:
        terms = terms.filter(Q(name__icontains=search) | Q(resident_unit__name__icontains=search))
    renewed = PartTimeMember.objects.filter(renewed_from=OuterRef("pk"))
    return terms.annotate(is_renewed=Exists(renewed)).order_by("organisation__code", "term_end", "name", "id")


def part_time_get(*, user: Any, pk: int) -> PartTimeMember:
    term = _terms(user, Perm.VIEW_PARTY).filter(pk=pk).first()
    if term is None:
        raise Http404
    return term


def part_time_for_change(*, user: Any, pk: int) -> PartTimeMember:
    """A term the user may end or renew (MANAGE_PARTY over its organisation's place); any other is not found."""
    term = _terms(user, Perm.MANAGE_PARTY).filter(pk=pk).first()
    if term is None:
        raise Http404
    return term


def part_time_may_manage(*, user: Any, term: PartTimeMember) -> bool:
    return PartTimeMember.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=term.pk).exists()


def part_time_renewal(term: PartTimeMember) -> PartTimeMember | None:
    return PartTimeMember.objects.filter(renewed_from=term).first()


def part_time_list_organisations(*, user: Any) -> QuerySet[PartyOrganisation]:
    """The 大工委 and 大党委 of the user's area (the list's filter)."""
    return (
        PartyOrganisation.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(kind__in=PART_TIME_KINDS)
        .select_related("place")
        .order_by("place__path", "code")
    )


def part_time_organisations(*, user: Any) -> QuerySet[PartyOrganisation]:
    """The 大工委 and 大党委 the user may appoint to (MANAGE_PARTY over their place)."""
    return (
        PartyOrganisation.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(kind__in=PART_TIME_KINDS)
        .select_related("place")
        .order_by("place__path", "code")
    )


def part_time_units(*, user: Any) -> QuerySet[ResidentUnit]:
    """The units the user may appoint from: those sitting in the user's area (MANAGE_PARTY) and those registered
    (confirmed) with a community of it. Whether a unit fits the chosen organisation the service checks."""
    paths = user.scope_paths(Perm.MANAGE_PARTY) if getattr(user, "is_authenticated", False) else []
    registered = UnitRegistration.objects.filter(
        paths_q("community__path", paths), unit=OuterRef("pk"), state=RegistrationState.CONFIRMED
    )
    return (
        ResidentUnit.objects.filter(paths_q("place__path", paths) | Q(Exists(registered)))
        .select_related("place")
        .order_by("name", "id")
    )


def part_time_of_unit(*, user: Any, unit: ResidentUnit) -> QuerySet[PartTimeMember]:
    """The terms of a unit's people on the organisations of the user's area (the unit's page), the newest first."""
    return (
        PartTimeMember.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(resident_unit=unit)
        .select_related("organisation__place")
        .order_by("-term_start", "-id")
    )
