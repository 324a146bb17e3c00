"""The forms of grid workers' visits: the visit log (phone-first: one column, large fields), turning a need into a
micro-wish or a dispute case, and the month picker of the coverage and the map."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import DateInput, StyledForm
from gridwork.gridvisits.models import GridVisit
from gridwork.gridvisits.services import MAX_NEED, MAX_NEEDS, MAX_PHOTOS, MAX_TEXT, VisitInput
from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.places.models import Place

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; the content check is the service's (``clean_evidence``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class VisitForm(StyledForm):
    visited_on = forms.DateField(label=_("Day of the visit"), widget=DateInput())
    seen = forms.CharField(label=_("What you saw (看)"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    asked = forms.CharField(
        label=_("What you asked (问)"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = forms.CharField(
        label=_("Needs found (记)"),
        required=False,
        max_length=MAX_NEEDS * (MAX_NEED + 1),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One need per line; each can then become a matter, a micro-wish or a dispute case."),
    )
    resolved = forms.CharField(
        label=_("Resolved on the spot (化)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    corrects = forms.ModelChoiceField(
        label=_("Corrects an earlier visit"),
        queryset=GridVisit.objects.none(),
        required=False,
        help_text=_("Visits are never changed: to correct one, record the visit again and name it here."),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(max)d photos (JPEG, PNG, WEBP); their location data is removed.") % {"max": MAX_PHOTOS},
    )

    def __init__(self, *args: Any, corrections: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["corrects"]
        if corrections is not None:
            field.queryset = corrections
        field.label_from_instance = lambda visit: f"{visit.visited_on:%Y-%m-%d} · #{visit.pk}"

    def to_input(self, household: Place) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            household=household,
            visited_on=data["visited_on"],
            seen=data["seen"],
            asked=data.get("asked") or "",
            resolved=data.get("resolved") or "",
            needs=(data.get("needs") or "").splitlines(),
            corrects=data.get("corrects"),
        )


class WishForm(StyledForm):
    title = forms.CharField(label=_("Wish"), max_length=60)
    value = forms.DecimalField(label=_("Value (yuan)"), min_value=0, max_digits=8, decimal_places=2, required=False)
    beneficiary_name = forms.CharField(label=_("For whom"), max_length=40)
    beneficiary_phone = forms.CharField(label=_("Their phone"), max_length=20, required=False)


class CaseForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=80)
    dispute_type = forms.ChoiceField(label=_("Type of dispute"), choices=DisputeType.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    applicant = forms.CharField(label=_("Applicant"), max_length=60)
    respondent = forms.CharField(
        label=_("Respondent"),
        max_length=60,
        required=False,
        help_text=_("Required for a dispute between two sides (every type but “Other”)."),
    )


def this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def parse_month(value: str | None) -> tuple[int, int]:
    """``YYYY-MM`` from a query string, or this month when it is missing or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        date(year, month, 1)
    except ValueError:
        return this_month()
    return year, month
