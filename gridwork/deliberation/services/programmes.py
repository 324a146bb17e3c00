"""民生实事: a community's or street's yearly programme of public-interest projects, chosen with residents (in the way
of Decidim's and CONSUL's participatory budgets): residents propose, the community screens (a rejection's reason is
public), verified residents vote — up to the programme's ``votes_per_resident``, one per proposal —, the community
chooses one or two items by the votes and records its decision, and the chosen items are tracked to completion with
public progress updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.flows import flow_move, flow_start
from gridwork.deliberation.flows import PROGRAMME_FLOW, PROPOSAL_FLOW, ProgrammeAction, ProposalAction
from gridwork.deliberation.models import (
    MAX_CHOSEN,
    MAX_VOTES_PER_RESIDENT,
    Deliberation,
    Programme,
    ProgrammePhase,
    ProgressPhoto,
    ProgressUpdate,
    Proposal,
    ProposalSource,
    ProposalState,
    ProposalVote,
)
from gridwork.deliberation.services.base import (
    AlreadyVoted,
    NotNow,
    managers_of,
    notify_after_commit,
    now_or,
    require_manager,
    require_participant,
    signed_in,
    text_errors,
)
from gridwork.matters.photos import CleanPhoto
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel

MAX_TITLE = 100
MAX_DESCRIPTION = 4000
MAX_LOCATION = 200
MAX_REASON = 1000
MAX_DECISION = 4000
MAX_NOTE = 2000
MAX_COST = Decimal("100000000")
MAX_PROPOSALS_PER_RESIDENT = 3
MAX_PHOTOS = 6
PROGRAMME_LEVELS = (PlaceLevel.COMMUNITY, PlaceLevel.STREET)
# Screening: while proposals are collected and in the screening phase (a late proposal may still be screened).
SCREENING_PHASES = (ProgrammePhase.PROPOSALS, ProgrammePhase.SCREENING)


def _money(value: Any, field: str, errors: dict[str, str], *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Give an amount in yuan (0 if it costs nothing).")
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Give an amount in yuan, e.g. 12000 or 12000.50.")
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = _("An amount cannot be negative.")
    elif amount > MAX_COST:
        errors[field] = _("At most %(max)s yuan.") % {"max": f"{MAX_COST:,.0f}"}
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("At most two decimals (fen).")
    return amount


# --- programmes -------------------------------------------------------------------------------------------------------


def programme_open(
    *,
    actor: Any,
    place: Place | None,
    year: int | None,
    title: str,
    description: str = "",
    budget: Any = None,
    votes_per_resident: int | None = 3,
    max_chosen: int | None = MAX_CHOSEN,
    at: datetime | None = None,
) -> Programme:
    """Open a year's programme in a community or a street, collecting proposals. One per place and year."""
    signed_in(actor)
    when = now_or(at)
    errors: dict[str, str] = {}
    if place is None or place.level not in PROGRAMME_LEVELS:
        errors["place"] = _("Choose the community or the street whose programme this is.")
    else:
        require_manager(actor, place)
    this_year = timezone.localtime(when).year
    if year is None or not this_year - 1 <= year <= this_year + 1:
        errors["year"] = _("Choose last year, this year or next year.")
    title = text_errors(errors, "title", title, required=_("Give the programme a title."), limit=MAX_TITLE)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("At most %(count)d characters.") % {"count": MAX_DESCRIPTION}
    amount = _money(budget, "budget", errors, required=False)
    if votes_per_resident is None or not 1 <= votes_per_resident <= MAX_VOTES_PER_RESIDENT:
        errors["votes_per_resident"] = _("From 1 to %(max)d votes.") % {"max": MAX_VOTES_PER_RESIDENT}
    if max_chosen is None or not 1 <= max_chosen <= MAX_CHOSEN:
        errors["max_chosen"] = _("One or two items are chosen.")
    if errors:
        raise ValidationError(errors)
    assert place is not None
    assert year is not None
    assert votes_per_resident is not None
    assert max_chosen is not None
    if Programme.objects.filter(place=place, year=year).exists():
        raise ValidationError(
            {"year": _("%(place)s has a programme for %(year)d already.") % {"place": place.name, "year": year}}
        )
    try:
        with transaction.atomic():
            programme = Programme(
                place=place,
                year=year,
                title=title,
                description=description,
                budget=amount,
                votes_per_resident=votes_per_resident,
                max_chosen=max_chosen,
                created_by=actor,
                created_at=when,
            )
            flow_start(
                programme,
                flow=PROGRAMME_FLOW,
                actor=actor,
                data={"year": year, "votes_per_resident": votes_per_resident, "max_chosen": max_chosen},
                at=when,
            )
            return programme
    except IntegrityError as error:
        raise ValidationError(
            {"year": _("%(place)s has a programme for %(year)d already.") % {"place": place.name, "year": year}}
        ) from error


