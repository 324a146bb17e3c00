"""Staff pages of one assessment: its page (each level's scores side by side, vetoes, evidence, stars, adjustments,
history, the deadline), and a page per level — the target's self-assessment with its evidence, the street's review
(approve or return), the city's acceptance (stars; or send back), the higher review, lowering stars — and the evidence
download. Reads go through ``ratings.selectors`` (VIEW_RATINGS over the target's place: 404 outside), writes through
``ratings.services`` (which check the role over the target again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.ratings import selectors, services
from gridwork.ratings.flows import EDITABLE_STATES
from gridwork.ratings.forms import CommentForm, EvidenceForm, LevelForm, LowerForm, RemoveEvidenceForm
from gridwork.ratings.models import Assessment, ScoreLevel
from gridwork.ratings.views.common import crumbs, evidence_response, perform
from gridwork.schemes.scoring import VersionContent

MOVE_URLS = {
    "self": "ratings:assessment-self",
    "review": "ratings:assessment-review",
    "accept": "ratings:assessment-accept",
    "higher": "ratings:assessment-higher",
    "lower": "ratings:assessment-lower",
}
MOVE_LABELS = {
    "self": gettext_lazy("Self-assess"),
    "review": gettext_lazy("Review"),
    "accept": gettext_lazy("Accept and set stars"),
    "higher": gettext_lazy("Higher review"),
    "lower": gettext_lazy("Lower the stars"),
}


def _target_label(request: HttpRequest, assessment: Assessment) -> str:
    """The target's name as the viewer may see it (a secretary's masked without VIEW_PERSONAL_DATA)."""
    return selectors.target_label(assessment.target, selectors.personal_paths(request.user))


def _context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    target = assessment.target
    round_ = target.round
    return {
        "assessment": assessment,
        "target": target,
        "round": round_,
        "label": _target_label(request, assessment),
        "deadline": selectors.deadline_of(assessment, round_),
        "sheet": selectors.score_sheet(assessment),
    }


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    moves = services.allowed_moves(user, assessment)
    return render(
        request,
        "ratings/assessments/detail.html",
        {
            **_context(request, assessment),
            "moves": [(move, MOVE_URLS[move], MOVE_LABELS[move]) for move in moves],
            "timeline": selectors.assessment_timeline(assessment),
            "adjustments": list(selectors.adjustments_of(assessment)),
            "breadcrumbs": crumbs(assessment.target.round, label=_target_label(request, assessment)),
        },
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def evidence_view(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """A stored evidence file, to those who may see the assessment (404 for anyone else)."""
    return evidence_response(selectors.evidence_get(user=request.user, assessment_pk=pk, pk=evidence_pk))


def _level_page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    mode: str,
    forms_: dict[str, forms.Form],
    status: int,
    refusal: str,
    possible: bool,
    content: VersionContent,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    level_form = next((form for form in forms_.values() if isinstance(form, LevelForm)), None)
    return render(
        request,
        "ratings/assessments/level.html",
        {
            **_context(request, assessment),
            "mode": mode,
            "forms": forms_,
            "level_form": level_form,
            "fields": level_form.indicator_fields() if level_form is not None else {},
            "veto_fields": level_form.veto_fields() if level_form is not None else {},
            "refusal": refusal,
            "possible": possible,
            "content": content,
            "heading": MOVE_LABELS[mode],
            "breadcrumbs": crumbs(
                assessment.target.round,
                assessment,
                str(MOVE_LABELS[mode]),
                target_label=_target_label(request, assessment),
            ),
            **(extra or {}),
        },
        status=status or 200,
    )


def _prefill(assessment: Assessment, content: VersionContent, *levels: str) -> services.LevelInput:
    """The first of ``levels`` that has scored (this level's own, then the one below)."""
    for level in levels:
        found = services.level_input_of(assessment, level, content)
        if found.answers or found.vetoes:
            return found
    return services.LevelInput()


# --- the target: self-assessment and evidence ------------------------------------------------------------------------


@staff_view(Perm.SELF_ASSESS)
@require_http_methods(["GET", "POST"])
def self_view(request: HttpRequest, pk: int) -> HttpResponse:
    """社区自查: the target's own unit answers the indicators, attaches evidence, saves and submits."""
    user: Any = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    if not services.may_self_assess(user, assessment.target):
        raise PermissionDenied
    content = services.content_of(assessment)
    initial = {"version": assessment.version}
    level_form = LevelForm(
        prefix="self",
        content=content,
        prefill=services.level_input_of(assessment, ScoreLevel.SELF, content),
        initial=initial,
    )
    evidence_form = EvidenceForm(prefix="evidence", content=content, initial=initial)
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("save", "submit"):
            level_form = LevelForm(request.POST, prefix="self", content=content)
            service = services.assessment_submit if action == "submit" else services.assessment_save
            status, refusal = perform(
                level_form,
                lambda: service(
                    actor=user,
                    assessment=assessment,
                    values=level_form.level_input(),
                    expected_version=level_form.cleaned_data["version"],
                ),
            )
            done = _("The self-assessment is submitted.") if action == "submit" else _("The self-assessment is saved.")
        elif action == "attach":
            evidence_form = EvidenceForm(request.POST, request.FILES, prefix="evidence", content=content)
            status, refusal = perform(
                evidence_form,
                lambda: services.evidence_add(
                    actor=user,
                    assessment=assessment,
                    file=evidence_form.cleaned_data.get("file"),
                    link=evidence_form.cleaned_data.get("link") or "",
                    indicator=evidence_form.cleaned_data.get("indicator"),
                    note=evidence_form.cleaned_data.get("note") or "",
                    expected_version=evidence_form.cleaned_data["version"],
                ),
            )
            done = _("The evidence is added.")
        elif action == "detach":
            remove_form = RemoveEvidenceForm(request.POST, prefix="detach")
            status, refusal = perform(
                remove_form,
                lambda: services.evidence_remove(
                    actor=user,
                    assessment=assessment,
                    evidence=remove_form.cleaned_data["evidence"],
                    expected_version=remove_form.cleaned_data["version"],
                ),
            )
            if status == 400 and not refusal:
                refusal = "; ".join(str(message) for errors in remove_form.errors.values() for message in errors)
            done = _("The evidence is removed.")
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if status == 0:
            messages.success(request, done)
            if action == "submit":
                return redirect("ratings:assessment", pk=assessment.pk)
            return redirect("ratings:assessment-self", pk=assessment.pk)
        assessment = selectors.assessment_get(user=user, pk=pk)
    possible = assessment.state in EDITABLE_STATES and "self" in services.allowed_moves(user, assessment)
    return _level_page(
        request,
        assessment,
        mode="self",
        forms_={"self": level_form, "evidence": evidence_form},
        status=status,
        refusal=refusal,
        possible=possible,
        content=content,
        extra={
            "evidence": list(selectors.evidence_list(assessment)),
            "missing_evidence": services.missing_evidence(assessment, content),
        },
    )


# --- the street's review ----------------------------------------------------------------------------------------------


@staff_view(Perm.REVIEW_RATINGS)
@require_http_methods(["GET", "POST"])
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """街道初审: approve with the street's scores (prefilled from the self-assessment), or return with a comment."""
    user: Any = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    if not services.may_review(user, assessment.target):
        raise PermissionDenied
    content = services.content_of(assessment)
    initial = {"version": assessment.version}
    level_form = LevelForm(
        prefix="approve",
        content=content,
        prefill=_prefill(assessment, content, ScoreLevel.STREET, ScoreLevel.SELF),
        initial=initial,
    )
    return_form = CommentForm(prefix="return", initial=initial)
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "approve":
            level_form = LevelForm(request.POST, prefix="approve", content=content)
            status, refusal = perform(
                level_form,
                lambda: services.assessment_approve(
                    actor=user,
                    assessment=assessment,
                    values=level_form.level_input(),
                    expected_version=level_form.cleaned_data["version"],
                ),
            )
            done = _("Approved: the assessment goes to the city.")
        elif action == "return":
            return_form = CommentForm(request.POST, prefix="return")
            status, refusal = perform(
                return_form,
                lambda: services.assessment_return(
                    actor=user,
                    assessment=assessment,
                    comment=return_form.cleaned_data.get("comment", ""),
                    expected_version=return_form.cleaned_data["version"],
                ),
            )
            done = _("Returned to the target with your comment.")
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if status == 0:
            messages.success(request, done)
            return redirect("ratings:assessment", pk=assessment.pk)
        assessment = selectors.assessment_get(user=user, pk=pk)
    return _level_page(
        request,
        assessment,
        mode="review",
        forms_={"approve": level_form, "return": return_form},
        status=status,
        refusal=refusal,
        possible="review" in services.allowed_moves(user, assessment),
        content=content,
        extra={"evidence": list(selectors.evidence_list(assessment))},
    )


# --- the city ---------------------------------------------------------------------------------------------------------


def _starred_view(request: HttpRequest, pk: int, *, mode: str) -> HttpResponse:
    user: Any = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    if not services.may_accept(user, assessment.target):
        raise PermissionDenied
    content = services.content_of(assessment)
    initial = {"version": assessment.version}
    levels = (ScoreLevel.CITY, ScoreLevel.STREET) if mode == "accept" else (ScoreLevel.HIGHER, ScoreLevel.CITY)
    level_form = LevelForm(
        prefix=mode, content=content, prefill=_prefill(assessment, content, *levels), with_stars=True, initial=initial
    )
    forms_: dict[str, forms.Form] = {mode: level_form}
    back_form = CommentForm(prefix="send_back", initial=initial)
    if mode == "accept":
        forms_["send_back"] = back_form
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == mode:
            level_form = LevelForm(request.POST, prefix=mode, content=content, with_stars=True)
            forms_[mode] = level_form
            service = services.assessment_accept if mode == "accept" else services.assessment_higher_review
            status, refusal = perform(
                level_form,
                lambda: service(
                    actor=user,
                    assessment=assessment,
                    values=level_form.level_input(),
                    stars=level_form.chosen_stars(),
                    reason=level_form.cleaned_data.get("reason") or "",
                    expected_version=level_form.cleaned_data["version"],
                ),
            )
            done = _("Accepted: the stars are set.") if mode == "accept" else _("The higher review is recorded.")
        elif action == "send_back" and mode == "accept":
            back_form = CommentForm(request.POST, prefix="send_back")
            forms_["send_back"] = back_form
            status, refusal = perform(
                back_form,
                lambda: services.assessment_send_back(
                    actor=user,
                    assessment=assessment,
                    comment=back_form.cleaned_data.get("comment", ""),
                    expected_version=back_form.cleaned_data["version"],
                ),
            )
            done = _("Sent back to the street's review.")
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if status == 0:
            messages.success(request, done)
            return redirect("ratings:assessment", pk=assessment.pk)
        assessment = selectors.assessment_get(user=user, pk=pk)
    return _level_page(
        request,
        assessment,
        mode=mode,
        forms_=forms_,
        status=status,
        refusal=refusal,
        possible=mode in services.allowed_moves(user, assessment),
        content=content,
        extra={"evidence": list(selectors.evidence_list(assessment))},
    )


@staff_view(Perm.ACCEPT_RATINGS)
@require_http_methods(["GET", "POST"])
def accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    """市级验收: the city's scores and the stars (by default those the score reaches); or send back to the street."""
    return _starred_view(request, pk, mode="accept")


@staff_view(Perm.ACCEPT_RATINGS)
@require_http_methods(["GET", "POST"])
def higher_view(request: HttpRequest, pk: int) -> HttpResponse:
    """上级复核 of an accepted assessment, in a round with a higher review."""
    return _starred_view(request, pk, mode="higher")


@staff_view(Perm.ACCEPT_RATINGS)
@require_http_methods(["GET", "POST"])
def lower_view(request: HttpRequest, pk: int) -> HttpResponse:
    """动态调整: lower the stars of an accepted target on a recorded reason (a veto item takes them all)."""
    user: Any = request.user
    assessment = selectors.assessment_get(user=user, pk=pk)
    if not services.may_accept(user, assessment.target):
        raise PermissionDenied
    content = services.content_of(assessment)
    form = LowerForm(request.POST or None, content=content, initial={"version": assessment.version})
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal = perform(
            form,
            lambda: services.assessment_lower_stars(
                actor=user,
                assessment=assessment,
                stars=form.cleaned_data.get("stars"),
                reason=form.cleaned_data["reason"],
                veto_item=form.cleaned_data.get("veto_item"),
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            messages.success(request, _("The stars are lowered."))
            return redirect("ratings:assessment", pk=assessment.pk)
        assessment = selectors.assessment_get(user=user, pk=pk)
    return render(
        request,
        "ratings/assessments/lower.html",
        {
            **_context(request, assessment),
            "form": form,
            "refusal": refusal,
            "possible": "lower" in services.allowed_moves(user, assessment),
            "adjustments": list(selectors.adjustments_of(assessment)),
            "today": timezone.localdate(),
            "breadcrumbs": crumbs(
                assessment.target.round,
                assessment,
                _("Lower the stars"),
                target_label=_target_label(request, assessment),
            ),
        },
        status=status or 200,
    )
