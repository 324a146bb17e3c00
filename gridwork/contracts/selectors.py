"""Reading co-construction contracts: for staff (narrowed to the communities where they hold VIEW_PARTY), for the
contacts of a resident unit (their units' contracts), and for everyone on a community's public board (published
contracts only, without any personal data). A contract a user may not see is not found (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.roles import Perm
from gridwork.cobuild.models import Match
from gridwork.common.masking import mask_name
from gridwork.contracts.flows import ACTION_LABELS, CONTRACT_FLOW
from gridwork.contracts.models import (
    PUBLIC_STATES,
    STAGE_OF,
    Clause,
    ClauseScore,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
    Evaluation,
    Evidence,
    Performance,
    ResidentRating,
)
from gridwork.contracts.services import WARN_DAYS
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

RELATED = ("community", "community__parent", "unit", "party_organisation")


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def with_figures(contracts: QuerySet[Contract], *, today: date | None = None) -> QuerySet[Contract]:
    """``contracts`` with their clause counts: all, performed, performed on time, and overdue (not performed and
    past the due date)."""
    day = _today(today)
    return contracts.annotate(
        clause_count=Count("clauses", distinct=True),
        performed_count=Count("clauses", filter=Q(clauses__performed_on__isnull=False), distinct=True),
        overdue_count=Count(
            "clauses",
            filter=Q(clauses__performed_on__isnull=True, clauses__due_on__lt=day) & Q(state=ContractState.PERFORMING),
            distinct=True,
        ),
    )


def expiring_q(today: date) -> Q:
    """Published contracts whose term ends within the warning period."""
    return Q(
        state=ContractState.PERFORMING,
        term_end__gte=today,
        term_end__lte=today + timedelta(days=WARN_DAYS),
    )


# --- staff ------------------------------------------------------------------------------------------------------------


def contract_list(
    *,
    user: Any,
    state: str = "",
    stage: str = "",
    community: Place | None = None,
    unit: str = "",
    expiring: bool = False,
    today: date | None = None,
) -> QuerySet[Contract]:
    """The contracts of the user's communities (VIEW_PARTY), newest first; ``stage`` is one of ``ContractStage``,
    ``unit`` matches the unit's name or credit code."""
    day = _today(today)
    contracts = with_figures(Contract.objects.restrict(user, Perm.VIEW_PARTY).select_related(*RELATED), today=day)
    if state:
        contracts = contracts.filter(state=state)
    if stage:
        contracts = contracts.filter(state__in=[key for key, value in STAGE_OF.items() if value == stage])
    if community is not None:
        contracts = contracts.filter(community=community)
    if unit:
        contracts = contracts.filter(Q(unit__name__icontains=unit) | Q(unit__credit_code=unit))
    if expiring:
        contracts = contracts.filter(expiring_q(day))
    return contracts.order_by("-created_at", "-id")


def contracts_of_unit(*, user: Any, unit: ResidentUnit) -> QuerySet[Contract]:
    """The contracts of ``unit`` that the user sees (VIEW_PARTY over the contract's community)."""
    return Contract.objects.restrict(user, Perm.VIEW_PARTY).filter(unit=unit)


