"""谈约 and 签约: drafting a contract and its clauses from the four menus, comments, both signatures, withdrawing a
signature, abandoning; and 续约 (renewal) and a clause drafted from a match of the three lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.cobuild.models import Match
from gridwork.common.calendar import calendar_length, calendar_shift, term_after
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.contracts.flows import CONTRACT_FLOW, RENEWABLE_STATES, ContractAction
from gridwork.contracts.models import (
    Clause,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
)
from gridwork.contracts.services.base import (
    MAX_COMMENT,
    MAX_REASON,
    MAX_TERM_YEARS,
    RETRIES,
    ClauseValues,
    _can,
    _clause_of,
    _community_organisation,
    _fresh,
    _holds,
    _next_number,
    _notify,
    _now,
    _refuse,
    _require_side,
    _retrying,
    _signed_in,
    _text,
    clause_errors,
    terms_errors,
    unit_may_contract_with,
)
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

# --- 谈约: negotiate --------------------------------------------------------------------------------------------------


def contract_start(
    *,
    actor: Any,
    community: Place | None,
    unit: ResidentUnit | None,
    title: str,
    term_start: date | None = None,
    term_end: date | None = None,
    now: datetime | None = None,
) -> Contract:
    """谈约: staff holding MANAGE_PARTY over a community start a contract with a resident unit sitting in the community
    or its street. The draft has no clause yet; the unit's contacts see it and may propose clauses."""
    _signed_in(actor)
    errors = terms_errors(title=title, term_start=term_start, term_end=term_end)
    if community is None or community.level != PlaceLevel.COMMUNITY:
        errors["community"] = _("Choose a community.")
    elif not _holds(actor, Perm.MANAGE_PARTY, community):
        raise PermissionDenied(_("You may start contracts only for the communities you manage."))
    if unit is None:
        errors["unit"] = _("Choose the resident unit.")
    elif (
        community is not None
        and community.level == PlaceLevel.COMMUNITY
        and not unit_may_contract_with(unit, community)
    ):
        errors["unit"] = _("%(unit)s sits neither in %(community)s nor in its street.") % {
            "unit": unit.name,
            "community": community.name,
        }
    if errors:
        raise ValidationError(errors)
    assert community is not None
    assert unit is not None
    contract = _start(
        actor=actor,
        community=community,
        unit=unit,
        title=title.strip(),
        term_start=term_start,
        term_end=term_end,
        renewed_from=None,
        data={"party": ContractParty.COMMUNITY},
        at=_now(now),
    )
    _notify(
        contract,
        text=_("%(community)s invites you to negotiate a co-construction contract: %(title)s")
        % {"community": community.name, "title": contract.title},
        community=False,
        unit=True,
    )
    return contract


