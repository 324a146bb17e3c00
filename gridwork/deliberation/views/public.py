"""Residents' pages of deliberation and 民生实事, at /deliberation/ (mobile pages).

Anyone may read a community's deliberations and programmes: the topic, background and options, the comments (authors'
names masked), the meeting's decision and — only once closed — the votes per option; a programme's screened proposals
(a rejection with its reason), the chosen items and their progress with photos. Nobody is ever listed as a voter.

Signed-in verified residents of the community take part: vote once per deliberation, comment, propose projects and
vote for proposals within the programme's limit. Anyone else is told why not (not signed in, not yet verified, a
resident of another community): on the page before trying, and as a 403 with the reason when they post anyway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.permissions import public_view, signed_in_view
from gridwork.deliberation import selectors, services
from gridwork.deliberation.forms import CommentForm, CommunityPickForm, ProposalFieldsForm, VoteForm
from gridwork.deliberation.models import Deliberation, DeliberationState, Programme, ProgrammePhase, Proposal
from gridwork.deliberation.views.common import perform, photo_response
from gridwork.mediation.services.applications import resident_home_community


def _sign_in_url(path: str) -> str:
    return f"{reverse('accounts:phone')}?next={quote(path)}"


@public_view
@require_GET
def index_view(request: HttpRequest) -> HttpResponse:
    """A community's deliberations and programmes: the resident's own community, or the one chosen."""
    pick = CommunityPickForm(request.GET or None)
    code = pick.cleaned_data.get("community", "") if pick.is_valid() else ""
    home = resident_home_community(request.user)
    community = selectors.public_community(code) if code else home
    return render(
        request,
        "deliberation/public/index.html",
        {
            "community": community,
            "home": home,
            "communities": selectors.communities(),
            "deliberations": list(selectors.public_deliberations(community)) if community is not None else [],
            "programmes": list(selectors.public_programmes(community)) if community is not None else [],
            "now": timezone.now(),
            "sign_in_url": _sign_in_url(request.get_full_path()),
        },
    )


# --- a deliberation ---------------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    deliberation: Deliberation,
    *,
    status: int = 200,
    refusal: str = "",
    vote_form: VoteForm | None = None,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    now = timezone.now()
    options = deliberation.options.order_by("position")
    taking_part = services.participant_refusal(user, deliberation.community)
    my_vote = selectors.vote_of(user=user, deliberation=deliberation)
    voting_refusal = services.voting_refusal(deliberation, now)
    may_vote = not taking_part and not voting_refusal and my_vote is None
    may_comment = not taking_part and deliberation.state == DeliberationState.OPEN and deliberation.comments_allowed
    return render(
        request,
        "deliberation/public/detail.html",
        {
            "deliberation": deliberation,
            "options": list(options),
            "tally": selectors.tally(deliberation),
            "meeting": selectors.meeting_of(deliberation),
            "comments": selectors.comment_rows(deliberation),
            "my_vote": my_vote,
            "taking_part": taking_part,
            "voting_refusal": voting_refusal,
            "may_vote": may_vote,
            "may_comment": may_comment,
            "vote_form": vote_form or (VoteForm(options=options) if may_vote else None),
            "comment_form": comment_form or (CommentForm() if may_comment else None),
            "proposal": getattr(deliberation, "proposal", None) if deliberation.outcome == "proposal" else None,
            "refusal": refusal,
            "signed_in": user.is_authenticated,
            "sign_in_url": _sign_in_url(request.path),
        },
        status=status,
    )


@public_view
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.public_deliberation_get(pk))


@signed_in_view
@require_POST
def vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified resident of the community votes, once."""
    deliberation = selectors.public_deliberation_get(pk)
    options = deliberation.options.order_by("position")
    form = VoteForm(request.POST, options=options)
    outcome = perform(
        form,
        lambda: services.deliberation_vote(
            actor=request.user, deliberation=deliberation, option=form.cleaned_data["option"]
        ),
    )
    if not outcome.done:
        return _detail(request, deliberation, status=outcome.status, refusal=outcome.refusal, vote_form=form)
    messages.success(
        request,
        _("Your vote is recorded. The votes are published when the community's meeting has decided."),
    )
    return redirect("deliberation_public:detail", pk=deliberation.pk)