def programme_move(
    *, actor: Any, programme: Programme, action: str, expected_version: int, at: datetime | None = None
) -> Programme:
    """Close proposals and screen (``start_screening``), open the vote (``start_voting``: every proposal screened and
    at least one accepted) or mark the programme done (``finish``: every chosen item done). Choosing has its own
    service (``programme_choose``)."""
    when = now_or(at)
    programme = Programme.objects.select_related("place").get(pk=programme.pk)
    require_manager(actor, programme.place)
    if action not in (ProgrammeAction.START_SCREENING, ProgrammeAction.START_VOTING, ProgrammeAction.FINISH):
        raise ValidationError({NON_FIELD_ERRORS: [_("Unknown move.")]})
    PROGRAMME_FLOW.target(programme.state, action)
    proposals = programme.proposals.all()
    changes: dict[str, Any] = {}
    if action == ProgrammeAction.START_VOTING:
        waiting = proposals.filter(state=ProposalState.SUBMITTED).count()
        if waiting:
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("Screen the %(count)d proposals still waiting first.") % {"count": waiting}]}
            )
        if not proposals.filter(state=ProposalState.ACCEPTED).exists():
            raise ValidationError({NON_FIELD_ERRORS: [_("No proposal is accepted: there is nothing to vote on.")]})
    if action == ProgrammeAction.FINISH:
        if proposals.filter(state=ProposalState.CHOSEN).exists():
            raise ValidationError({NON_FIELD_ERRORS: [_("A chosen item is not done yet: record its progress.")]})
        changes["done_at"] = when
    flow_move(
        programme,
        flow=PROGRAMME_FLOW,
        action=action,
        actor=actor,
        changes=changes,
        expected_version=expected_version,
        at=when,
    )
    return programme


# --- proposals --------------------------------------------------------------------------------------------------------


def _proposal_errors(
    *, title: str, description: str, estimated_cost: Any, location: str, errors: dict[str, str]
) -> tuple[str, str, Decimal | None, str]:
    title = text_errors(errors, "title", title, required=_("Give your proposal a title."), limit=MAX_TITLE, minimum=2)
    description = text_errors(
        errors,
        "description",
        description,
        required=_("Describe what should be done and why it matters to residents."),
        limit=MAX_DESCRIPTION,
        minimum=10,
    )
    cost = _money(estimated_cost, "estimated_cost", errors, required=True)
    location = text_errors(
        errors, "location", location, required=_("Say where: a building, a street, a square…"), limit=MAX_LOCATION
    )
    return title, description, cost, location


def _create_proposal(
    programme: Programme,
    *,
    actor: Any,
    title: str,
    description: str,
    cost: Decimal,
    location: str,
    source: str,
    resident: Resident | None,
    deliberation: Deliberation | None,
    when: datetime,
) -> Proposal:
    proposal = Proposal(
        programme=programme,
        title=title,
        description=description,
        estimated_cost=cost,
        location=location,
        source=source,
        proposer=actor if resident is not None else None,
        proposer_resident=resident,
        deliberation=deliberation,
        created_at=when,
    )
    return flow_start(
        proposal,
        flow=PROPOSAL_FLOW,
        actor=actor,
        data={"source": source, "estimated_cost": str(cost)},
        at=when,
    )


