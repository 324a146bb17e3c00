"""Reads of deliberations and 民生实事 programmes.

Staff reads are scoped in the query (``restrict``: VIEW_DELIBERATION; anything outside the user's units is not found).
Public reads show what residents may see: deliberations that are open, closed or cancelled (never who voted), the
tally only once a deliberation is closed — to staff as to residents; before that, staff see the turnout only —,
comments with the authors' names masked, screened proposals (a rejection with its reason) and the resident's own
proposals waiting for screening, and the vote counts of a programme once its vote is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_name
from gridwork.deliberation.flows import (
    DELIBERATION_EVENT_LABELS,
    PROGRAMME_EVENT_LABELS,
    PROPOSAL_EVENT_LABELS,
)
from gridwork.deliberation.models import (
    AuthorKind,
    Deliberation,
    DeliberationComment,
    DeliberationEvent,
    DeliberationOption,
    DeliberationState,
    DeliberationVote,
    MeetingRecord,
    Programme,
    ProgrammeEvent,
    ProgrammePhase,
    ProgressPhoto,
    ProgressUpdate,
    Proposal,
    ProposalEvent,
    ProposalState,
    ProposalVote,
)
from gridwork.places.models import Place, PlaceLevel

PUBLIC_PROPOSAL_STATES = (
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.CHOSEN,
    ProposalState.NOT_CHOSEN,
    ProposalState.DONE,
)
COUNTS_PUBLIC_PHASES = (ProgrammePhase.CHOSEN, ProgrammePhase.DONE)


# --- staff: deliberations -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliberationFilters:
    state: str = ""
    community: Place | None = None
    q: str = ""


def deliberation_list(*, user: Any, filters: DeliberationFilters | None = None) -> QuerySet[Deliberation]:
    filters = filters or DeliberationFilters()
    found = Deliberation.objects.restrict(user, Perm.VIEW_DELIBERATION).select_related("community")
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.community is not None:
        found = found.filter(community=filters.community)
    if filters.q:
        found = found.filter(Q(number__icontains=filters.q) | Q(topic__icontains=filters.q))
    return found.annotate(turnout=Count("votes", distinct=True)).order_by("-created_at", "-id")


def deliberation_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DELIBERATION) -> Deliberation:
    """One deliberation in the user's units (``Http404`` outside them)."""
    return get_object_or_404(
        Deliberation.objects.restrict(user, perm).select_related("community", "matter", "clause__contract"), pk=pk
    )


def community_choices(*, user: Any, perm: str = Perm.MANAGE_DELIBERATION) -> QuerySet[Place]:
    """The communities under the units where the user holds ``perm``."""
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).order_by("path")


def programme_place_choices(*, user: Any) -> QuerySet[Place]:
    """The communities and streets whose programmes the user may open."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_DELIBERATION)
        .filter(level__in=[PlaceLevel.COMMUNITY, PlaceLevel.STREET])
        .order_by("path")
    )


def building_choices(deliberation: Deliberation) -> QuerySet[Place]:
    """The buildings (micro-grids) of the deliberation's community: where a matter may be filed."""
    return Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=deliberation.community.path).order_by(
        "path"
    )


def options_of(deliberation: Deliberation) -> list[DeliberationOption]:
    return list(DeliberationOption.objects.filter(deliberation=deliberation).order_by("position"))


def turnout(deliberation: Deliberation) -> int:
    """How many residents have voted: shown to staff while the vote runs."""
    return DeliberationVote.objects.filter(deliberation=deliberation).count()


@dataclass(frozen=True)
class TallyRow:
    option: DeliberationOption
    votes: int
    percent: float
    chosen: bool