@signed_in_view
@require_POST
def comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = selectors.public_deliberation_get(pk)
    form = CommentForm(request.POST)
    outcome = perform(
        form,
        lambda: services.deliberation_comment(
            actor=request.user, deliberation=deliberation, text=form.cleaned_data["text"]
        ),
    )
    if not outcome.done:
        return _detail(request, deliberation, status=outcome.status, refusal=outcome.refusal, comment_form=form)
    messages.success(request, _("Your comment is published."))
    return redirect("deliberation_public:detail", pk=deliberation.pk)


# --- 民生实事 ---------------------------------------------------------------------------------------------------------


def _programme(request: HttpRequest, programme: Programme, *, status: int = 200, refusal: str = "") -> HttpResponse:
    user: Any = request.user
    taking_part = services.participant_refusal(user, programme.place)
    resident = services.verified_resident(user) if not taking_part else None
    used = services.votes_used(programme=programme, resident=resident) if resident is not None else 0
    return render(
        request,
        "deliberation/public/programme.html",
        {
            "programme": programme,
            "proposals": [
                {"proposal": proposal, "proposer": selectors.proposer_label(proposal)}
                for proposal in selectors.public_proposals(programme, user=user)
            ],
            "counts_public": selectors.counts_public(programme),
            "my_votes": selectors.my_proposal_votes(user=user, programme=programme),
            "votes_left": max(programme.votes_per_resident - used, 0),
            "taking_part": taking_part,
            "may_propose": not taking_part and programme.state == ProgrammePhase.PROPOSALS,
            "may_vote": not taking_part and programme.state == ProgrammePhase.VOTING,
            "refusal": refusal,
            "signed_in": user.is_authenticated,
            "sign_in_url": _sign_in_url(request.path),
        },
        status=status,
    )


@public_view
@require_GET
def programme_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme: its phase, the proposals, the vote, the chosen items and their progress."""
    return _programme(request, selectors.public_programme_get(pk))


@signed_in_view
@require_http_methods(["GET", "POST"])
def propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified resident proposes a project while proposals are collected."""
    programme = selectors.public_programme_get(pk)
    status = 200
    refusal = services.participant_refusal(request.user, programme.place)
    if request.method == "POST":
        form = ProposalFieldsForm(request.POST)
        outcome = perform(
            form,
            lambda: services.proposal_submit(
                actor=request.user,
                programme=programme,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                estimated_cost=form.cleaned_data["estimated_cost"],
                location=form.cleaned_data["location"],
            ),
        )
        if outcome.done:
            messages.success(request, _("Your proposal is in: the community screens it before the vote."))
            return redirect("deliberation_public:proposal", pk=outcome.result.pk)
        status, refusal = outcome.status, outcome.refusal or refusal
    else:
        form = ProposalFieldsForm()
    if not refusal and programme.state != ProgrammePhase.PROPOSALS:
        refusal = _("Proposals are no longer collected for this programme.")
    return render(
        request,
        "deliberation/public/propose.html",
        {"programme": programme, "form": form, "refusal": refusal},
        status=status,
    )


@signed_in_view
@require_POST
def proposal_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified resident votes for a proposal on the ballot."""
    proposal = selectors.public_proposal_get(pk, user=request.user)
    outcome = perform(None, lambda: services.proposal_vote(actor=request.user, proposal=proposal))
    if not outcome.done:
        return _programme(request, proposal.programme, status=outcome.status, refusal=outcome.refusal)
    messages.success(request, _("Your vote for “%(title)s” is recorded.") % {"title": proposal.title})
    return redirect("deliberation_public:programme", pk=proposal.programme_id)


@public_view
@require_GET
def proposal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal: what, where, the cost, the screening note; when chosen, its progress with photos."""
    proposal: Proposal = selectors.public_proposal_get(pk, user=request.user)
    return render(
        request,
        "deliberation/public/proposal.html",
        {
            "proposal": proposal,
            "programme": proposal.programme,
            "proposer": selectors.proposer_label(proposal),
            "votes": proposal.votes.count() if selectors.counts_public(proposal.programme) else None,
            "updates": selectors.updates_of(proposal),
            "timeline": selectors.proposal_timeline(proposal, staff=False),
        },
    )


@public_view
@require_GET
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    return photo_response(selectors.public_photo_get(pk))
