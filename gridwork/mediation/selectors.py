"""Reads of the dispute cases, scoped in the query: a case, a party or a mediator outside the user's units is not
found (404), never forbidden. Parties' data comes masked (``masked_party``) unless revealed, one party at a time,
through ``services.cases.party_reveal``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_id_number, mask_name, mask_phone
from gridwork.mediation.flows import ACTION_LABELS
from gridwork.mediation.models import (
    Agreement,
    Assignment,
    CaseEvent,
    CaseParty,
    DisputeCase,
    MediationSession,
    Referral,
)
from gridwork.mediation.services.cases import holds
from gridwork.places.models import Place, PlaceLevel


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    dispute_type: str = ""
    risk: str = ""
    source: str = ""
    community: Place | None = None
    q: str = ""


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[DisputeCase]:
    """The cases of the user's units (VIEW_DISPUTES), newest first, filtered; ``q`` searches number and title."""
    filters = filters or CaseFilters()
    cases = DisputeCase.objects.restrict(user, Perm.VIEW_DISPUTES).select_related("place", "community", "mediator")
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.dispute_type:
        cases = cases.filter(dispute_type=filters.dispute_type)
    if filters.risk:
        cases = cases.filter(risk=filters.risk)
    if filters.source:
        cases = cases.filter(source=filters.source)
    if filters.community is not None:
        cases = cases.filter(community=filters.community)
    text = filters.q.strip()
    if text:
        cases = cases.filter(Q(number__icontains=text) | Q(title__icontains=text))
    return cases.order_by("-registered_at", "-id")


def case_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DISPUTES) -> DisputeCase:
    """One case of the user's units (404 outside them)."""
    cases = DisputeCase.objects.restrict(user, perm).select_related("place", "community", "mediator", "matter")
    return get_object_or_404(cases, pk=pk)


def party_get(*, user: Any, pk: int) -> CaseParty:
    """One party of a case of the user's units (404 outside them)."""
    visible = DisputeCase.objects.restrict(user, Perm.VIEW_DISPUTES)
    return get_object_or_404(CaseParty.objects.select_related("case", "case__place"), pk=pk, case__in=visible)


def community_choices(*, user: Any) -> QuerySet[Place]:
    """The communities under the user's units, for the list's filter."""
    return Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(level=PlaceLevel.COMMUNITY).order_by("code")


def place_choices(*, user: Any) -> QuerySet[Place]:
    """The grids and communities where the user may register a case (MANAGE_DISPUTES)."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_DISPUTES)
        .filter(level__in=[PlaceLevel.COMMUNITY, PlaceLevel.GRID])
        .order_by("path")
    )


def may_manage(user: Any, case: DisputeCase) -> bool:
    return holds(user, Perm.MANAGE_DISPUTES, case.place)


def may_reveal(user: Any, case: DisputeCase) -> bool:
    return holds(user, Perm.VIEW_DISPUTE_PARTIES, case.place)


@dataclass(frozen=True)
class PartyView:
    """A party as a page shows it: masked unless ``full``."""

    pk: int
    role: str
    role_label: str
    name: str
    phone: str
    id_number: str
    address: str
    is_organisation: bool
    full: bool


def _mask_address(value: str) -> str:
    return f"{value[:6]}…" if len(value) > 6 else ("…" if value else "")


def party_view(party: CaseParty, *, full: bool = False) -> PartyView:
    """The party, masked (name 王*国, phone 139****0001, ID 520102********1234, the address cut) unless ``full`` —
    which the views pass only right after ``party_reveal`` recorded the showing. An organisation's name is not
    personal data and is shown."""
    name = party.name if (full or party.is_organisation) else mask_name(party.name)
    return PartyView(
        pk=party.pk,
        role=party.role,
        role_label=str(party.get_role_display()),
        name=name,
        phone=party.phone if full else mask_phone(party.phone),
        id_number=party.id_number if full else mask_id_number(party.id_number),
        address=party.address if full else _mask_address(party.address),
        is_organisation=party.is_organisation,
        full=full,
    )


def masked_parties(case: DisputeCase) -> list[PartyView]:
    return [party_view(party) for party in case.parties.all()]


def masked_names(case: DisputeCase) -> str:
    """The parties' names masked, for a list row: "王*国 v 李*英"."""
    parties = list(case.parties.all())
    applicants = [party_view(p).name for p in parties if p.role == "applicant"]
    others = [party_view(p).name for p in parties if p.role != "applicant"]
    return " v ".join(part for part in ("、".join(applicants), "、".join(others)) if part)


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    label: str
    actor: str
    note: str
    from_state: str
    to_state: str


def case_timeline(case: DisputeCase) -> list[TimelineEntry]:
    """The case's events in order, labelled (actors are staff: their names are shown)."""
    entries = []
    for event in CaseEvent.objects.filter(subject=case).order_by("sequence"):
        label = str(ACTION_LABELS.get(event.action, event.action))
        entries.append(
            TimelineEntry(
                at=event.at,
                label=label,
                actor=event.actor_name,
                note=event.note,
                from_state=event.from_state,
                to_state=event.to_state,
            )
        )
    return entries


def case_sessions(case: DisputeCase) -> QuerySet[MediationSession]:
    return MediationSession.objects.filter(case=case).select_related("mediator").order_by("held_at", "id")


def case_assignments(case: DisputeCase) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(case=case)
        .select_related("mediator", "requested_by_party")
        .order_by("assigned_at", "id")
    )


def case_agreement(case: DisputeCase) -> Agreement | None:
    return Agreement.objects.filter(case=case).first()


def case_referrals(case: DisputeCase) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case).order_by("referred_at", "id")


def matter_cases(*, user: Any, matter: Any) -> QuerySet[DisputeCase]:
    """The dispute cases turned from a matter that the user may see (for the matter's page)."""
    return DisputeCase.objects.restrict(user, Perm.VIEW_DISPUTES).filter(matter=matter)
