"""Staff pages of the rounds: the list, opening a round, a round with its targets (within the user's scope), their
state, totals, stars and deadlines (overdue highlighted), adding targets and closing the round."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.ratings import selectors, services
from gridwork.ratings.forms import AddAllForm, AddOneForm, FilterForm, ReasonForm, RoundForm
from gridwork.ratings.models import AssessmentState, RoundState
from gridwork.ratings.views.common import crumbs, perform


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """星级评定: every round, newest first, with how many of the user's targets it has and how many are accepted."""
    user: Any = request.user
    page, query = paginate(request, selectors.round_list(user=user))
    return render(
        request,
        "ratings/rounds/list.html",
        {
            "page_obj": page,
            "rounds": list(page),
            "query": query,
            "may_open": services.may_manage_rounds(user),
            "breadcrumbs": crumbs(),
        },
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """Open a round on a published scheme version."""
    user: Any = request.user
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None,
        versions=selectors.published_versions(),
        initial={
            "year": today.year,
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
        },
    )
    status = 200
    if request.method == "POST":
        created: list[Any] = []

        def move() -> None:
            data = form.cleaned_data
            created.append(
                services.round_create(
                    actor=user,
                    values=services.RoundValues(
                        name=data["name"],
                        year=data["year"],
                        scheme_version=data["scheme_version"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        self_due=data["self_due"],
                        review_due=data["review_due"],
                        accept_due=data["accept_due"],
                        higher_review=bool(data.get("higher_review")),
                        goal_stars=data["goal_stars"],
                        star_goal=data["star_goal"],
                    ),
                )
            )

        status, refusal = perform(form, move)
        if refusal:
            form.add_error(None, refusal)
        if status == 0:
            messages.success(request, _("The round is open. Add its targets now."))
            return redirect("ratings:round-targets", pk=created[0].pk)
    return render(
        request,
        "ratings/rounds/new.html",
        {"form": form, "breadcrumbs": crumbs(label=_("Open a round"))},
        status=status or 200,
    )


@staff_view(Perm.VIEW_RATINGS)
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A round: its settings, deadlines, the targets in the user's scope with state, totals, stars and what is
    overdue; closing it (MANAGE_ASSESSMENT)."""
    user: Any = request.user
    round_ = selectors.round_get(user=user, pk=pk)
    may_manage = services.may_manage_rounds(user)
    close_form = ReasonForm(prefix="close", initial={"version": round_.version})
    status, refusal = 200, ""
    if request.method == "POST":
        if request.POST.get("action") != "close":
            return HttpResponseBadRequest(_("Unknown action."))
        close_form = ReasonForm(request.POST, prefix="close")
        status, refusal = perform(
            close_form,
            lambda: services.round_close(
                actor=user,
                round_=round_,
                reason=close_form.cleaned_data.get("reason", ""),
                expected_version=close_form.cleaned_data["version"],
            ),
        )
        if status == 0:
            messages.success(request, _("The round is closed."))
            return redirect("ratings:round-detail", pk=round_.pk)
        round_ = selectors.round_get(user=user, pk=pk)
    bound = any(request.GET.get(key) for key in FilterForm.base_fields)
    filters = FilterForm(request.GET if bound else None)
    values = filters.cleaned_data if bound and filters.is_valid() else {}
    assessments = selectors.assessment_list(
        user=user, round_=round_, state=values.get("state", ""), overdue=bool(values.get("overdue"))
    )
    page, query = paginate(request, assessments)
    paths = selectors.personal_paths(user)
    today = timezone.localdate()
    rows = [
        {
            "assessment": assessment,
            "label": selectors.target_label(assessment.target, paths),
            "deadline": selectors.deadline_of(assessment, round_, today),
        }
        for assessment in page
    ]
    counts = selectors.state_counts(user=user, round_=round_)
    return render(
        request,
        "ratings/rounds/detail.html",
        {
            "round": round_,
            "rows": rows,
            "page_obj": page,
            "query": query,
            "filters": filters,
            "counts": [(state, label, counts.get(state, 0)) for state, label in AssessmentState.choices],
            "total": sum(counts.values()),
            "may_manage": may_manage and round_.state == RoundState.OPEN,
            "close_form": close_form,
            "refusal": refusal,
            "timeline": selectors.round_timeline(round_),
            "today": today,
            "breadcrumbs": crumbs(label=round_.name),
        },
        status=status or 200,
    )


@staff_view(Perm.MANAGE_ASSESSMENT)
@require_http_methods(["GET", "POST"])
def targets_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add targets to an open round: everything of its kind under a unit at once, or one by one."""
    user: Any = request.user
    round_ = selectors.round_get(user=user, pk=pk)
    places = selectors.places_for_targets(user=user)
    choices = selectors.target_choices(user=user, round_=round_)
    all_form = AddAllForm(prefix="all", places=places)
    one_form = AddOneForm(prefix="one", choices=choices)
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action")
        added: list[int] = []
        if action == "all":
            all_form = AddAllForm(request.POST, prefix="all", places=places)
            status, refusal = perform(
                all_form,
                lambda: added.append(
                    services.round_add_all(actor=user, round_=round_, under=all_form.cleaned_data["under"])
                ),
            )
        elif action == "one":
            one_form = AddOneForm(request.POST, prefix="one", choices=choices)
            status, refusal = perform(
                one_form,
                lambda: added.append(
                    services.round_add_one(actor=user, round_=round_, object_pk=one_form.cleaned_data["target"])
                ),
            )
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if status == 0:
            messages.success(request, _("%(count)d targets added.") % {"count": added[0]})
            return redirect("ratings:round-targets", pk=round_.pk)
    return render(
        request,
        "ratings/rounds/targets.html",
        {
            "round": round_,
            "all_form": all_form,
            "one_form": one_form,
            "refusal": refusal,
            "open": round_.state == RoundState.OPEN,
            "count": selectors.assessment_list(user=user, round_=round_).count(),
            "breadcrumbs": crumbs(round_, label=_("Add targets")),
        },
        status=status or 200,
    )
