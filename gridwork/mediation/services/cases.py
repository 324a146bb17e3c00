"""Dispute cases: registering (from screening, from a matter, on application, by staff), assigning a mediator (with
the platform's suggestions), a party's request for another mediator (回避), sessions, the outcome, closing, and showing
a party's data in full (audited).

Every move goes through ``case_move`` and the table of ``gridwork.mediation.flows``: a compare-and-set on the case's
version, and an append-only event, in one transaction with the rows the move writes. The other services of the app
(agreements, referrals, follow-ups) move cases through ``case_move`` too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.common.numbering import next_number
from gridwork.common.scope import holds_over
from gridwork.mediation.flows import CASE_FLOW, CaseAction, case_target, single_move_flow
from gridwork.mediation.models import (
    Agreement,
    Assignment,
    AssignmentEnd,
    CaseParty,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    MediationSession,
    Mediator,
    Outcome,
    PartyRole,
    RiskLevel,
)
from gridwork.mediation.services.applicant_news import applicant_news
from gridwork.places.models import Place, PlaceLevel

MAX_TITLE = 80
MAX_TEXT = 4000
MAX_PARTIES = 12
RETRIES = 5
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
ID_NUMBER_RE = re.compile(r"^([0-9]{15}|[0-9]{17}[0-9Xx])$")

# A dispute between two sides: registering one needs an applicant and a respondent ("other" may be a one-sided
# complaint). A case turned from a matter starts with the reporter alone; the other side is added later.
TWO_SIDED_TYPES = frozenset(DisputeType.values) - {DisputeType.OTHER}
OPEN_STATES = frozenset({CaseState.ASSIGNED, CaseState.MEDIATING})
AGREED_OUTCOMES = frozenset({Outcome.AGREEMENT, Outcome.PARTIAL})
# Moves with a service of their own (they write rows besides the case): ``case_move`` refuses them.
OWN_SERVICE = frozenset(
    {
        CaseAction.ASSIGN,
        CaseAction.REASSIGN,
        CaseAction.RECUSE,
        CaseAction.HOLD_SESSION,
        CaseAction.WITHDRAW,
        CaseAction.EDIT,
    }
)


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    is_organisation: bool = False


@dataclass(frozen=True)
class Suggestion:
    """A mediator the platform proposes for a case, with why (``reasons``) and how busy they are."""

    mediator: Mediator
    score: int
    reasons: list[str] = field(default_factory=list)
    open_cases: int = 0

    @property
    def full(self) -> bool:
        return self.open_cases >= self.mediator.max_open_cases


# --- who may ------------------------------------------------------------------------------------------------------


holds = holds_over  # the name the selectors and template tags import; the rule is common.scope.holds_over


def _require(actor: Any, perm: str, place: Place) -> None:
    if not holds_over(actor, perm, place):
        raise PermissionDenied(_("This dispute case is outside the units you may manage."))


def _current(case: DisputeCase, expected_version: int) -> None:
    """A page showing another version than the case's is stale, whatever it asks for (before the table's check)."""
    if expected_version != case.version:
        raise StaleState


def _refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


# --- places -------------------------------------------------------------------------------------------------------


def _ancestor_or_self(place: Place, level: str) -> Place | None:
    current: Place | None = place
    while current is not None and current.level != level:
        current = current.parent
    return current


def case_places(place: Place) -> tuple[Place, Place]:
    """The case's place (its grid, or the community when no grid is known) and its community; a micro-grid or a
    household counts as its grid. ``ValidationError`` on ``place`` for a place above a community."""
    if place.level in (PlaceLevel.MICROGRID, PlaceLevel.HOUSEHOLD):
        grid = _ancestor_or_self(place, PlaceLevel.GRID)
        if grid is not None:
            place = grid
    if place.level not in (PlaceLevel.GRID, PlaceLevel.COMMUNITY):
        raise ValidationError({"place": _("Choose the grid or the community where the dispute arose.")})
    community = _ancestor_or_self(place, PlaceLevel.COMMUNITY)
    if community is None:
        raise ValidationError({"place": _("This grid belongs to no community.")})
    return place, community


# --- registering --------------------------------------------------------------------------------------------------


def _party_errors(parties: Sequence[PartyInput], *, dispute_type: str, source: str) -> list[str]:
    errors: list[str] = []
    if not parties:
        return [_("Name at least one party.")]
    if len(parties) > MAX_PARTIES:
        return [_("At most %(count)d parties.") % {"count": MAX_PARTIES}]
    for index, item in enumerate(parties, start=1):
        prefix = _("Party %(number)d: ") % {"number": index}
        if item.role not in PartyRole.values:
            errors.append(prefix + _("choose the party's role."))
        if not item.name.strip():
            errors.append(prefix + _("give the name."))
        elif len(item.name.strip()) > 60:
            errors.append(prefix + _("the name is longer than 60 characters."))
        if item.phone.strip() and not PHONE_RE.match(item.phone.strip()):
            errors.append(prefix + _("the phone number has characters that are not digits."))
        if item.id_number.strip() and not ID_NUMBER_RE.match(item.id_number.strip()):
            errors.append(prefix + _("an ID number has 18 characters (or 15 digits)."))
        if len(item.address) > 200:
            errors.append(prefix + _("the address is longer than 200 characters."))
    roles = {item.role for item in parties}
    if (
        not errors
        and dispute_type in TWO_SIDED_TYPES
        and source != CaseSource.MATTER
        and not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles
    ):
        errors.append(_("A dispute has two sides: name at least one applicant and one respondent."))
    return errors


def _case_errors(
    *, title: str, dispute_type: str, risk: str, facts: str, location: str, source: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the case a short title.")]
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = [_("At most %(count)d characters.") % {"count": MAX_TITLE}]
    if dispute_type not in DisputeType.values:
        errors["dispute_type"] = [_("Choose the type of dispute.")]
    if risk not in RiskLevel.values:
        errors["risk"] = [_("Choose the risk level.")]
    if not facts.strip():
        errors["facts"] = [_("Write what happened and what is disputed.")]
    elif len(facts) > MAX_TEXT:
        errors["facts"] = [_("At most %(count)d characters.") % {"count": MAX_TEXT}]
    if len(location) > 200:
        errors["location"] = [_("At most %(count)d characters.") % {"count": 200}]
    if source not in CaseSource.values:
        errors["source"] = [_("Choose where the case came from.")]
    return errors


def _party_row(case: DisputeCase, party: PartyInput, order: int) -> CaseParty:
    """The party as the case keeps it (unsaved): text trimmed, the ID number in capitals."""
    return CaseParty(
        case=case,
        role=party.role,
        name=party.name.strip(),
        phone=party.phone.strip(),
        id_number=party.id_number.strip().upper(),
        address=party.address.strip(),
        is_organisation=party.is_organisation,
        order=order,
    )


def case_next_number(year: int) -> str:
    """调-YYYY-NNNNNN: the year's highest number plus one, the year's numbers locked until the transaction ends
    (``next_number``). Should two registrations still clash, the unique number makes one fail, and it takes the next
    one (``case_register`` retries), so the numbers have no gaps."""
    return next_number(DisputeCase, prefix=f"调-{year}-", width=6)


def case_register(
    *,
    actor: Any,
    place: Any,
    title: str,
    dispute_type: str,
    risk: str,
    facts: str,
    location: str,
    source: str,
    parties: Sequence[PartyInput],
    matter: Any = None,
    risk_entry: Any = None,
    at: datetime | None = None,
) -> DisputeCase:
    """Register a dispute case in ``place`` (a grid or a community; a matter's grid when ``matter`` is given, the
    screening's grid when ``risk_entry`` is) with its parties. The actor needs MANAGE_DISPUTES over the place. A
    screening entry is marked registered; it can be registered once."""
    from gridwork.screening.models import EntryStatus, RiskEntry

    if matter is not None:
        place = matter.grid
    elif risk_entry is not None and place is None:
        place = risk_entry.screening.grid
    if place is None:
        raise ValidationError({"place": _("Choose the grid or the community where the dispute arose.")})
    case_place, community = case_places(place)
    _require(actor, Perm.MANAGE_DISPUTES, case_place)
    errors = _case_errors(
        title=title, dispute_type=dispute_type, risk=risk, facts=facts, location=location, source=source
    )
    party_errors = _party_errors(parties, dispute_type=dispute_type, source=source)
    if party_errors:
        errors["parties"] = party_errors
    if risk_entry is not None:
        entry_grid = risk_entry.screening.grid
        if not holds_over(actor, Perm.MANAGE_DISPUTES, entry_grid):
            raise PermissionDenied(_("This screening entry is outside the units you may manage."))
        if risk_entry.status == EntryStatus.REGISTERED or DisputeCase.objects.filter(risk_entry=risk_entry).exists():
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("This screening entry is already a dispute case."))
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    year = timezone.localtime(at).year
    data = {"source": source, "place": case_place.code}
    if matter is not None:
        data["matter"] = matter.number
    for remaining in range(RETRIES, 0, -1):
        try:
            with transaction.atomic():
                case = DisputeCase(
                    number=case_next_number(year),
                    title=title.strip(),
                    dispute_type=dispute_type,
                    risk=risk,
                    facts=facts.strip(),
                    place=case_place,
                    community=community,
                    location=location.strip(),
                    source=source,
                    matter=matter,
                    risk_entry=risk_entry,
                    registered_by=actor,
                    registered_at=at,
                )
                flow_start(case, flow=CASE_FLOW, actor=actor, data=data, at=at)
                CaseParty.objects.bulk_create(_party_row(case, item, order) for order, item in enumerate(parties))
                if risk_entry is not None:
                    updated = RiskEntry.objects.filter(pk=risk_entry.pk).exclude(status=EntryStatus.REGISTERED)
                    if not updated.update(status=EntryStatus.REGISTERED):
                        raise _refuse(_("This screening entry is already a dispute case."))
                    risk_entry.status = EntryStatus.REGISTERED
                return case
        except IntegrityError:
            if risk_entry is not None and DisputeCase.objects.filter(risk_entry=risk_entry).exists():
                raise _refuse(_("This screening entry is already a dispute case.")) from None
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


def case_from_matter(
    *, actor: Any, matter: Any, dispute_type: str, risk: str, title: str | None = None, facts: str | None = None
) -> DisputeCase:
    """Turn a matter of the closed loop into a dispute case in one step: the matter's text as the facts, its reporter
    as the applicant (the other side is added on the case). The actor must see the matter and manage disputes in its
    grid; a matter becomes one case only."""
    from gridwork.matters.disclosure import matter_reporter_contact
    from gridwork.matters.models import Matter

    if not Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(pk=matter.pk).exists():
        raise PermissionDenied(_("This matter is outside the units you may see."))
    existing = DisputeCase.objects.filter(matter=matter).first()
    if existing is not None:
        raise _refuse(_("This matter is already dispute case %(number)s.") % {"number": existing.number})
    name, phone = matter_reporter_contact(matter)
    if matter.is_anonymous or not name.strip():
        name, phone = _("Anonymous reporter"), ""
    applicant = PartyInput(PartyRole.APPLICANT, name[:60], phone=phone or "", address=matter.address or "")
    return case_register(
        actor=actor,
        place=matter.grid,
        title=(title or matter.title)[:MAX_TITLE],
        dispute_type=dispute_type,
        risk=risk,
        facts=facts if facts is not None else matter.text,
        location=matter.address or "",
        source=CaseSource.MATTER,
        parties=[applicant],
        matter=matter,
    )


def party_add(*, actor: Any, case: DisputeCase, party: PartyInput) -> CaseParty:
    """Add a party to a case not yet concluded (the other side of a case turned from a matter, say)."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    if case.state not in (CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING):
        raise _refuse(_("Parties can be added only until the mediation is concluded."))
    errors = _party_errors([party], dispute_type=DisputeType.OTHER, source=case.source)
    if errors:
        raise ValidationError({"parties": errors})
    with transaction.atomic():
        order = (case.parties.aggregate(last=Max("order"))["last"] or 0) + 1
        added = _party_row(case, party, order)
        added.save()
        audit_record(actor=actor, action="mediation.add_party", target=case, detail={"party": added.pk})
    return added


# --- moving -------------------------------------------------------------------------------------------------------


def _end_open_assignment(case: DisputeCase, *, end: str, at: datetime, reason: str = "", party: Any = None) -> None:
    Assignment.objects.filter(case=case, ended_at__isnull=True).update(
        ended_at=at, end=end, end_reason=reason, requested_by_party=party
    )


def _move(
    *,
    actor: Any,
    case: DisputeCase,
    action: str,
    expected_version: int,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> str:
    """The compare-and-set move (inside the caller's transaction); returns the state the case left."""
    state = case.state
    target = case_target(state, action, data)
    flow_move(
        case,
        flow=single_move_flow(state, action, target),
        action=action,
        actor=actor,
        note=note,
        data=data,
        changes=changes,
        expected_version=expected_version,
        at=at,
    )
    applicant_news(case, action=action, actor=actor)  # a resident who applied is told, after commit
    return state


def case_move(
    *,
    actor: Any,
    case: DisputeCase,
    action: str,
    expected_version: int,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> DisputeCase:
    """Move ``case`` by ``action`` as ``actor`` (MANAGE_DISPUTES over the case's place): ``conclude`` (``data``:
    ``outcome``), ``refer``, ``referral_result`` (``data``: ``result``; refused gives the case back to the community),
    ``close``, ``follow_up``. Assigning, recusal and sessions have services of their own. ``StaleState`` when
    ``expected_version`` is not the case's; ``MoveRefused`` when the table has no such move from the case's state."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    if action in OWN_SERVICE or action not in CASE_FLOW.moves:
        raise ValueError(f"case_move does not make the move {action!r}")
    data = dict(data or {})
    target = case_target(case.state, action, data)  # MoveRefused before anything else
    now = timezone.now()
    changes: dict[str, Any] = {}
    if action == CaseAction.CONCLUDE:
        return case_conclude(
            actor=actor, case=case, outcome=str(data.get("outcome", "")), note=note, expected_version=expected_version
        )
    if action == CaseAction.CLOSE:
        return case_close(actor=actor, case=case, expected_version=expected_version, note=note)
    if action == CaseAction.REFER:
        changes["referred"] = True
    if target == CaseState.CLOSED and case.state != CaseState.CLOSED:
        changes["closed_at"] = now
    if action == CaseAction.REFERRAL_RESULT and target == CaseState.REGISTERED:
        changes["mediator"] = None
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=action,
            expected_version=expected_version,
            note=note,
            data=data,
            changes=changes,
            at=now,
        )
        if action == CaseAction.REFERRAL_RESULT:
            _end_open_assignment(case, end=AssignmentEnd.FINISHED, at=now)
    return case


# --- mediators ----------------------------------------------------------------------------------------------------


def recused_mediator_ids(case: DisputeCase) -> set[int]:
    """Mediators a party asked to be replaced on this case (回避): never suggested or assigned to it again."""
    return set(Assignment.objects.filter(case=case, end=AssignmentEnd.RECUSED).values_list("mediator_id", flat=True))


def serving_mediators(case: DisputeCase) -> Any:
    """Mediators serving the case's community: listed for it, or with their place at or above it."""
    return (
        Mediator.objects.filter(
            Q(communities=case.community) | Q(place__path__in=case.community.ancestor_paths(include_self=True))
        )
        .select_related("place")
        .distinct()
    )


def mediator_open_cases(mediator_ids: Sequence[int]) -> dict[int, int]:
    """How many cases each mediator has now (assigned or mediating)."""
    counts: dict[int, int] = dict.fromkeys(mediator_ids, 0)
    rows = DisputeCase.objects.filter(mediator_id__in=mediator_ids, state__in=OPEN_STATES).values_list(
        "mediator_id", flat=True
    )
    for mediator_id in rows:
        counts[mediator_id] = counts.get(mediator_id, 0) + 1
    return counts


def mediator_suggestions(case: DisputeCase, *, limit: int | None = 5) -> list[Suggestion]:
    """Available mediators serving the case's community, best first: who handles this type of dispute (the type named
    30, any type 15), who serves the community itself (20) rather than the whole street (10) or more (5), and who has
    room (up to 10 for free places). Mediators with no room left come last, marked ``full``. The current mediator and
    any a party recused from this case are left out."""
    excluded = recused_mediator_ids(case)
    if case.mediator_id is not None:
        excluded.add(case.mediator_id)
    candidates = [m for m in serving_mediators(case).filter(available=True) if m.pk not in excluded]
    served_here = set(
        Mediator.communities.through.objects.filter(
            place_id=case.community_id, mediator_id__in=[m.pk for m in candidates]
        ).values_list("mediator_id", flat=True)
    )
    loads = mediator_open_cases([m.pk for m in candidates])
    suggestions: list[Suggestion] = []
    type_label = DisputeType(case.dispute_type).label if case.dispute_type in DisputeType.values else ""
    for mediator in candidates:
        reasons: list[str] = []
        score = 0
        types = list(mediator.dispute_types or [])
        if case.dispute_type in types:
            score += 30
            reasons.append(_("Handles %(type)s") % {"type": type_label})
        elif not types:
            score += 15
            reasons.append(_("Takes any type of dispute"))
        else:
            reasons.append(_("Does not usually handle this type"))
        if mediator.pk in served_here or mediator.place_id == case.community_id:
            score += 20
            reasons.append(_("Serves this community"))
        else:
            score += 10 if mediator.place.level == PlaceLevel.STREET else 5
            reasons.append(_("Serves %(place)s") % {"place": mediator.place.name})
        open_cases = loads.get(mediator.pk, 0)
        room = max(mediator.max_open_cases - open_cases, 0)
        if mediator.max_open_cases:
            score += round(10 * room / mediator.max_open_cases)
        if room:
            reasons.append(_("%(open)d of %(most)d cases open") % {"open": open_cases, "most": mediator.max_open_cases})
        else:
            reasons.append(_("Full: %(open)d cases open") % {"open": open_cases})
        suggestions.append(Suggestion(mediator=mediator, score=score, reasons=reasons, open_cases=open_cases))
    suggestions.sort(key=lambda s: (s.full, -s.score, s.open_cases, s.mediator.name, s.mediator.pk))
    return suggestions if limit is None else suggestions[:limit]


def _check_mediator(case: DisputeCase, mediator: Mediator) -> None:
    if not serving_mediators(case).filter(pk=mediator.pk).exists():
        raise ValidationError({"mediator": _("This mediator does not serve the case's community.")})
    if not mediator.available:
        raise ValidationError({"mediator": _("This mediator is not available now.")})
    if mediator.pk in recused_mediator_ids(case):
        raise ValidationError({"mediator": _("A party asked for another mediator than this one on this case.")})
    if mediator.pk == case.mediator_id:
        raise ValidationError({"mediator": _("This mediator already has the case.")})


def mediator_assign(
    *, actor: Any, case: DisputeCase, mediator: Mediator, expected_version: int, suggested: bool = False
) -> DisputeCase:
    """Give the case to ``mediator`` (registered → assigned), or replace its mediator (assigned or mediating: the old
    assignment ends ``replaced``). Two people assigning at once: one wins, the other gets ``StaleState``."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    action = CaseAction.ASSIGN if case.state == CaseState.REGISTERED else CaseAction.REASSIGN
    case_target(case.state, action)
    _check_mediator(case, mediator)
    now = timezone.now()
    data = {"mediator": mediator.pk, "mediator_name": mediator.name, "suggested": suggested}
    if action == CaseAction.REASSIGN and case.mediator_id is not None:
        data["replaced"] = case.mediator_id
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=action,
            expected_version=expected_version,
            data=data,
            changes={"mediator": mediator},
            at=now,
        )
        _end_open_assignment(case, end=AssignmentEnd.REPLACED, at=now)
        Assignment.objects.create(case=case, mediator=mediator, assigned_by=actor, assigned_at=now, suggested=suggested)
    return case


def mediator_recuse(
    *, actor: Any, case: DisputeCase, party: CaseParty, reason: str, expected_version: int
) -> DisputeCase:
    """A party asks for another mediator (回避): the assignment ends ``recused`` with the reason, the case goes back to
    registered, and that mediator is not suggested for it again."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    case_target(case.state, CaseAction.RECUSE)
    errors: dict[str, list[str]] = {}
    if party is None or party.case_id != case.pk:
        errors["party"] = [_("Choose the party who asks for another mediator.")]
    if not reason.strip():
        errors["reason"] = [_("Write why the party asks for another mediator.")]
    elif len(reason) > 1000:
        errors["reason"] = [_("At most %(count)d characters.") % {"count": 1000}]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=CaseAction.RECUSE,
            expected_version=expected_version,
            note=reason.strip(),
            data={"mediator": case.mediator_id, "party": party.pk},
            changes={"mediator": None},
            at=now,
        )
        _end_open_assignment(case, end=AssignmentEnd.RECUSED, at=now, reason=reason.strip(), party=party)
    return case


# --- sessions, outcome, closing -------------------------------------------------------------------------------------


def session_record(
    *,
    actor: Any,
    case: DisputeCase,
    held_at: datetime,
    location: str,
    participants: str,
    notes: str,
    expected_version: int,
) -> MediationSession:
    """Record a sitting of the mediation (assigned or mediating → mediating), with the case's mediator."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    case_target(case.state, CaseAction.HOLD_SESSION)
    errors: dict[str, list[str]] = {}
    if held_at is None:
        errors["held_at"] = [_("Give the date and time of the session.")]
    elif held_at > timezone.now() + timedelta(minutes=5):
        errors["held_at"] = [_("A session is recorded once it was held: the time is in the future.")]
    elif held_at < case.registered_at - timedelta(days=1):
        errors["held_at"] = [_("The session cannot be before the case was registered.")]
    for name, value, most in (
        ("location", location, 200),
        ("participants", participants, 1000),
        ("notes", notes, 4000),
    ):
        if not value.strip():
            errors[name] = [_("This field is required.")]
        elif len(value) > most:
            errors[name] = [_("At most %(count)d characters.") % {"count": most}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=CaseAction.HOLD_SESSION,
            expected_version=expected_version,
            data={"held_at": held_at.isoformat()},
        )
        return MediationSession.objects.create(
            case=case,
            held_at=held_at,
            location=location.strip(),
            mediator_id=case.mediator_id,
            participants=participants.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )


def case_conclude(
    *, actor: Any, case: DisputeCase, outcome: str, note: str, expected_version: int, at: datetime | None = None
) -> DisputeCase:
    """Record the mediation's outcome (mediating → concluded). An agreement or a partial agreement needs its
    ``Agreement`` (the documents' service calls this after writing it, in its transaction); a failed or withdrawn
    mediation needs a note of why."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    case_target(case.state, CaseAction.CONCLUDE)
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    elif outcome in AGREED_OUTCOMES and not Agreement.objects.filter(case=case).exists():
        errors["outcome"] = [_("An agreement is recorded with its terms: write the agreement first.")]
    elif outcome not in AGREED_OUTCOMES and not note.strip():
        errors["note"] = [_("Write why the mediation ended without an agreement.")]
    if len(note) > MAX_TEXT:
        errors["note"] = [_("At most %(count)d characters.") % {"count": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=CaseAction.CONCLUDE,
            expected_version=expected_version,
            note=note.strip(),
            data={"outcome": outcome},
            changes={"outcome": outcome, "outcome_note": note.strip(), "concluded_at": at},
            at=at,
        )
    return case


def case_close(*, actor: Any, case: DisputeCase, expected_version: int, note: str = "") -> DisputeCase:
    """Close a concluded case (its outcome is required: the table, this check and a database constraint); the open
    assignment ends ``finished``."""
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    case_target(case.state, CaseAction.CLOSE)
    if not case.outcome:
        raise ValidationError({"outcome": _("A case closes with its outcome: record the outcome first.")})
    now = timezone.now()
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=CaseAction.CLOSE,
            expected_version=expected_version,
            note=note,
            data={"outcome": case.outcome},
            changes={"closed_at": now},
            at=now,
        )
        _end_open_assignment(case, end=AssignmentEnd.FINISHED, at=now)
    return case


# --- correcting the details ---------------------------------------------------------------------------------------

EDITABLE = ("title", "dispute_type", "risk", "facts", "location")


def _clean(value: Any) -> str:
    """A text as compared and saved: a browser's textarea sends CRLF, so a field left as it was is not a change."""
    return str(value or "").replace("\r\n", "\n").strip()


def case_update(*, actor: Any, case: DisputeCase, expected_version: int, **fields: Any) -> DisputeCase:
    """Correct a case's title, type, risk level, facts or place described (``EDITABLE``) — a resident's application
    arrives as a low risk with a generic title, a screening's summary may be rough — until the case is closed. Needs
    MANAGE_DISPUTES over the case; a compare-and-set on its version; an ``edit`` event records each changed field
    before and after. ``ValidationError`` on the field at fault, or when nothing changes."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"case_update does not change {sorted(unknown)}")
    _require(actor, Perm.MANAGE_DISPUTES, case.place)
    _current(case, expected_version)
    case_target(case.state, CaseAction.EDIT)  # MoveRefused once closed
    values = {name: _clean(fields.get(name, getattr(case, name))) for name in EDITABLE}
    errors = _case_errors(**values, source=case.source)
    if errors:
        raise ValidationError(errors)
    changes = {name: value for name, value in values.items() if value != _clean(getattr(case, name))}
    if not changes:
        raise _refuse(_("Nothing was changed."))
    data = {"changed": {name: {"before": getattr(case, name), "after": value} for name, value in changes.items()}}
    note = _("Changed: %(fields)s.") % {
        "fields": ", ".join(str(getattr(DisputeCase._meta.get_field(name), "verbose_name", name)) for name in changes)
    }
    with transaction.atomic():
        _move(
            actor=actor,
            case=case,
            action=CaseAction.EDIT,
            expected_version=expected_version,
            note=note,
            data=data,
            changes=changes,
        )
    return case


# --- personal data ------------------------------------------------------------------------------------------------


def party_reveal(*, actor: Any, party: CaseParty, request: HttpRequest | None = None) -> CaseParty:
    """Show a party's name, phone, ID number and address in full: VIEW_DISPUTE_PARTIES over the case's place, each
    showing audited (``mediation.reveal_party``). The views find the party through the scoped selector (404 out of
    scope); here, without the permission: ``PermissionDenied``."""
    case = party.case
    if not holds_over(actor, Perm.VIEW_DISPUTE_PARTIES, case.place):
        raise PermissionDenied(_("You may not see the parties' personal data in full."))
    fields = [name for name in ("name", "phone", "id_number", "address") if getattr(party, name)]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="mediation.reveal_party",
            target=party,
            detail={"case": case.number, "fields": fields},
            request=request,
        )
    return party