def tally(deliberation: Deliberation) -> list[TallyRow] | None:
    """The votes per option, once the deliberation is closed; ``None`` before (hidden from everyone) and when it was
    cancelled."""
    if deliberation.state != DeliberationState.CLOSED:
        return None
    counts = dict(
        DeliberationVote.objects.filter(deliberation=deliberation)
        .values_list("option_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = sum(counts.values())
    meeting = meeting_of(deliberation)
    chosen_id = meeting.chosen_option_id if meeting is not None else None
    return [
        TallyRow(
            option=option,
            votes=counts.get(option.pk, 0),
            percent=round(100 * counts.get(option.pk, 0) / total, 1) if total else 0.0,
            chosen=option.pk == chosen_id,
        )
        for option in options_of(deliberation)
    ]


def meeting_of(deliberation: Deliberation) -> MeetingRecord | None:
    return MeetingRecord.objects.filter(deliberation=deliberation).select_related("chosen_option").first()


def vote_of(*, user: Any, deliberation: Deliberation) -> DeliberationVote | None:
    """The signed-in resident's own vote here."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        DeliberationVote.objects.filter(deliberation=deliberation, resident__user_id=user.pk)
        .select_related("option")
        .first()
    )


@dataclass(frozen=True)
class CommentRow:
    comment: DeliberationComment
    author: str
    staff: bool
    hidden: bool


def comment_rows(deliberation: Deliberation) -> list[CommentRow]:
    """The comments, oldest first: residents by their masked names, staff as the community; a hidden comment shows
    the reason in its place."""
    rows = []
    comments = DeliberationComment.objects.filter(deliberation=deliberation).select_related("resident")
    for comment in comments.order_by("created_at", "id"):
        staff = comment.author_kind == AuthorKind.STAFF
        if staff:
            author = _("%(community)s (community staff)") % {"community": deliberation.community.name}
        else:
            author = mask_name(comment.resident.name if comment.resident else "") or _("A resident")
        rows.append(CommentRow(comment=comment, author=author, staff=staff, hidden=comment.hidden_at is not None))
    return rows


def comment_get(*, user: Any, deliberation: Deliberation, pk: int) -> DeliberationComment:
    return get_object_or_404(DeliberationComment.objects.filter(deliberation=deliberation), pk=pk)


def _timeline(events: Any, labels: dict[str, Any], *, staff: bool) -> list[dict[str, Any]]:
    return [
        {
            "at": event.at,
            "action": event.action,
            "label": str(labels.get(event.action, event.action)),
            "actor": event.actor_name if staff else "",
            "note": event.note if staff else "",
        }
        for event in events.order_by("sequence")
    ]


def deliberation_timeline(deliberation: Deliberation) -> list[dict[str, Any]]:
    return _timeline(DeliberationEvent.objects.filter(subject=deliberation), DELIBERATION_EVENT_LABELS, staff=True)


# --- public: deliberations ------------------------------------------------------------------------------------------


def public_community(code: str) -> Place:
    return get_object_or_404(Place, code=code, level=PlaceLevel.COMMUNITY)


def public_deliberations(community: Place) -> QuerySet[Deliberation]:
    return Deliberation.objects.filter(community=community).order_by("-created_at", "-id")


def public_deliberation_get(pk: int) -> Deliberation:
    return get_object_or_404(Deliberation.objects.select_related("community", "matter", "clause__contract"), pk=pk)


def communities() -> QuerySet[Place]:
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")


# --- staff: programmes ----------------------------------------------------------------------------------------------


def programme_list(*, user: Any) -> QuerySet[Programme]:
    return (
        Programme.objects.restrict(user, Perm.VIEW_DELIBERATION)
        .select_related("place")
        .annotate(proposal_count=Count("proposals", distinct=True))
        .order_by("-year", "place__path", "id")
    )


def programme_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DELIBERATION) -> Programme:
    return get_object_or_404(Programme.objects.restrict(user, perm).select_related("place"), pk=pk)


def proposal_get(*, user: Any, pk: int, perm: str = Perm.VIEW_DELIBERATION) -> Proposal:
    return get_object_or_404(
        Proposal.objects.restrict(user, perm).select_related("programme__place", "proposer_resident", "deliberation"),
        pk=pk,
    )


def proposals_of(programme: Programme) -> QuerySet[Proposal]:
    """Every proposal of the programme with its votes, most votes first within each state."""
    return (
        Proposal.objects.filter(programme=programme)
        .select_related("proposer_resident", "deliberation")
        .annotate(vote_count=Count("votes"))
        .order_by("state", "-vote_count", "created_at", "id")
    )


def programme_timeline(programme: Programme) -> list[dict[str, Any]]:
    return _timeline(ProgrammeEvent.objects.filter(subject=programme), PROGRAMME_EVENT_LABELS, staff=True)


def proposal_timeline(proposal: Proposal, *, staff: bool) -> list[dict[str, Any]]:
    return _timeline(ProposalEvent.objects.filter(subject=proposal), PROPOSAL_EVENT_LABELS, staff=staff)


def proposer_label(proposal: Proposal) -> str:
    """Who proposed it, for any page: a resident by the masked name, or the deliberation it came from."""
    if proposal.deliberation_id is not None and proposal.deliberation is not None:
        return _("Deliberation %(number)s") % {"number": proposal.deliberation.number}
    if proposal.proposer_resident is not None:
        return mask_name(proposal.proposer_resident.name)
    return _("The community")


def updates_of(proposal: Proposal) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(proposal=proposal).prefetch_related("photos").order_by("recorded_at", "id")
    )


# --- public: programmes ---------------------------------------------------------------------------------------------


def public_programmes(community: Place) -> QuerySet[Programme]:
    """The community's programmes and its street's."""
    places = [community.pk] + ([community.parent_id] if community.parent_id else [])
    return Programme.objects.filter(place_id__in=places).select_related("place").order_by("-year", "place__path")


def public_programme_get(pk: int) -> Programme:
    return get_object_or_404(Programme.objects.select_related("place"), pk=pk)


def counts_public(programme: Programme) -> bool:
    """Whether the votes are shown publicly: once the vote is over."""
    return programme.state in COUNTS_PUBLIC_PHASES


def public_proposals(programme: Programme, *, user: Any) -> QuerySet[Proposal]:
    """The screened proposals, and the signed-in resident's own proposals waiting for screening.

    While the vote runs nothing on the page may say how the votes stand — not a count, and not the order either: the
    proposals are listed in the order they came in, and by their votes (with the counts) only once the vote is
    over."""
    visible = Q(state__in=PUBLIC_PROPOSAL_STATES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(proposer_id=user.pk)
    found = Proposal.objects.filter(visible, programme=programme).select_related("proposer_resident", "deliberation")
    if not counts_public(programme):
        return found.order_by("state", "created_at", "id")
    return found.annotate(vote_count=Count("votes")).order_by("state", "-vote_count", "created_at", "id")


def public_proposal_get(pk: int, *, user: Any) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("programme__place", "proposer_resident", "deliberation"), pk=pk
    )
    own = getattr(user, "is_authenticated", False) and proposal.proposer_id == user.pk
    if proposal.state not in PUBLIC_PROPOSAL_STATES and not own:
        raise Http404
    return proposal


def my_proposal_votes(*, user: Any, programme: Programme) -> set[int]:
    """The proposals the signed-in resident voted for in the programme."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        ProposalVote.objects.filter(programme=programme, resident__user_id=user.pk).values_list(
            "proposal_id", flat=True
        )
    )


def public_photo_get(pk: int) -> ProgressPhoto:
    """A progress photo: progress is recorded only on chosen items, all public."""
    return get_object_or_404(ProgressPhoto.objects.select_related("update__proposal"), pk=pk)


def staff_photo_get(*, user: Any, pk: int) -> ProgressPhoto:
    return get_object_or_404(
        ProgressPhoto.objects.filter(
            update__proposal__in=Proposal.objects.restrict(user, Perm.VIEW_DELIBERATION)
        ).select_related("update__proposal"),
        pk=pk,
    )
