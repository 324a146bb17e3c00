"""What a closed deliberation's decision becomes, once: a matter of the closed loop (filed through the matters' own
``matter_file``, channel 议事会, its external reference the deliberation's number), a 民生实事 proposal in a programme
collecting or screening proposals, or a clause of a co-construction contract under negotiation (added through the
contracts' own ``clause_add``). The deliberation points at what it became, and that points back:
``matter.deliberation``, ``proposal.deliberation``, ``clause.deliberation``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState, flow_move
from gridwork.contracts.models import Clause, Contract, ContractParty
from gridwork.contracts.services import ClauseValues, clause_add
from gridwork.deliberation.flows import DELIBERATION_FLOW, DeliberationAction
from gridwork.deliberation.models import Deliberation, OutcomeKind, Programme, Proposal, ProposalSource
from gridwork.deliberation.services.base import AlreadyDecided, NotNow, manages, now_or, require_manager
from gridwork.deliberation.services.programmes import SCREENING_PHASES, _create_proposal, _proposal_errors
from gridwork.matters.models import Channel, Matter
from gridwork.matters.services import TEXT_MAX, TEXT_MIN, matter_file
from gridwork.matters.workflow import MatterKind
from gridwork.places.models import Place, PlaceLevel


def _decidable(actor: Any, deliberation: Deliberation, action: str) -> Deliberation:
    deliberation = Deliberation.objects.select_related("community").get(pk=deliberation.pk)
    require_manager(actor, deliberation.community)
    DELIBERATION_FLOW.target(deliberation.state, action)  # MoveRefused unless closed
    if deliberation.outcome:
        raise AlreadyDecided(
            _("The decision has already become %(what)s.") % {"what": deliberation.get_outcome_display().lower()}
        )
    return deliberation


def matter_text(deliberation: Deliberation) -> str:
    """The matter's words by default: the decision, with where it comes from."""
    decision = deliberation.meeting.decision if hasattr(deliberation, "meeting") else ""
    text = _("Decided by the residents' deliberation %(number)s “%(topic)s”: %(decision)s") % {
        "number": deliberation.number,
        "topic": deliberation.topic,
        "decision": decision,
    }
    return text[:TEXT_MAX]