def contract_get(*, user: Any, pk: int) -> Contract:
    contract = (
        with_figures(Contract.objects.restrict(user, Perm.VIEW_PARTY))
        .select_related(*RELATED, "renewed_from", "community_signed_by", "unit_signed_by")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def contract_community_choices(*, user: Any, perm: str = Perm.VIEW_PARTY) -> QuerySet[Place]:
    """The communities under the units where the user holds ``perm``, street by street."""
    return (
        Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")
    )


def contract_unit_choices(*, user: Any) -> QuerySet[ResidentUnit]:
    """The resident units that may sign with a community the user manages: those sitting in such a community or
    in its street."""
    communities = contract_community_choices(user=user, perm=Perm.MANAGE_PARTY)
    streets = communities.exclude(parent__isnull=True).values("parent_id")
    return (
        ResidentUnit.objects.filter(Q(place__in=communities.values("pk")) | Q(place__in=streets))
        .select_related("place")
        .order_by("name")
    )


def match_get(*, user: Any, pk: int) -> Match:
    """A match (need × resource) of a community the user manages (MANAGE_PARTY)."""
    match = (
        Match.objects.restrict(user, Perm.MANAGE_PARTY)
        .select_related("need", "need__community", "resource", "resource__unit")
        .filter(pk=pk)
        .first()
    )
    if match is None:
        raise Http404
    return match


def match_contract_choices(*, user: Any, match: Match) -> QuerySet[Contract]:
    """The contracts under negotiation between the match's community and the resource's unit."""
    return (
        Contract.objects.restrict(user, Perm.MANAGE_PARTY)
        .filter(
            state=ContractState.NEGOTIATING,
            community_id=match.need.community_id,
            unit_id=match.resource.unit_id,
        )
        .order_by("-created_at")
    )


# --- resident units ---------------------------------------------------------------------------------------------------


def unit_contract_list(*, user: Any, today: date | None = None) -> QuerySet[Contract]:
    """The contracts of the units the user speaks for (``UnitContact``), those to act on first."""
    if not getattr(user, "is_authenticated", False):
        return Contract.objects.none()
    ids = Contract.objects.filter(unit__contacts__user_id=user.pk).values("pk")
    return (
        with_figures(Contract.objects.filter(pk__in=ids), today=today)
        .select_related(*RELATED)
        .order_by("-created_at", "-id")
    )


def unit_contract_get(*, user: Any, pk: int) -> Contract:
    contract = unit_contract_list(user=user).filter(pk=pk).select_related("renewed_from").first()
    if contract is None:
        raise Http404
    return contract


# --- the public board -------------------------------------------------------------------------------------------------


def public_community_get(*, code: str) -> Place:
    community = Place.objects.filter(code=code, level=PlaceLevel.COMMUNITY).select_related("parent").first()
    if community is None:
        raise Http404
    return community


def public_contract_list(*, community: Place) -> QuerySet[Contract]:
    """The contracts the community has published (亮约), those in force first."""
    return (
        with_figures(Contract.objects.filter(community=community, state__in=PUBLIC_STATES))
        .select_related(*RELATED)
        .order_by("state", "-published_at", "-id")
    )


def public_contract_get(*, number: str) -> Contract:
    contract = (
        with_figures(Contract.objects.filter(number=number, state__in=PUBLIC_STATES)).select_related(*RELATED).first()
    )
    if contract is None:
        raise Http404
    return contract


# A digit of a phone number as typed, or masked (138****5678, 0571-8765xxxx); what may stand between digits.
_D = r"[\d*xX×]"
_SEP = r"[-－‐–—\s.]?"
PHONE_RE = re.compile(
    r"(?<!\d)(?:"
    # a mobile number: 13812345678, 138-1234-5678, +86 138 1234 5678
    rf"(?:(?:\+|00)?86{_SEP})?1[3-9]\d(?:{_SEP}{_D}){{8}}"
    # a landline with its area code: 0571-87654321, (0571)87654321, 010 8765 4321, +86-571-87654321, with an
    # extension (-123, 转123)
    rf"|(?:(?:\+|00)86{_SEP}[(（]?0?\d{{2,3}}[)）]?|[(（]\s*0\d{{2,3}}\s*[)）]|0\d{{2,3}}){_SEP}"
    rf"[2-9]{_D}{{2,3}}{_SEP}{_D}{{4}}(?:\s*(?:-|转|ext\.?)\s*\d{{1,5}})?"
    # a nationwide service number: 400-123-4567, 800 810 8888, 4001234567
    rf"|[48]00(?:{_SEP}{_D}){{7}}"
    r")(?!\d)"
)
# A local number without its area code, named as a phone: 电话 87654321, 座机：8765-4321, Tel 6543210.
LABELLED_PHONE_RE = re.compile(
    rf"(?P<label>(?:电话|座机|热线|传真|手机|联系方式|tel|phone|fax)\s*[:：]?\s*)[2-9]{_D}{{2,3}}{_SEP}{_D}{{4}}(?!\d)",
    re.IGNORECASE,
)


def without_phones(text: str) -> str:
    """``text`` with anything that looks like a phone number taken out, for the public board: a clause's wording
    typed by staff may name a contact person's phone. Mobile numbers, landlines with their area code (also in
    brackets, also with an extension), 400/800 service numbers, and a bare local number where the text calls it a
    phone; masked ones too (138****5678)."""
    removed = _("[phone number removed]")
    text = PHONE_RE.sub(removed, text)
    return LABELLED_PHONE_RE.sub(lambda match: match.group("label") + removed, text)


# --- what the pages show ----------------------------------------------------------------------------------------------


@dataclass
class ClauseRow:
    """A clause with its performance as the pages show it: ``status`` is one of due, overdue, on_time, late."""

    clause: Clause
    status: str
    status_label: str
    records: list[Performance] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)

    @property
    def community_score(self) -> int | None:
        return self.scores.get(ContractParty.COMMUNITY)

    @property
    def unit_score(self) -> int | None:
        return self.scores.get(ContractParty.UNIT)


STATUS_LABELS = {
    "due": gettext_lazy("To be done"),
    "overdue": gettext_lazy("Overdue"),
    "on_time": gettext_lazy("Done on time"),
    "late": gettext_lazy("Done late"),
}


def clause_status(clause: Clause, *, today: date) -> str:
    if clause.performed_on is not None:
        return "on_time" if clause.performed_on <= clause.due_on else "late"
    return "overdue" if clause.due_on < today else "due"


