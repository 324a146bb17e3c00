"""Reads for the documents' pages (agreements, follow-ups, referrals, the mediators' roster), scoped in the query:
an object outside the user's scope is not found (404). The cases' own reads are in ``mediation.selectors``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gridwork.accounts.roles import Perm
from gridwork.common.scope import NOTHING, holds_over, minimal_paths, path_scope_q
from gridwork.mediation.models import Agreement, CaseParty, DisputeCase, FollowUp, Mediator, Referral
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Department, Place, PlaceLevel

holds = holds_over  # the name the views call; the rule is common.scope.holds_over


def case_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DISPUTES) -> DisputeCase:
    cases = DisputeCase.objects.restrict(user, perm).select_related("place", "community__parent", "mediator")
    return get_object_or_404(cases, pk=pk)


def _case_scope(user: Any, perm: str, lookup: str) -> Q:
    return path_scope_q(user, perm, f"{lookup}__place__path")


def agreement_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DISPUTES) -> Agreement:
    agreements = Agreement.objects.filter(_case_scope(user, perm, "case")).select_related(
        "case__place", "case__community__parent", "case__mediator", "created_by"
    )
    return get_object_or_404(agreements, pk=pk)


def agreement_of(case: DisputeCase) -> Agreement | None:
    return Agreement.objects.filter(case=case).select_related("created_by").first()


def agreement_follow_ups(agreement: Agreement) -> list[FollowUp]:
    return list(FollowUp.objects.filter(agreement=agreement).select_related("done_by").order_by("due_on", "id"))


def case_parties(case: DisputeCase) -> list[CaseParty]:
    return list(CaseParty.objects.filter(case=case).order_by("order", "id"))


def followup_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DISPUTES) -> FollowUp:
    follow_ups = FollowUp.objects.filter(_case_scope(user, perm, "agreement__case")).select_related(
        "agreement__case__place", "agreement__case__community", "agreement__case__mediator"
    )
    return get_object_or_404(follow_ups, pk=pk)


def followup_upcoming(user: Any, *, after: date, limit: int = 20) -> QuerySet[FollowUp]:
    """Follow-ups not done and due after ``after`` (the next ones), in the user's scope."""
    return (
        FollowUp.objects.filter(done_on__isnull=True, due_on__gt=after)
        .filter(_case_scope(user, Perm.VIEW_DISPUTES, "agreement__case"))
        .select_related("agreement__case__community", "agreement__case__mediator")
        .order_by("due_on", "id")[:limit]
    )


def referral_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DISPUTES) -> Referral:
    referrals = Referral.objects.filter(_case_scope(user, perm, "case")).select_related(
        "case__place", "case__community__parent", "department", "referred_by"
    )
    return get_object_or_404(referrals, pk=pk)


def case_referrals(case: DisputeCase) -> list[Referral]:
    return list(Referral.objects.filter(case=case).select_related("department").order_by("referred_at", "id"))


def referral_departments(case: DisputeCase) -> QuerySet[Department]:
    """Departments that may receive the case: active, their jurisdiction the case's place or above it."""
    ancestors = case.place.ancestor_paths(include_self=True)
    return Department.objects.filter(is_active=True, place__path__in=ancestors).select_related("place")


# --- the mediators' roster --------------------------------------------------------------------------------------------


def mediator_roster(
    user: Any, *, kind: str = "", available: bool | None = None, search: str = "", place: Place | None = None
) -> QuerySet[Mediator]:
    """Mediators the user sees (VIEW_DISPUTES): those placed in the user's scope, and those serving it from above
    (a street's lawyer for a community's staff), each with ``open_cases`` (open assignments)."""
    paths = minimal_paths(user.scope_paths(Perm.VIEW_DISPUTES)) if getattr(user, "is_authenticated", False) else []
    condition = path_scope_q(user, Perm.VIEW_DISPUTES, "place__path")
    if paths:
        condition |= Q(place__path__in={above for path in paths for above in ancestor_paths(path, include_self=False)})
        condition |= path_scope_q(user, Perm.VIEW_DISPUTES, "communities__path")
    else:
        condition = NOTHING
    ids = Mediator.objects.filter(condition).values("pk")
    mediators = Mediator.objects.filter(pk__in=ids)
    if kind:
        mediators = mediators.filter(kind=kind)
    if available is not None:
        mediators = mediators.filter(available=available)
    if search:
        mediators = mediators.filter(Q(name__icontains=search) | Q(organisation__icontains=search))
    if place is not None:
        mediators = mediators.filter(Q(place__path__startswith=place.path) | Q(communities=place)).distinct()
    return (
        mediators.select_related("place", "user")
        .prefetch_related("communities")
        .annotate(open_cases=Count("assignments", filter=Q(assignments__ended_at__isnull=True), distinct=True))
        .order_by("place__path", "name", "id")
    )


def mediator_get(*, user: Any, pk: int, perm: str = Perm.MANAGE_DISPUTES) -> Mediator:
    mediators = Mediator.objects.restrict(user, perm).select_related("place", "user").prefetch_related("communities")
    return get_object_or_404(mediators, pk=pk)


def mediator_place_choices(user: Any) -> QuerySet[Place]:
    """Streets and communities where the user holds MANAGE_DISPUTES (a mediator's place)."""
    return Place.objects.restrict(user, Perm.MANAGE_DISPUTES).filter(
        level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY]
    )


def mediator_community_choices(user: Any) -> QuerySet[Place]:
    return Place.objects.restrict(user, Perm.MANAGE_DISPUTES).filter(level=PlaceLevel.COMMUNITY)
