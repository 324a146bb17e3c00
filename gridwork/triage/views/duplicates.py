"""Staff pages of the duplicate finder (查重): the per-category rules, and the likely duplicates of a text being
typed at intake (JSON, for the page's script)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.matters.models import Category
from gridwork.matters.selectors import category_choices
from gridwork.triage.duplicates import (
    DEFAULT_THRESHOLDS,
    RADIUS_RANGE,
    TEXT_MIN,
    WINDOW_RANGE,
    duplicate_policy_delete,
    duplicate_policy_save,
    likely_duplicates,
    place_of,
)
from gridwork.triage.models import DuplicatePolicy

SIMILAR_LIMIT = 5
TEXT_MAX = 2000
NUMBER_INPUT = {"class": "form-control form-control-sm"}


class DuplicatePolicyForm(forms.Form):
    """A category's rule: how alike, how near and how recent a matter must be to be shown as a likely duplicate."""

    category = forms.ChoiceField(label=gettext_lazy("Category"), widget=forms.Select(attrs={"class": "form-select"}))
    min_similarity = forms.FloatField(
        label=gettext_lazy("Minimum text similarity"),
        min_value=0.0,
        max_value=1.0,
        help_text=gettext_lazy("From 0 to 1; higher shows fewer, closer matches."),
        widget=forms.NumberInput(attrs={**NUMBER_INPUT, "step": "0.01"}),
    )
    radius_m = forms.IntegerField(
        label=gettext_lazy("Radius (m)"),
        min_value=RADIUS_RANGE[0],
        max_value=RADIUS_RANGE[1],
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    window_days = forms.IntegerField(
        label=gettext_lazy("Time window (days)"),
        min_value=WINDOW_RANGE[0],
        max_value=WINDOW_RANGE[1],
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a category")), *category_choices(value="pk")]

    def clean_category(self) -> Category:
        category = Category.objects.filter(pk=self.cleaned_data["category"], is_active=True).first()
        if category is None:
            raise ValidationError(_("Choose a category from the list."), code="unknown_category")
        return category


def _policy_form(request: HttpRequest, policy: DuplicatePolicy | None) -> DuplicatePolicyForm:
    if request.method == "POST":
        return DuplicatePolicyForm(request.POST)
    if policy is None:
        return DuplicatePolicyForm(
            initial={
                "min_similarity": DEFAULT_THRESHOLDS.min_similarity,
                "radius_m": DEFAULT_THRESHOLDS.radius_m,
                "window_days": DEFAULT_THRESHOLDS.window_days,
            }
        )
    return DuplicatePolicyForm(
        initial={
            "category": str(policy.category_id),
            "min_similarity": policy.min_similarity,
            "radius_m": policy.radius_m,
            "window_days": policy.window_days,
        }
    )


def _policy_or_404(raw: Any) -> DuplicatePolicy | None:
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    policy = DuplicatePolicy.objects.select_related("category").filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


@staff_view(Perm.MANAGE_TRIAGE)
@require_http_methods(["GET", "POST"])
def policy_list_view(request: HttpRequest) -> HttpResponse:
    """The categories' duplicate rules: the list, and a form to add one or change the one chosen (``?edit=``)."""
    source = request.POST if request.method == "POST" else request.GET
    policy = _policy_or_404(source.get("policy") or source.get("edit"))
    status = 200
    if request.method == "POST" and request.POST.get("action") == "delete":
        if policy is None:
            raise Http404
        duplicate_policy_delete(actor=request.user, policy=policy, request=request)
        messages.success(request, _("The rule of %(category)s has been deleted.") % {"category": policy.category.name})
        return redirect("triage:duplicate-policies")
    form = _policy_form(request, policy)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = duplicate_policy_save(
                    actor=request.user,
                    policy=policy,
                    category=data["category"],
                    min_similarity=data["min_similarity"],
                    radius_m=data["radius_m"],
                    window_days=data["window_days"],
                    request=request,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The rule of %(category)s has been saved.") % {"category": saved.category})
                return redirect("triage:duplicate-policies")
    policies = DuplicatePolicy.objects.select_related("category__parent__parent").order_by("category__code")
    return render(
        request,
        "triage/duplicate_policies.html",
        {
            "policies": policies,
            "form": form,
            "editing": policy,
            "defaults": DEFAULT_THRESHOLDS,
            "breadcrumbs": [
                {"label": _("Smart triage"), "url": reverse("triage:model-list")},
                {"label": _("Duplicate rules"), "url": ""},
            ],
        },
        status=status,
    )


# --- while typing -------------------------------------------------------------------------------------------


def _category_of(raw: str) -> Category | None:
    raw = raw.strip()[:32]
    if not raw:
        return None
    if raw.isdigit():
        return Category.objects.filter(pk=int(raw)).first()
    return Category.objects.filter(code=raw).first()


@staff_view(Perm.FILE_MATTERS)
@require_GET
def similar_view(request: HttpRequest) -> JsonResponse:
    """The open matters in the user's area likely to be the same problem as the text being typed, best first."""
    text = request.GET.get("text", "").strip()[:TEXT_MAX]
    if len(text) < TEXT_MIN:
        return JsonResponse({"results": [], "message": _("Type a few more words to look for duplicates.")})
    latitude, longitude, grid = place_of(request.GET)
    candidates = likely_duplicates(
        text=text,
        latitude=latitude,
        longitude=longitude,
        grid=grid,
        category=_category_of(request.GET.get("category", "")),
        limit=SIMILAR_LIMIT,
        visible_to=request.user,
    )
    results = [
        {
            "number": candidate.matter.number,
            "title": candidate.matter.title,
            "url": reverse("matters:detail", args=[candidate.matter.number]),
            "state": candidate.matter.get_state_display(),
            "category": candidate.matter.category.name if candidate.matter.category is not None else "",
            "similarity": candidate.percent,
            "distance_m": round(candidate.distance_m) if candidate.distance_m is not None else None,
            "days_ago": candidate.days_ago,
            "reason": candidate.reason,
        }
        for candidate in candidates
    ]
    return JsonResponse({"results": results, "message": ""})
