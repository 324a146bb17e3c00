"""评约: the evaluation starts (the term has ended, or early with a reason), each party scores the clauses and the
whole once, the contract closes; residents of the community rate it apart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.flows import flow_move
from gridwork.contracts.flows import CONTRACT_FLOW, ContractAction
from gridwork.contracts.models import (
    SCORE_MAX,
    SCORE_MIN,
    STARS_MAX,
    STARS_MIN,
    ClauseScore,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
    Evaluation,
    ResidentRating,
)
from gridwork.contracts.services.base import (
    MAX_COMMENT,
    MAX_RATING_COMMENT,
    MAX_REASON,
    _can,
    _fresh,
    _notify,
    _now,
    _refuse,
    _require_side,
    _retrying,
    _signed_in,
    _text,
    resident_of,
)

# --- 评约: evaluate ---------------------------------------------------------------------------------------------------


def contract_start_evaluation(
    *, actor: Any, contract: Contract, reason: str, expected_version: int, now: datetime | None = None
) -> Contract:
    """评约 begins: once the term has ended, or earlier with a reason (the contract ends before its term)."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    _can(contract, ContractAction.START_EVALUATION)
    when = _now(now)
    early = contract.term_end is not None and timezone.localdate(when) <= contract.term_end
    errors: dict[str, str] = {}
    reason = _text(
        reason,
        field="reason",
        required=_("The term has not ended yet: give the reason for ending the contract early.") if early else None,
        limit=MAX_REASON,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.START_EVALUATION,
        actor=actor,
        note=reason,
        data={"party": ContractParty.COMMUNITY, "early": early},
        changes={"evaluation_started_at": when, "ended_early": early},
        expected_version=expected_version,
        at=when,
    )
    _notify(
        contract,
        text=_("Contract %(number)s is to be evaluated: score each clause and the whole.")
        % {"number": contract.number},
        community=True,
        unit=True,
        actor=actor,
    )
    return contract


def contract_evaluate(
    *,
    actor: Any,
    contract: Contract,
    side: str,
    score: int | None,
    clause_scores: Mapping[int, int | None],
    comment: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """评约 of one party: the whole and every clause scored 0–100, once. When both parties have evaluated, the
    contract is closed."""
    _signed_in(actor)
    when = _now(now)
    contract = _fresh(contract)
    _require_side(actor, contract, side)
    _can(contract, ContractAction.EVALUATE)
    errors: dict[str, str] = {}
    comment = _text(comment, field="comment", required=None, limit=MAX_COMMENT, errors=errors)
    if score is None or not SCORE_MIN <= score <= SCORE_MAX:
        errors["score"] = _("Score the whole contract from %(min)d to %(max)d.") % {"min": SCORE_MIN, "max": SCORE_MAX}
    clauses = list(contract.clauses.order_by("position"))
    for clause in clauses:
        value = clause_scores.get(clause.pk)
        if value is None or not SCORE_MIN <= value <= SCORE_MAX:
            errors[f"clause_{clause.pk}"] = _("Score clause %(position)d from %(min)d to %(max)d.") % {
                "position": clause.position,
                "min": SCORE_MIN,
                "max": SCORE_MAX,
            }
    unknown = set(clause_scores) - {clause.pk for clause in clauses}
    if unknown:
        errors[NON_FIELD_ERRORS] = _("Only the clauses of this contract can be scored.")
    if errors:
        raise ValidationError(errors)
    assert score is not None

    def attempt() -> Evaluation:
        with transaction.atomic():
            fresh = _fresh(contract)
            event = flow_move(
                fresh,
                flow=CONTRACT_FLOW,
                action=ContractAction.EVALUATE,
                actor=actor,
                note=comment,
                data={"party": side, "score": score},
                at=when,
            )
            assert isinstance(event, ContractEvent)
            # After the compare-and-set: a second evaluation of the same party, however close, is seen here.
            if Evaluation.objects.filter(contract=fresh, party=side).exists():
                raise _refuse(_("Your party has already evaluated this contract."))
            evaluation = Evaluation.objects.create(
                contract=fresh,
                party=side,
                score=score,
                comment=comment,
                event=event,
                evaluated_by=actor,
                evaluated_at=when,
            )
            ClauseScore.objects.bulk_create(
                ClauseScore(evaluation=evaluation, clause=clause, score=int(clause_scores[clause.pk] or 0))
                for clause in clauses
            )
            if Evaluation.objects.filter(contract=fresh).count() == len(ContractParty.values):
                flow_move(
                    fresh,
                    flow=CONTRACT_FLOW,
                    action=ContractAction.CLOSE,
                    actor=actor,
                    data={"party": side, "both_evaluated": True},
                    changes={"closed_at": when},
                    at=when,
                )
            return evaluation

    evaluation = _retrying(attempt)
    closed = _fresh(contract)
    if closed.state == ContractState.CLOSED:
        _notify(
            closed,
            text=_("Contract %(number)s is evaluated by both parties and closed.") % {"number": closed.number},
            community=True,
            unit=True,
            actor=actor,
        )
    return evaluation


def contract_close(
    *, actor: Any, contract: Contract, reason: str, expected_version: int, now: datetime | None = None
) -> Contract:
    """The community closes an evaluation the unit has not given, with a reason, once its own is in."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    _can(contract, ContractAction.CLOSE)
    if not Evaluation.objects.filter(contract=contract, party=ContractParty.COMMUNITY).exists():
        raise _refuse(_("Evaluate the contract for the community before closing it."))
    errors: dict[str, str] = {}
    reason = _text(
        reason,
        field="reason",
        required=_("Say why it is closed without the unit's evaluation."),
        limit=MAX_REASON,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    when = _now(now)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.CLOSE,
        actor=actor,
        note=reason,
        data={"party": ContractParty.COMMUNITY, "both_evaluated": False},
        changes={"closed_at": when},
        expected_version=expected_version,
        at=when,
    )
    return contract


def contract_rate(
    *, actor: Any, contract: Contract, stars: int | None, comment: str = "", now: datetime | None = None
) -> ResidentRating:
    """A resident of the community rates a contract being evaluated or closed, 1–5 stars, once."""
    _signed_in(actor)
    contract = _fresh(contract)
    if contract.state not in (ContractState.EVALUATING, ContractState.CLOSED):
        raise _refuse(_("Residents rate a contract once its evaluation has started."))
    if not resident_of(user=actor, community=contract.community):
        raise PermissionDenied(
            _("Only residents of %(community)s may rate its contracts.") % {"community": contract.community.name}
        )
    errors: dict[str, str] = {}
    comment = _text(comment, field="comment", required=None, limit=MAX_RATING_COMMENT, errors=errors)
    if stars is None or not STARS_MIN <= stars <= STARS_MAX:
        errors["stars"] = _("Give from %(min)d to %(max)d stars.") % {"min": STARS_MIN, "max": STARS_MAX}
    if errors:
        raise ValidationError(errors)
    assert stars is not None
    try:
        with transaction.atomic():
            return ResidentRating.objects.create(
                contract=contract, user=actor, stars=stars, comment=comment, rated_at=_now(now)
            )
    except IntegrityError as error:
        raise _refuse(_("You have already rated this contract.")) from error