def deliberation_to_matter(
    *,
    actor: Any,
    deliberation: Deliberation,
    building: Place | None,
    text: str,
    kind: str,
    expected_version: int,
    at: datetime | None = None,
) -> Matter:
    """File the decision as a matter of the closed loop at a building of the community (the matters' ``matter_file``,
    channel 议事会), in one transaction with the deliberation's move. The actor needs MANAGE_DELIBERATION and
    FILE_MATTERS over the community."""
    when = now_or(at)
    deliberation = _decidable(actor, deliberation, DeliberationAction.TO_MATTER)
    if not manages(actor, deliberation.community, Perm.FILE_MATTERS):
        raise PermissionDenied(_("You may not file matters in %(place)s.") % {"place": deliberation.community.name})
    errors: dict[str, str] = {}
    if (
        building is None
        or building.level != PlaceLevel.MICROGRID
        or not building.path.startswith(deliberation.community.path)
    ):
        errors["building"] = _("Choose the building of %(community)s the matter is about.") % {
            "community": deliberation.community.name
        }
    text = (text or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        errors["text"] = _("Describe the matter in %(min)d to %(max)d characters (now %(n)d).") % {
            "min": TEXT_MIN,
            "max": TEXT_MAX,
            "n": len(text),
        }
    if kind not in MatterKind.values:
        errors["kind"] = _("Choose the kind of matter.")
    if errors:
        raise ValidationError(errors)
    if expected_version != deliberation.version:
        raise StaleState
    try:
        with transaction.atomic():
            receipt = matter_file(
                actor=actor,
                channel=Channel.MEETING,
                text=text,
                title=deliberation.topic,
                building=building,
                kind=kind,
                external_ref=deliberation.number,
                now=when,
            )
            matter = Matter.objects.get(pk=receipt.matter_id)
            flow_move(
                deliberation,
                flow=DELIBERATION_FLOW,
                action=DeliberationAction.TO_MATTER,
                actor=actor,
                data={"matter": matter.number},
                changes={"outcome": OutcomeKind.MATTER, "matter": matter},
                expected_version=expected_version,
                at=when,
            )
    except IntegrityError as error:  # the deliberation's number is a matter's reference already: filed meanwhile
        raise StaleState from error
    return matter


def programme_choices_for(deliberation: Deliberation) -> Any:
    """The programmes a deliberation's decision may be proposed to: the community's or its street's, taking
    proposals or screening them."""
    community = deliberation.community
    places = [community.pk] + ([community.parent_id] if community.parent_id else [])
    return Programme.objects.filter(place_id__in=places, state__in=SCREENING_PHASES).select_related("place")


def deliberation_to_proposal(
    *,
    actor: Any,
    deliberation: Deliberation,
    programme: Programme | None,
    title: str,
    description: str,
    estimated_cost: Any,
    location: str,
    expected_version: int,
    at: datetime | None = None,
) -> Proposal:
    """Propose the decision as a 民生实事 project in the community's (or its street's) programme; it is screened like
    any other proposal."""
    when = now_or(at)
    deliberation = _decidable(actor, deliberation, DeliberationAction.TO_PROPOSAL)
    errors: dict[str, str] = {}
    if programme is None or not programme_choices_for(deliberation).filter(pk=programme.pk).exists():
        errors["programme"] = _("Choose a programme of the community or its street that is taking proposals.")
    title, description, cost, location = _proposal_errors(
        title=title, description=description, estimated_cost=estimated_cost, location=location, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    assert programme is not None
    assert cost is not None
    if programme.state not in SCREENING_PHASES:
        raise NotNow(_("This programme no longer takes proposals."))
    with transaction.atomic():
        proposal = _create_proposal(
            programme,
            actor=actor,
            title=title,
            description=description,
            cost=cost,
            location=location,
            source=ProposalSource.DELIBERATION,
            resident=None,
            deliberation=deliberation,
            when=when,
        )
        flow_move(
            deliberation,
            flow=DELIBERATION_FLOW,
            action=DeliberationAction.TO_PROPOSAL,
            actor=actor,
            data={"proposal": proposal.pk, "programme": programme.pk},
            changes={"outcome": OutcomeKind.PROPOSAL},
            expected_version=expected_version,
            at=when,
        )
    return proposal


def contract_choices_for(deliberation: Deliberation) -> Any:
    """Contracts of the deliberation's community under negotiation: a clause can be added to these."""
    from gridwork.contracts.models import ContractState

    return Contract.objects.filter(community=deliberation.community, state=ContractState.NEGOTIATING).select_related(
        "unit"
    )


def deliberation_to_clause(
    *,
    actor: Any,
    deliberation: Deliberation,
    contract: Contract | None,
    values: ClauseValues,
    contract_version: int | None,
    expected_version: int,
    at: datetime | None = None,
) -> Clause:
    """Draft the decision as a clause of a co-construction contract of the community under negotiation (the
    contracts' ``clause_add``, for the community side: the actor needs MANAGE_PARTY there too)."""
    when = now_or(at)
    deliberation = _decidable(actor, deliberation, DeliberationAction.TO_CLAUSE)
    if contract is None or not contract_choices_for(deliberation).filter(pk=contract.pk).exists():
        raise ValidationError(
            {
                "contract": _("Choose a contract of %(community)s under negotiation.")
                % {"community": deliberation.community.name}
            }
        )
    if expected_version != deliberation.version:
        raise StaleState
    with transaction.atomic():
        clause = clause_add(
            actor=actor,
            contract=contract,
            side=ContractParty.COMMUNITY,
            values=values,
            expected_version=contract_version if contract_version is not None else contract.version,
            now=when,
        )
        flow_move(
            deliberation,
            flow=DELIBERATION_FLOW,
            action=DeliberationAction.TO_CLAUSE,
            actor=actor,
            data={"contract": contract.number, "clause": clause.pk},
            changes={"outcome": OutcomeKind.CLAUSE, "clause": clause},
            expected_version=expected_version,
            at=when,
        )
    return clause