def _start(
    *,
    actor: Any,
    community: Place,
    unit: ResidentUnit,
    title: str,
    term_start: date | None,
    term_end: date | None,
    renewed_from: Contract | None,
    data: dict[str, Any],
    at: datetime,
    clauses: Sequence[Clause] = (),
    due_on: Callable[[date], date] = lambda day: day,
) -> Contract:
    """Save a new contract (with its number) and, for a renewal, the copies of ``clauses``, each due on ``due_on`` of
    its due date. A second live renewal of ``renewed_from`` (the database's constraint) is refused."""
    year = timezone.localtime(at).year
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                contract = Contract(
                    number=_next_number(year),
                    title=title,
                    community=community,
                    party_organisation=_community_organisation(community),
                    unit=unit,
                    term_start=term_start,
                    term_end=term_end,
                    renewed_from=renewed_from,
                    created_by=actor,
                )
                flow_start(contract, flow=CONTRACT_FLOW, actor=actor, data=data, at=at)
                Clause.objects.bulk_create(
                    Clause(
                        contract=contract,
                        position=position,
                        menu=clause.menu,
                        party=clause.party,
                        content=clause.content,
                        due_on=due_on(clause.due_on),
                        measure=clause.measure,
                        field=clause.field,
                        proposed_by=clause.proposed_by,
                        match_id=clause.match_id,
                    )
                    for position, clause in enumerate(clauses, start=1)
                )
                return contract
        except IntegrityError:
            if renewed_from is not None:
                _refuse_second_renewal(renewed_from)
            # Another contract took the number first: take the next one.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def contract_edit(
    *,
    actor: Any,
    contract: Contract,
    title: str,
    term_start: date | None,
    term_end: date | None,
    expected_version: int,
    now: datetime | None = None,
) -> Contract:
    """The community changes the title or the term of a contract under negotiation."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    _can(contract, ContractAction.EDIT)
    errors = terms_errors(title=title, term_start=term_start, term_end=term_end)
    if not errors and term_start is not None and term_end is not None:
        outside = contract.clauses.exclude(due_on__range=(term_start, term_end)).order_by("position").first()
        if outside is not None:
            errors["term_end" if outside.due_on > term_end else "term_start"] = _(
                "Clause %(position)d is due on %(due)s, outside this term; change the clause first."
            ) % {"position": outside.position, "due": outside.due_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.EDIT,
        actor=actor,
        data={
            "party": ContractParty.COMMUNITY,
            "title": title.strip(),
            "term_start": term_start.isoformat() if term_start else "",
            "term_end": term_end.isoformat() if term_end else "",
        },
        changes={"title": title.strip(), "term_start": term_start, "term_end": term_end},
        expected_version=expected_version,
        at=_now(now),
    )
    return contract


def clause_add(
    *,
    actor: Any,
    contract: Contract,
    side: str,
    values: ClauseValues,
    expected_version: int,
    match: Match | None = None,
    now: datetime | None = None,
) -> Clause:
    """Draft a clause (the community) or propose one (the unit) while negotiating; it goes last."""
    contract = _fresh(contract)
    _require_side(actor, contract, side)
    _can(contract, ContractAction.ADD_CLAUSE)
    values = values.cleaned()
    errors = clause_errors(values, contract=contract)
    if errors:
        raise ValidationError(errors)
    assert values.due_on is not None
    with transaction.atomic():
        last = contract.clauses.aggregate(last=Max("position"))["last"] or 0
        clause = Clause.objects.create(
            contract=contract,
            position=last + 1,
            menu=values.menu,
            party=values.done_by,
            content=values.content,
            due_on=values.due_on,
            measure=values.measure,
            field=values.field,
            proposed_by=side,
            match=match,
        )
        # The compare-and-set after the insert: if someone else changed the draft meanwhile, the clause goes too.
        flow_move(
            contract,
            flow=CONTRACT_FLOW,
            action=ContractAction.ADD_CLAUSE,
            actor=actor,
            data={"party": side, "clause_id": clause.pk, "position": clause.position, **values.summary()},
            expected_version=expected_version,
            at=_now(now),
        )
    if side == ContractParty.UNIT:
        _notify(
            contract,
            text=_("%(unit)s proposed a clause for contract %(number)s.")
            % {"unit": contract.unit.name, "number": contract.number},
            community=True,
            unit=False,
        )
    return clause


def clause_edit(
    *,
    actor: Any,
    contract: Contract,
    clause: Clause | int,
    values: ClauseValues,
    expected_version: int,
    now: datetime | None = None,
) -> Clause:
    """The community changes a clause of the draft (its own, or one the unit proposed)."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    _can(contract, ContractAction.EDIT_CLAUSE)
    found = _clause_of(contract, clause)
    values = values.cleaned()
    errors = clause_errors(values, contract=contract)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flow_move(
            contract,
            flow=CONTRACT_FLOW,
            action=ContractAction.EDIT_CLAUSE,
            actor=actor,
            data={
                "party": ContractParty.COMMUNITY,
                "clause_id": found.pk,
                "position": found.position,
                **values.summary(),
            },
            expected_version=expected_version,
            at=_now(now),
        )
        assert values.due_on is not None
        found.menu, found.party, found.content = values.menu, values.done_by, values.content
        found.due_on, found.measure, found.field = values.due_on, values.measure, values.field
        found.save(update_fields=["menu", "party", "content", "due_on", "measure", "field"])
    return found


