"""Staff pages of the yearly public-interest projects (民生实事), at /staff/deliberation/programmes/: the programmes,
opening one, a programme's page (its phase and moves, the proposals with their votes, the figures), screening a
proposal, choosing the items after the vote, recording a chosen item's progress (with photos), and the Excel export
of the proposals and votes.

Reads are scoped (VIEW_DELIBERATION; 404 outside the user's units); writes need MANAGE_DELIBERATION over the
programme's place. A refused form answers 400 with the field and why; a stale page or a move not possible now, 409.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.deliberation import exports, selectors, services
from gridwork.deliberation.flows import PROGRAMME_FLOW, PROPOSAL_FLOW, ProgrammeAction, ProposalAction
from gridwork.deliberation.forms import ChooseForm, MoveForm, ProgrammeForm, ProgressForm, ScreenForm
from gridwork.deliberation.models import Programme, ProgrammePhase, Proposal, ProposalState
from gridwork.deliberation.views.common import BAD_REQUEST, perform, photo_response
from gridwork.matters.photos import PhotoRejected, clean_photo

MOVES = (ProgrammeAction.START_SCREENING, ProgrammeAction.START_VOTING, ProgrammeAction.FINISH)


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Public-interest projects"), "url": reverse("deliberation:programme-list")}, *extra]


def _programme_crumbs(programme: Programme, *extra: dict[str, str]) -> list[dict[str, str]]:
    label = f"{programme.year} {programme.title}"
    return _crumbs({"label": label, "url": reverse("deliberation:programme-detail", args=[programme.pk])}, *extra)


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def programme_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "deliberation/programmes/list.html",
        {
            "programmes": selectors.programme_list(user=user),
            "may_open": user.has_perm_anywhere(Perm.MANAGE_DELIBERATION),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def programme_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.programme_place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = ProgrammeForm(request.POST, places=places)
        outcome = perform(
            form,
            lambda: services.programme_open(
                actor=user,
                place=form.cleaned_data["place"],
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data.get("description") or "",
                budget=form.cleaned_data.get("budget"),
                votes_per_resident=form.cleaned_data["votes_per_resident"],
                max_chosen=form.cleaned_data["max_chosen"],
            ),
        )
        if outcome.done:
            messages.success(request, _("The programme is open for residents' proposals."))
            return redirect("deliberation:programme-detail", pk=outcome.result.pk)
        status = outcome.status
        if outcome.refusal:
            form.add_error(None, outcome.refusal)
    else:
        year = timezone.localdate().year
        form = ProgrammeForm(
            initial={"year": year, "title": _("Public-interest projects %(year)d") % {"year": year}}, places=places
        )
    return render(
        request,
        "deliberation/programmes/form.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("Open a programme"), "url": ""})},
        status=status,
    )


def _programme_page(
    request: HttpRequest,
    programme: Programme,
    *,
    status: int = 200,
    refusal: str = "",
    choose_form: ChooseForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    can_manage = services.manages(user, programme.place)
    allowed = PROGRAMME_FLOW.allowed(programme.state) if can_manage else []
    accepted = programme.proposals.filter(state=ProposalState.ACCEPTED)
    if choose_form is None and ProgrammeAction.CHOOSE in allowed:
        choose_form = ChooseForm(initial={"version": programme.version}, proposals=accepted)
    return render(
        request,
        "deliberation/programmes/detail.html",
        {
            "programme": programme,
            "proposals": selectors.proposals_of(programme),
            "figures": services.programme_figures(programme),
            "timeline": selectors.programme_timeline(programme),
            "moves": [(action, PROGRAMME_FLOW.action_label(action)) for action in allowed if action in MOVES],
            "can_manage": can_manage,
            "can_choose": ProgrammeAction.CHOOSE in allowed,
            "choose_form": choose_form,
            "refusal": refusal,
            "breadcrumbs": _programme_crumbs(programme),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def programme_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme_page(request, selectors.programme_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def programme_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close proposals and screen, open the vote, or mark the programme done."""
    programme = selectors.programme_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)
    form = MoveForm(request.POST)
    outcome = perform(
        form,
        lambda: services.programme_move(
            actor=request.user,
            programme=programme,
            action=form.cleaned_data["action"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        refusal = outcome.refusal or " ".join(str(error) for error in form.non_field_errors()) or _("Reload the page.")
        fresh = selectors.programme_get(user=request.user, pk=pk)
        return _programme_page(request, fresh, status=outcome.status, refusal=refusal)
    messages.success(request, _("The programme is now: %(phase)s.") % {"phase": outcome.result.get_state_display()})
    return redirect("deliberation:programme-detail", pk=programme.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def programme_choose_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the vote and choose the items, with the decision."""
    programme = selectors.programme_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)
    form = ChooseForm(request.POST, proposals=programme.proposals.filter(state=ProposalState.ACCEPTED))
    outcome = perform(
        form,
        lambda: services.programme_choose(
            actor=request.user,
            programme=programme,
            chosen=list(form.cleaned_data["chosen"]),
            decision=form.cleaned_data["decision"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _programme_page(request, programme, status=outcome.status, refusal=outcome.refusal, choose_form=form)
    messages.success(request, _("The items are chosen and published."))
    return redirect("deliberation:programme-detail", pk=programme.pk)


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def programme_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's proposals with their states, screening notes and votes, as an Excel workbook."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    return exports.programme_workbook_response(programme)


# --- a proposal ---------------------------------------------------------------------------------------------------


def _proposal_page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    status: int = 200,
    refusal: str = "",
    screen_form: ScreenForm | None = None,
    progress_form: ProgressForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    programme = proposal.programme
    can_manage = services.manages(user, programme.place)
    allowed = PROPOSAL_FLOW.allowed(proposal.state) if can_manage else []
    can_screen = ProposalAction.ACCEPT in allowed and programme.state in (
        ProgrammePhase.PROPOSALS,
        ProgrammePhase.SCREENING,
    )
    can_progress = ProposalAction.PROGRESS in allowed
    return render(
        request,
        "deliberation/programmes/proposal.html",
        {
            "proposal": proposal,
            "programme": programme,
            "proposer": selectors.proposer_label(proposal),
            "votes": proposal.votes.count(),
            "updates": selectors.updates_of(proposal),
            "timeline": selectors.proposal_timeline(proposal, staff=True),
            "can_screen": can_screen,
            "can_progress": can_progress,
            "screen_form": screen_form or (ScreenForm(initial={"version": proposal.version}) if can_screen else None),
            "progress_form": progress_form
            or (
                ProgressForm(initial={"version": proposal.version, "percent": proposal.progress})
                if can_progress
                else None
            ),
            "refusal": refusal,
            "breadcrumbs": _programme_crumbs(programme, {"label": proposal.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def proposal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, selectors.proposal_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def proposal_screen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a proposal for the vote, or reject it with a reason that is published."""
    proposal = selectors.proposal_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)
    form = ScreenForm(request.POST)
    outcome = perform(
        form,
        lambda: services.proposal_screen(
            actor=request.user,
            proposal=proposal,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _proposal_page(request, proposal, status=outcome.status, refusal=outcome.refusal, screen_form=form)
    messages.success(request, _("The proposal is screened: %(state)s.") % {"state": outcome.result.get_state_display()})
    return redirect("deliberation:proposal-detail", pk=proposal.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def proposal_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A public progress update of a chosen item: percent, what was done, photos."""
    proposal = selectors.proposal_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        cleaned = []
        for upload in form.cleaned_data.get("photos") or []:
            try:
                cleaned.append(clean_photo(upload, original_name=upload.name))
            except PhotoRejected as rejected:
                form.add_error("photos", str(rejected))
        if form.errors:
            return _proposal_page(request, proposal, status=BAD_REQUEST, progress_form=form)
    else:
        cleaned = []
    outcome = perform(
        form,
        lambda: services.proposal_progress(
            actor=request.user,
            proposal=proposal,
            percent=form.cleaned_data["percent"],
            note=form.cleaned_data["note"],
            photos=cleaned,
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _proposal_page(request, proposal, status=outcome.status, refusal=outcome.refusal, progress_form=form)
    messages.success(request, _("The progress is published."))
    return redirect("deliberation:proposal-detail", pk=proposal.pk)


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    return photo_response(selectors.staff_photo_get(user=request.user, pk=pk))