def proposal_submit(
    *,
    actor: Any,
    programme: Programme,
    title: str,
    description: str,
    estimated_cost: Any,
    location: str,
    at: datetime | None = None,
) -> Proposal:
    """A verified resident of the programme's place proposes a project while proposals are collected; at most
    ``MAX_PROPOSALS_PER_RESIDENT`` each. The community's staff are told after commit."""
    when = now_or(at)
    programme = Programme.objects.select_related("place").get(pk=programme.pk)
    resident = require_participant(actor, programme.place)
    if programme.state != ProgrammePhase.PROPOSALS:
        raise NotNow(_("Proposals are no longer collected for this programme."))
    errors: dict[str, str] = {}
    title, description, cost, location = _proposal_errors(
        title=title, description=description, estimated_cost=estimated_cost, location=location, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    assert cost is not None
    with transaction.atomic():
        # One resident's proposals one at a time: the limit holds when the form is sent twice.
        Resident.objects.select_for_update().filter(pk=resident.pk).exists()
        made = Proposal.objects.filter(programme=programme, proposer_resident=resident).count()
        if made >= MAX_PROPOSALS_PER_RESIDENT:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("You have made %(count)d proposals to this programme, the most one resident may.")
                        % {"count": MAX_PROPOSALS_PER_RESIDENT}
                    ]
                }
            )
        proposal = _create_proposal(
            programme,
            actor=actor,
            title=title,
            description=description,
            cost=cost,
            location=location,
            source=ProposalSource.RESIDENT,
            resident=resident,
            deliberation=None,
            when=when,
        )
        notify_after_commit(
            managers_of(programme.place),
            _("A resident proposed “%(title)s” for %(programme)s: screen it.")
            % {"title": proposal.title, "programme": programme.title},
            reverse("deliberation:proposal-detail", args=[proposal.pk]),
        )
    return proposal


def proposal_screen(
    *,
    actor: Any,
    proposal: Proposal,
    accept: bool,
    reason: str,
    expected_version: int,
    at: datetime | None = None,
) -> Proposal:
    """The community screens a proposal: accepted for the vote, or rejected with a reason that is shown publicly.
    The proposer is told after commit."""
    when = now_or(at)
    proposal = Proposal.objects.select_related("programme__place").get(pk=proposal.pk)
    programme = proposal.programme
    require_manager(actor, programme.place)
    action = ProposalAction.ACCEPT if accept else ProposalAction.REJECT
    PROPOSAL_FLOW.target(proposal.state, action)
    if programme.state not in SCREENING_PHASES:
        raise NotNow(_("Proposals are screened before the vote opens."))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not accept and not reason:
        errors["reason"] = _("Say why the proposal is not accepted: the reason is published with it.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(count)d characters.") % {"count": MAX_REASON}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flow_move(
            proposal,
            flow=PROPOSAL_FLOW,
            action=action,
            actor=actor,
            note=reason,
            changes={"screening_reason": reason, "screened_at": when},
            expected_version=expected_version,
            at=when,
        )
        if proposal.proposer_id is not None:
            text = (
                _("Your proposal “%(title)s” is accepted for the vote.")
                if accept
                else _("Your proposal “%(title)s” is not accepted: %(reason)s")
            ) % {"title": proposal.title, "reason": reason}
            notify_after_commit([proposal.proposer], text, reverse("deliberation_public:proposal", args=[proposal.pk]))
    return proposal


# --- votes ------------------------------------------------------------------------------------------------------------


def votes_used(*, programme: Programme, resident: Resident) -> int:
    return ProposalVote.objects.filter(programme=programme, resident=resident).count()