def clause_remove(
    *,
    actor: Any,
    contract: Contract,
    clause: Clause | int,
    side: str,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    """Take a clause out of the draft: the community any clause, the unit only those it proposed."""
    contract = _fresh(contract)
    _require_side(actor, contract, side)
    _can(contract, ContractAction.REMOVE_CLAUSE)
    found = _clause_of(contract, clause)
    if side == ContractParty.UNIT and found.proposed_by != ContractParty.UNIT:
        raise PermissionDenied(_("The unit may withdraw only the clauses it proposed; comment to ask for a change."))
    with transaction.atomic():
        flow_move(
            contract,
            flow=CONTRACT_FLOW,
            action=ContractAction.REMOVE_CLAUSE,
            actor=actor,
            data={"party": side, "clause_id": found.pk, "position": found.position, "content": found.content[:100]},
            expected_version=expected_version,
            at=_now(now),
        )
        found.delete()


def contract_comment(
    *, actor: Any, contract: Contract, side: str, note: str, now: datetime | None = None
) -> ContractEvent:
    """A party's comment on the draft while negotiating (it adds to the history; nothing else changes)."""
    errors: dict[str, str] = {}
    note = _text(note, field="note", required=_("Write the comment."), limit=MAX_COMMENT, errors=errors)
    if errors:
        raise ValidationError(errors)

    def attempt() -> ContractEvent:
        fresh = _fresh(contract)
        _require_side(actor, fresh, side)
        event = flow_move(
            fresh,
            flow=CONTRACT_FLOW,
            action=ContractAction.COMMENT,
            actor=actor,
            note=note,
            data={"party": side},
            at=_now(now),
        )
        assert isinstance(event, ContractEvent)
        return event

    event = _retrying(attempt)
    fresh = _fresh(contract)
    _notify(
        fresh,
        text=_("New comment on contract %(number)s.") % {"number": fresh.number},
        community=side == ContractParty.UNIT,
        unit=side == ContractParty.COMMUNITY,
        actor=actor,
    )
    return event


# --- 签约: sign -------------------------------------------------------------------------------------------------------


def _signature_fields(side: str) -> tuple[str, str]:
    return (
        ("community_signed_by", "community_signed_at")
        if side == ContractParty.COMMUNITY
        else (
            "unit_signed_by",
            "unit_signed_at",
        )
    )


def sign_errors(contract: Contract, *, today: date) -> list[str]:
    """Why the draft cannot be signed yet (empty if it can)."""
    problems: list[str] = []
    if contract.term_start is None or contract.term_end is None:
        problems.append(_("Set the term (first and last day) before signing."))
    elif contract.term_end < today:
        problems.append(_("The term has already ended; change it before signing."))
    clauses = list(contract.clauses.order_by("position"))
    if not clauses:
        problems.append(_("A contract needs at least one clause before it is signed."))
    if contract.term_start is not None and contract.term_end is not None:
        for clause in clauses:
            if not contract.term_start <= clause.due_on <= contract.term_end:
                problems.append(
                    _("Clause %(position)d is due on %(due)s, outside the term.")
                    % {"position": clause.position, "due": clause.due_on.isoformat()}
                )
    return problems


class _DraftChanged(Exception):
    """The draft changed since the signer's page (more than the other party's signature): nothing is signed."""


def _only_signatures_since(contract: Contract, expected_version: int, side: str) -> bool:
    """Whether everything that happened since ``expected_version`` is the other party's signature."""
    if expected_version > contract.version:
        return False
    since = ContractEvent.objects.filter(subject=contract, sequence__gt=expected_version).values_list("action", "data")
    return all(action == ContractAction.SIGN and data.get("party") != side for action, data in since)


def contract_sign(
    *, actor: Any, contract: Contract, side: str, expected_version: int, now: datetime | None = None
) -> Contract:
    """签约: the actor signs for their party the draft their page showed (``expected_version``). The first signature
    fixes the draft (no more changes unless it is withdrawn); the second makes the contract signed. Either party
    may sign first; two signatures at once are both kept."""
    _signed_in(actor)
    when = _now(now)
    by_field, at_field = _signature_fields(side)

    def attempt() -> Contract:
        fresh = _fresh(contract)
        _require_side(actor, fresh, side)
        if getattr(fresh, at_field) is not None and fresh.state == ContractState.SIGNING:
            raise _refuse(_("Your party has already signed; the other party is still to sign."))
        if not _only_signatures_since(fresh, expected_version, side):
            raise _DraftChanged
        problems = sign_errors(fresh, today=timezone.localdate(when))
        if problems:
            raise ValidationError({NON_FIELD_ERRORS: problems})
        changes: dict[str, Any] = {by_field: actor, at_field: when}
        if fresh.state == ContractState.SIGNING:
            action = ContractAction.COUNTERSIGN
            changes["signed_at"] = when
        else:
            action = ContractAction.SIGN
        flow_move(
            fresh,
            flow=CONTRACT_FLOW,
            action=action,
            actor=actor,
            data={"party": side},
            changes=changes,
            expected_version=fresh.version,
            at=when,
        )
        return fresh

    try:
        signed = _retrying(attempt)
    except _DraftChanged as changed:
        raise StaleState from changed
    if signed.state == ContractState.SIGNED:
        _notify(
            signed,
            text=_("Contract %(number)s is signed by both parties.") % {"number": signed.number},
            community=True,
            unit=True,
            actor=actor,
        )
    else:
        _notify(
            signed,
            text=_("Contract %(number)s was signed by the other party; it awaits your signature.")
            % {"number": signed.number},
            community=side == ContractParty.UNIT,
            unit=side == ContractParty.COMMUNITY,
            actor=actor,
        )
    return signed


def contract_reopen(
    *, actor: Any, contract: Contract, side: str, reason: str, expected_version: int, now: datetime | None = None
) -> Contract:
    """Withdraw the signature given so far (either party) to negotiate again; the signatures are cleared."""
    contract = _fresh(contract)
    _require_side(actor, contract, side)
    _can(contract, ContractAction.REOPEN)
    errors: dict[str, str] = {}
    reason = _text(
        reason, field="reason", required=_("Say what is to be negotiated again."), limit=MAX_REASON, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.REOPEN,
        actor=actor,
        note=reason,
        data={"party": side},
        changes={
            "community_signed_by": None,
            "community_signed_at": None,
            "unit_signed_by": None,
            "unit_signed_at": None,
        },
        expected_version=expected_version,
        at=_now(now),
    )
    _notify(
        contract,
        text=_("The signature of contract %(number)s was withdrawn; it is under negotiation again.")
        % {"number": contract.number},
        community=True,
        unit=True,
        actor=actor,
    )
    return contract


def contract_cancel(
    *, actor: Any, contract: Contract, reason: str, expected_version: int, now: datetime | None = None
) -> Contract:
    """The community abandons a negotiation (before both have signed), with a reason."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    _can(contract, ContractAction.CANCEL)
    errors: dict[str, str] = {}
    reason = _text(
        reason, field="reason", required=_("Give the reason; the unit sees it."), limit=MAX_REASON, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.CANCEL,
        actor=actor,
        note=reason,
        data={"party": ContractParty.COMMUNITY},
        expected_version=expected_version,
        at=_now(now),
    )
    _notify(
        contract,
        text=_("The negotiation of contract %(number)s was abandoned.") % {"number": contract.number},
        community=False,
        unit=True,
    )
    return contract


# --- 续约: renew ------------------------------------------------------------------------------------------------------


def renewal_of(contract: Contract) -> Contract | None:
    """The renewal of ``contract`` that is not abandoned, if there is one."""
    return contract.renewals.exclude(state=ContractState.CANCELLED).order_by("-id").first()


def _refuse_second_renewal(contract: Contract) -> None:
    existing = renewal_of(contract)
    if existing is not None:
        raise _refuse(_("This contract is already renewed by %(number)s.") % {"number": existing.number})


def renewal_term(contract: Contract) -> tuple[date, date, Callable[[date], date]]:
    """The renewal's term — from the day after ``contract`` ends, as long again in calendar years and days, within
    ``MAX_TERM_YEARS`` — and where each clause's due date moves to: as much later, inside the new term."""
    assert contract.term_start is not None
    assert contract.term_end is not None
    length = calendar_length(contract.term_start, contract.term_end)
    start, end = term_after(contract.term_start, contract.term_end, max_years=MAX_TERM_YEARS)

    def due_on(day: date) -> date:
        return min(max(calendar_shift(day, length), start), end)

    return start, end, due_on


def contract_renew(*, actor: Any, contract: Contract, now: datetime | None = None) -> Contract:
    """续约: a new contract under negotiation between the same parties, for a term as long (in calendar years, then
    days) starting the day after this one ends, with copies of its clauses due as much later (performance and scores
    are not copied). Once: the contract is locked while its renewal is made, and the database keeps one live renewal
    of a contract (a renewal abandoned while negotiating does not count)."""
    _signed_in(actor)
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("community", "unit").get(pk=contract.pk)
        _require_side(actor, contract, ContractParty.COMMUNITY)
        if contract.state not in RENEWABLE_STATES:
            raise _refuse(_("Only a published or ended contract can be renewed."))
        _refuse_second_renewal(contract)
        start, end, due_on = renewal_term(contract)
        clauses = list(contract.clauses.order_by("position", "id"))
        renewed = _start(
            actor=actor,
            community=contract.community,
            unit=contract.unit,
            title=contract.title,
            term_start=start,
            term_end=end,
            renewed_from=contract,
            data={"party": ContractParty.COMMUNITY, "renewed_from": contract.number, "clauses": len(clauses)},
            at=_now(now),
            clauses=clauses,
            due_on=due_on,
        )
    _notify(
        renewed,
        text=_("%(community)s proposes to renew contract %(number)s: the new draft is %(new)s.")
        % {"community": contract.community.name, "number": contract.number, "new": renewed.number},
        community=False,
        unit=True,
    )
    return renewed


# --- from a match of the three lists ----------------------------------------------------------------------------------


def contract_clause_from_match(
    *,
    actor: Any,
    match: Match,
    contract: Contract | None,
    title: str,
    values: ClauseValues,
    expected_version: int | None,
    now: datetime | None = None,
) -> Clause:
    """A clause drafted from a match (need × resource): added to a contract under negotiation between the need's
    community and the resource's unit, or to a new one started for it."""
    community = match.need.community
    unit = match.resource.unit
    with transaction.atomic():
        if contract is None:
            contract = contract_start(actor=actor, community=community, unit=unit, title=title, now=now)
            expected_version = contract.version
        elif contract.community_id != community.pk or contract.unit_id != unit.pk:
            raise ValidationError(
                {
                    "contract": _("Choose a contract between %(community)s and %(unit)s.")
                    % {"community": community.name, "unit": unit.name}
                }
            )
        assert expected_version is not None
        return clause_add(
            actor=actor,
            contract=contract,
            side=ContractParty.COMMUNITY,
            values=values,
            expected_version=expected_version,
            match=match,
            now=now,
        )
