"""Staff pages of the deliberations (议事), at /staff/deliberation/: the list (turnout, never the tally while open),
opening one, its page (background, options, turnout, comments with hiding, the meeting record and the tally once
closed, what the decision became, the history), recording the meeting that closes it, cancelling, and turning the
decision into a matter, a 民生实事 proposal or a contract clause.

Reads go through ``deliberation.selectors`` (VIEW_DELIBERATION; 404 outside the user's units), writes through
``deliberation.services`` (MANAGE_DELIBERATION over the community). A refused form answers 400 with the field and
why; a stale page or a move not possible now answers 409 with the message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.contracts.services import ClauseValues
from gridwork.deliberation import selectors, services
from gridwork.deliberation.flows import DELIBERATION_FLOW, DeliberationAction
from gridwork.deliberation.forms import (
    CloseForm,
    CommentForm,
    DeliberationFilterForm,
    DeliberationForm,
    HideForm,
    ReasonForm,
    ToClauseForm,
    ToMatterForm,
    ToProposalForm,
)
from gridwork.deliberation.models import Deliberation, DeliberationState
from gridwork.deliberation.views.common import BAD_REQUEST, perform

DEFAULT_WINDOW = timedelta(days=7)


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Deliberations"), "url": reverse("deliberation:list")}, *extra]


def _deliberation_crumbs(deliberation: Deliberation, *extra: dict[str, str]) -> list[dict[str, str]]:
    return _crumbs(
        {"label": deliberation.number, "url": reverse("deliberation:detail", args=[deliberation.pk])}, *extra
    )


# --- list and opening -----------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """The deliberations of the user's units, newest first, with their turnout; by state, community, number or
    topic."""
    user: Any = request.user
    bound = any(request.GET.get(key) for key in DeliberationFilterForm.base_fields)
    form = DeliberationFilterForm(
        request.GET if bound else None, communities=selectors.community_choices(user=user, perm=Perm.VIEW_DELIBERATION)
    )
    values = form.cleaned_data if bound and form.is_valid() else {}
    filters = selectors.DeliberationFilters(
        state=values.get("state", ""), community=values.get("community"), q=values.get("q", "")
    )
    page, query = paginate(request, selectors.deliberation_list(user=user, filters=filters))
    return render(
        request,
        "deliberation/list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "now": timezone.now(),
            "may_open": user.has_perm_anywhere(Perm.MANAGE_DELIBERATION),
            "breadcrumbs": _crumbs(),
        },
        status=BAD_REQUEST if bound and form.errors else 200,
    )


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def create_view(request: HttpRequest) -> HttpResponse:
    """Open a deliberation: the community, the topic, the background, the options (one per line) and the voting
    window."""
    user: Any = request.user
    communities = selectors.community_choices(user=user)
    status = 200
    if request.method == "POST":
        form = DeliberationForm(request.POST, communities=communities)
        outcome = perform(
            form,
            lambda: services.deliberation_open(
                actor=user,
                community=form.cleaned_data["community"],
                topic=form.cleaned_data["topic"],
                background=form.cleaned_data["background"],
                options=form.option_lines(),
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                comments_allowed=bool(form.cleaned_data.get("comments_allowed")),
            ),
        )
        if outcome.done:
            deliberation = outcome.result
            messages.success(
                request,
                _("Deliberation %(number)s is open: residents of %(community)s can comment and vote.")
                % {"number": deliberation.number, "community": deliberation.community.name},
            )
            return redirect("deliberation:detail", pk=deliberation.pk)
        status = outcome.status
        if outcome.refusal:
            form.add_error(None, outcome.refusal)
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial: dict[str, Any] = {"opens_at": now, "closes_at": now + DEFAULT_WINDOW, "comments_allowed": True}
        if communities.count() == 1:
            initial["community"] = communities.first()
        form = DeliberationForm(initial=initial, communities=communities)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("Open a deliberation"), "url": ""})},
        status=status,
    )


# --- a deliberation's page --------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    deliberation: Deliberation,
    *,
    status: int = 200,
    refusal: str = "",
    comment_form: CommentForm | None = None,
    cancel_form: ReasonForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    can_manage = services.manages(user, deliberation.community)
    allowed = DELIBERATION_FLOW.allowed(deliberation.state) if can_manage else []
    closed = deliberation.state == DeliberationState.CLOSED
    may_decide = can_manage and closed and not deliberation.outcome
    now = timezone.now()
    return render(
        request,
        "deliberation/detail.html",
        {
            "deliberation": deliberation,
            "options": selectors.options_of(deliberation),
            "turnout": selectors.turnout(deliberation),
            "tally": selectors.tally(deliberation),
            "meeting": selectors.meeting_of(deliberation),
            "comments": selectors.comment_rows(deliberation),
            "timeline": selectors.deliberation_timeline(deliberation),
            "voting_refusal": services.voting_refusal(deliberation, now),
            "voting_ended": deliberation.state == DeliberationState.OPEN and now >= deliberation.closes_at,
            "proposal": getattr(deliberation, "proposal", None) if deliberation.outcome == "proposal" else None,
            "can_manage": can_manage,
            "can_close": DeliberationAction.CLOSE in allowed,
            "can_cancel": DeliberationAction.CANCEL in allowed,
            "can_comment": can_manage
            and deliberation.state == DeliberationState.OPEN
            and deliberation.comments_allowed,
            "may_decide": may_decide,
            "comment_form": comment_form or CommentForm(),
            "cancel_form": cancel_form or ReasonForm(initial={"version": deliberation.version}),
            "refusal": refusal,
            "breadcrumbs": _deliberation_crumbs(deliberation),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.deliberation_get(user=request.user, pk=pk))


def _managed(request: HttpRequest, pk: int) -> Deliberation:
    return selectors.deliberation_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The community answers in the comments."""
    deliberation = _managed(request, pk)
    form = CommentForm(request.POST)
    outcome = perform(
        form,
        lambda: services.deliberation_comment(
            actor=request.user, deliberation=deliberation, text=form.cleaned_data["text"]
        ),
    )
    if not outcome.done:
        return _detail(request, deliberation, status=outcome.status, refusal=outcome.refusal, comment_form=form)
    messages.success(request, _("Your answer is published."))
    return redirect("deliberation:detail", pk=deliberation.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def comment_hide_view(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    """Hide a comment, with the reason shown in its place (audited)."""
    deliberation = _managed(request, pk)
    comment = selectors.comment_get(user=request.user, deliberation=deliberation, pk=comment_id)
    form = HideForm(request.POST)
    outcome = perform(
        form, lambda: services.comment_hide(actor=request.user, comment=comment, reason=form.cleaned_data["reason"])
    )
    if not outcome.done:
        refusal = outcome.refusal or _("Say why the comment is hidden: it is shown in its place.")
        return _detail(request, deliberation, status=outcome.status, refusal=refusal)
    messages.success(request, _("The comment is hidden."))
    return redirect("deliberation:detail", pk=deliberation.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_POST
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = _managed(request, pk)
    form = ReasonForm(request.POST)
    outcome = perform(
        form,
        lambda: services.deliberation_cancel(
            actor=request.user,
            deliberation=deliberation,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        if outcome.refusal:
            deliberation = _managed(request, pk)
        return _detail(request, deliberation, status=outcome.status, refusal=outcome.refusal, cancel_form=form)
    messages.success(request, _("The deliberation is cancelled."))
    return redirect("deliberation:detail", pk=deliberation.pk)


# --- steps on their own pages -----------------------------------------------------------------------------------------


def _step(
    request: HttpRequest,
    deliberation: Deliberation,
    *,
    template: str,
    form: Any,
    title: str,
    status: int = 200,
    refusal: str = "",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "deliberation": deliberation,
            "form": form,
            "title": title,
            "refusal": refusal,
            "breadcrumbs": _deliberation_crumbs(deliberation, {"label": title, "url": ""}),
            **extra,
        },
        status=status,
    )


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the meeting (议事会) that decided: it closes the deliberation and publishes the tally."""
    deliberation = _managed(request, pk)
    title = _("Record the meeting and close")
    template = "deliberation/close.html"
    options = deliberation.options.order_by("position")
    extra = {"turnout": selectors.turnout(deliberation)}
    if request.method == "GET":
        form = CloseForm(initial={"version": deliberation.version, "held_on": timezone.localdate()}, options=options)
        refusal = (
            ""
            if deliberation.state == DeliberationState.OPEN
            else services.voting_refusal(deliberation, timezone.now())
        )
        return _step(request, deliberation, template=template, form=form, title=title, refusal=refusal, **extra)
    form = CloseForm(request.POST, options=options)
    outcome = perform(
        form,
        lambda: services.deliberation_close(
            actor=request.user,
            deliberation=deliberation,
            held_on=form.cleaned_data["held_on"],
            participants_count=form.cleaned_data["participants_count"],
            participants=form.cleaned_data["participants"],
            decision=form.cleaned_data["decision"],
            chosen_option=form.cleaned_data.get("chosen_option"),
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _step(
            request,
            deliberation,
            template=template,
            form=form,
            title=title,
            status=outcome.status,
            refusal=outcome.refusal,
            **extra,
        )
    messages.success(request, _("The meeting is recorded: the deliberation is closed and the votes are published."))
    return redirect("deliberation:detail", pk=deliberation.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def to_matter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """File the decision as a matter of the closed loop, at a building of the community."""
    deliberation = _managed(request, pk)
    title = _("Turn the decision into a matter")
    template = "deliberation/to_matter.html"
    buildings = selectors.building_choices(deliberation)
    if request.method == "GET":
        form = ToMatterForm(
            initial={"version": deliberation.version, "text": services.matter_text(deliberation)}, buildings=buildings
        )
        return _step(request, deliberation, template=template, form=form, title=title)
    form = ToMatterForm(request.POST, buildings=buildings)
    outcome = perform(
        form,
        lambda: services.deliberation_to_matter(
            actor=request.user,
            deliberation=deliberation,
            building=form.cleaned_data["building"],
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _step(
            request,
            deliberation,
            template=template,
            form=form,
            title=title,
            status=outcome.status,
            refusal=outcome.refusal,
        )
    messages.success(request, _("The decision is filed as matter %(number)s.") % {"number": outcome.result.number})
    return redirect("deliberation:detail", pk=deliberation.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def to_proposal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose the decision as a 民生实事 project in the community's or its street's programme."""
    deliberation = _managed(request, pk)
    title = _("Turn the decision into a project proposal")
    template = "deliberation/to_proposal.html"
    programmes = services.programme_choices_for(deliberation)
    if request.method == "GET":
        meeting = selectors.meeting_of(deliberation)
        form = ToProposalForm(
            initial={
                "version": deliberation.version,
                "title": deliberation.topic,
                "description": meeting.decision if meeting is not None else "",
                "location": deliberation.community.name,
                "programme": programmes.first(),
            },
            programmes=programmes,
        )
        return _step(request, deliberation, template=template, form=form, title=title, programmes=programmes)
    form = ToProposalForm(request.POST, programmes=programmes)
    outcome = perform(
        form,
        lambda: services.deliberation_to_proposal(
            actor=request.user,
            deliberation=deliberation,
            programme=form.cleaned_data["programme"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            estimated_cost=form.cleaned_data["estimated_cost"],
            location=form.cleaned_data["location"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if not outcome.done:
        return _step(
            request,
            deliberation,
            template=template,
            form=form,
            title=title,
            status=outcome.status,
            refusal=outcome.refusal,
            programmes=programmes,
        )
    messages.success(request, _("The decision is proposed as a project: screen it with the other proposals."))
    return redirect("deliberation:proposal-detail", pk=outcome.result.pk)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def to_clause_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the decision as a clause of a co-construction contract of the community under negotiation."""
    deliberation = _managed(request, pk)
    title = _("Turn the decision into a contract clause")
    template = "deliberation/to_clause.html"
    contracts = services.contract_choices_for(deliberation)
    if request.method == "GET":
        meeting = selectors.meeting_of(deliberation)
        first = contracts.first()
        form = ToClauseForm(
            initial={
                "version": deliberation.version,
                "contract": first,
                "content": meeting.decision if meeting is not None else "",
            },
            contracts=contracts,
        )
        return _step(request, deliberation, template=template, form=form, title=title, contracts=contracts)
    form = ToClauseForm(request.POST, contracts=contracts)

    def call() -> Any:
        values = form.cleaned_data
        contract = values["contract"]
        return services.deliberation_to_clause(
            actor=request.user,
            deliberation=deliberation,
            contract=contract,
            values=ClauseValues(
                menu=values["menu"],
                done_by=values["done_by"],
                content=values["content"],
                due_on=values["due_on"],
                measure=values["measure"],
                field=values["field"],
            ),
            contract_version=contract.version,
            expected_version=values["version"],
        )

    outcome = perform(form, call)
    if not outcome.done:
        return _step(
            request,
            deliberation,
            template=template,
            form=form,
            title=title,
            status=outcome.status,
            refusal=outcome.refusal,
            contracts=contracts,
        )
    messages.success(
        request,
        _("The decision is drafted as a clause of contract %(number)s.") % {"number": outcome.result.contract.number},
    )
    return redirect("deliberation:detail", pk=deliberation.pk)