def proposal_vote(*, actor: Any, proposal: Proposal, at: datetime | None = None) -> ProposalVote:
    """A verified resident votes for an accepted proposal while the programme's vote is open: one vote per proposal,
    at most ``votes_per_resident`` in the programme. Each vote takes the resident's next slot (unique per programme
    and resident): of two votes sent at once for the last slot, the database lets one in and the other is counted
    again and refused."""
    when = now_or(at)
    proposal = Proposal.objects.select_related("programme__place").get(pk=proposal.pk)
    programme = proposal.programme
    resident = require_participant(actor, programme.place)
    if programme.state != ProgrammePhase.VOTING:
        raise NotNow(_("The vote of this programme is not open."))
    if proposal.state != ProposalState.ACCEPTED:
        raise NotNow(_("This proposal is not on the ballot."))
    for _attempt in range(programme.votes_per_resident + 2):
        if ProposalVote.objects.filter(proposal=proposal, resident=resident).exists():
            raise AlreadyVoted(_("You have voted for this proposal already."))
        used = votes_used(programme=programme, resident=resident)
        if used >= programme.votes_per_resident:
            raise NotNow(
                _("You have used all your %(count)d votes in this programme.") % {"count": programme.votes_per_resident}
            )
        try:
            with transaction.atomic():
                return ProposalVote.objects.create(
                    programme=programme, proposal=proposal, resident=resident, user=actor, slot=used + 1, cast_at=when
                )
        except IntegrityError:
            continue  # a vote sent at the same moment took the slot: count again
    raise NotNow(_("Your vote could not be recorded; reload the page and try again."))


# --- choosing ---------------------------------------------------------------------------------------------------------


def vote_counts(programme: Programme) -> dict[int, int]:
    return dict(Proposal.objects.filter(programme=programme).annotate(n=Count("votes")).values_list("pk", "n"))


def programme_choose(
    *,
    actor: Any,
    programme: Programme,
    chosen: Sequence[Proposal],
    decision: str,
    expected_version: int,
    at: datetime | None = None,
) -> Programme:
    """Close the vote and choose one or two accepted proposals (at most ``max_chosen``; within the budget when there
    is one) with the decision recorded — by the votes, or saying why not. The other accepted proposals are not
    chosen. The proposers of the chosen items are told after commit."""
    when = now_or(at)
    programme = Programme.objects.select_related("place").get(pk=programme.pk)
    require_manager(actor, programme.place)
    PROGRAMME_FLOW.target(programme.state, ProgrammeAction.CHOOSE)
    errors: dict[str, str] = {}
    picked = {proposal.pk: proposal for proposal in chosen}
    accepted = {
        proposal.pk: proposal for proposal in programme.proposals.filter(state=ProposalState.ACCEPTED).order_by("pk")
    }
    if not picked:
        errors["chosen"] = _("Choose at least one item.")
    elif len(picked) > programme.max_chosen:
        errors["chosen"] = _("Choose at most %(count)d items.") % {"count": programme.max_chosen}
    elif set(picked) - set(accepted):
        errors["chosen"] = _("Choose among the accepted proposals of this programme.")
    elif programme.budget is not None:
        total = sum((accepted[pk].estimated_cost for pk in picked), Decimal(0))
        if total > programme.budget:
            errors["chosen"] = _("The chosen items cost %(total)s yuan, more than the budget of %(budget)s yuan.") % {
                "total": f"{total:,.2f}",
                "budget": f"{programme.budget:,.2f}",
            }
    decision = text_errors(
        errors,
        "decision",
        decision,
        required=_("Record the decision: who decided, when, and why these items (by the votes, or why not)."),
        limit=MAX_DECISION,
    )
    if errors:
        raise ValidationError(errors)
    counts = vote_counts(programme)
    with transaction.atomic():
        flow_move(
            programme,
            flow=PROGRAMME_FLOW,
            action=ProgrammeAction.CHOOSE,
            actor=actor,
            note=decision,
            data={"chosen": sorted(picked), "votes": {str(pk): counts.get(pk, 0) for pk in sorted(accepted)}},
            changes={"decision": decision, "chosen_at": when},
            expected_version=expected_version,
            at=when,
        )
        for pk, proposal in accepted.items():
            action = ProposalAction.CHOOSE if pk in picked else ProposalAction.PASS_OVER
            flow_move(
                proposal,
                flow=PROPOSAL_FLOW,
                action=action,
                actor=actor,
                data={"votes": counts.get(pk, 0)},
                expected_version=proposal.version,
                at=when,
            )
            if pk in picked and proposal.proposer_id is not None:
                notify_after_commit(
                    [proposal.proposer],
                    _("Your proposal “%(title)s” is chosen for %(year)d: follow its progress.")
                    % {"title": proposal.title, "year": programme.year},
                    reverse("deliberation_public:proposal", args=[proposal.pk]),
                )
    return programme