def clause_rows(
    contract: Contract, *, today: date | None = None, with_records: bool = True, public: bool = False
) -> list[ClauseRow]:
    """The clauses of ``contract`` in order, each with its status, its performance records (with their evidence)
    unless ``with_records`` is false, and the parties' scores. Overdue applies only while the contract is performed
    or after; on the public board the wording is cleared of phone numbers."""
    day = _today(today)
    clauses = list(Clause.objects.filter(contract=contract).order_by("position", "id"))
    records: dict[int, list[Performance]] = {}
    if with_records:
        for record in (
            Performance.objects.filter(contract=contract).prefetch_related("evidence").order_by("performed_on", "id")
        ):
            records.setdefault(record.clause_id, []).append(record)
    scores: dict[int, dict[str, int]] = {}
    for clause_id, party, score in ClauseScore.objects.filter(evaluation__contract=contract).values_list(
        "clause_id", "evaluation__party", "score"
    ):
        scores.setdefault(clause_id, {})[party] = score
    performing = contract.state in PUBLIC_STATES
    rows = []
    for clause in clauses:
        status = clause_status(clause, today=day) if performing else "due"
        if public:
            clause.content = without_phones(clause.content)
            clause.measure = without_phones(clause.measure)
        rows.append(
            ClauseRow(
                clause=clause,
                status=status,
                status_label=str(STATUS_LABELS[status]),
                records=records.get(clause.pk, []),
                scores=scores.get(clause.pk, {}),
            )
        )
    return rows


@dataclass(frozen=True)
class ScoreSummary:
    """评约 results: each party's score of the whole (0–100) and the residents' ratings (1–5), kept apart."""

    community: int | None
    unit: int | None
    residents_average: float | None
    residents_count: int


def contract_scores(contract: Contract) -> ScoreSummary:
    by_party = dict(Evaluation.objects.filter(contract=contract).values_list("party", "score"))
    ratings = ResidentRating.objects.filter(contract=contract).aggregate(average=Avg("stars"), count=Count("id"))
    average = ratings["average"]
    return ScoreSummary(
        community=by_party.get(ContractParty.COMMUNITY),
        unit=by_party.get(ContractParty.UNIT),
        residents_average=round(float(average), 1) if average is not None else None,
        residents_count=int(ratings["count"] or 0),
    )


def evaluation_of(contract: Contract, side: str) -> Evaluation | None:
    return Evaluation.objects.filter(contract=contract, party=side).first()


def resident_rating_of(*, user: Any, contract: Contract) -> ResidentRating | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ResidentRating.objects.filter(contract=contract, user_id=user.pk).first()


def evidence_get(*, contract: Contract, pk: int) -> Evidence:
    """Evidence of ``contract``, which the caller has already found visible to the user."""
    evidence = Evidence.objects.filter(performance__contract=contract, pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence


@dataclass
class TimelineEntry:
    sequence: int
    action: str
    label: str
    state_label: str
    at: datetime
    who: str
    note: str
    detail: str


def _detail(event: ContractEvent) -> str:
    data = event.data or {}
    if "position" in data:
        text = _("Clause %(position)s") % {"position": data["position"]}
        if data.get("content"):
            text += f": {data['content']}"
        if data.get("performed_on"):
            text += " · " + _("done on %(date)s") % {"date": data["performed_on"]}
        return text
    if event.action == "edit":
        return f"{data.get('title', '')} · {data.get('term_start') or '…'} – {data.get('term_end') or '…'}"
    if event.action == "evaluate" and "score" in data:
        return _("Score %(score)s / 100") % {"score": data["score"]}
    if data.get("renewed_from"):
        return _("Renewal of %(number)s") % {"number": data["renewed_from"]}
    return ""


def contract_timeline(*, contract: Contract, audience: str, unmasked: bool = False) -> list[TimelineEntry]:
    """The contract's events in order, each with who made it as ``audience`` may see it: ``staff`` see staff names
    and the unit's contacts' names masked unless ``unmasked``; the ``unit`` sees its own contacts' names and the
    community's moves as the community's."""
    entries = []
    for event in ContractEvent.objects.filter(subject=contract).order_by("sequence"):
        entries.append(
            TimelineEntry(
                sequence=event.sequence,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                state_label=CONTRACT_FLOW.state_label(event.to_state),
                at=event.at,
                who=_who(event, contract=contract, audience=audience, unmasked=unmasked),
                note=event.note,
                detail=_detail(event),
            )
        )
    return entries


def _who(event: ContractEvent, *, contract: Contract, audience: str, unmasked: bool) -> str:
    party = (event.data or {}).get("party")
    if event.actor_id is None:
        return _("System")
    if party == ContractParty.UNIT:
        name = event.actor_name if audience == "unit" or unmasked else mask_name(event.actor_name)
        return f"{contract.unit.name} · {name}"
    if audience == "staff":
        return event.actor_name
    return _("%(community)s staff") % {"community": contract.community.name}


def signer_label(contract: Contract, side: str, *, audience: str, unmasked: bool = False) -> str:
    """Who signed for ``side``, as ``audience`` may see it."""
    user = contract.community_signed_by if side == ContractParty.COMMUNITY else contract.unit_signed_by
    if user is None:
        return ""
    name = user.full_name or user.get_username()
    if side == ContractParty.COMMUNITY:
        return name if audience == "staff" else _("%(community)s staff") % {"community": contract.community.name}
    return name if audience == "unit" or unmasked else mask_name(name)