# --- progress ---------------------------------------------------------------------------------------------------------


def proposal_progress(
    *,
    actor: Any,
    proposal: Proposal,
    percent: int | None,
    note: str,
    photos: Sequence[CleanPhoto] = (),
    expected_version: int,
    at: datetime | None = None,
) -> ProgressUpdate:
    """A public progress update of a chosen item: how far (never back), what was done, photos. At 100% the item is
    done; when every chosen item of the programme is done, the programme is done too."""
    when = now_or(at)
    proposal = Proposal.objects.select_related("programme__place").get(pk=proposal.pk)
    programme = proposal.programme
    require_manager(actor, programme.place)
    PROPOSAL_FLOW.target(proposal.state, ProposalAction.PROGRESS)
    errors: dict[str, str] = {}
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("Give the progress from 0 to 100 percent.")
    elif percent < proposal.progress:
        errors["percent"] = _("Progress cannot go back: it is at %(percent)d%% already.") % {
            "percent": proposal.progress
        }
    note = text_errors(errors, "note", note, required=_("Say what was done."), limit=MAX_NOTE)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(count)d photos.") % {"count": MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    assert percent is not None
    action = ProposalAction.COMPLETE if percent == 100 else ProposalAction.PROGRESS
    with transaction.atomic():
        flow_move(
            proposal,
            flow=PROPOSAL_FLOW,
            action=action,
            actor=actor,
            note=note,
            data={"percent": percent, "photos": len(photos)},
            changes={"progress": percent},
            expected_version=expected_version,
            at=when,
        )
        update = ProgressUpdate.objects.create(
            proposal=proposal, percent=percent, note=note, recorded_by=actor, recorded_at=when
        )
        for photo in photos:
            stored = ProgressPhoto(
                update=update,
                width=photo.width,
                height=photo.height,
                size=len(photo.content),
                content_type=photo.content_type,
                created_at=when,
            )
            stored.image.save(photo.name, ContentFile(photo.content, name=photo.name), save=False)
            stored.save()
        if action == ProposalAction.COMPLETE and not programme.proposals.filter(state=ProposalState.CHOSEN).exists():
            flow_move(
                programme,
                flow=PROGRAMME_FLOW,
                action=ProgrammeAction.FINISH,
                actor=actor,
                note=_("Every chosen item is done."),
                changes={"done_at": when},
                expected_version=programme.version,
                at=when,
            )
    return update


def programme_figures(programme: Programme) -> dict[str, Any]:
    """The programme's counts: proposals by state, votes, voters, and the cost of the chosen items."""
    by_state = dict(programme.proposals.values_list("state").annotate(n=Count("id")).order_by())
    chosen_cost = programme.proposals.filter(state__in=[ProposalState.CHOSEN, ProposalState.DONE]).aggregate(
        total=Sum("estimated_cost")
    )["total"]
    return {
        "proposals": sum(by_state.values()),
        "by_state": by_state,
        "votes": programme.votes.count(),
        "voters": programme.votes.values("resident").distinct().count(),
        "chosen_cost": chosen_cost or Decimal(0),
    }
