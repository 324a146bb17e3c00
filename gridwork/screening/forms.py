"""The screening's forms: the month's screening of a grid with its entries as a small formset (made for a phone on a
visit: one column, big inputs), an entry's status, and the filters of the lists."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import DateInput, StyledForm
from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.places.models import Place
from gridwork.screening.models import EntryStatus
from gridwork.screening.services import MAX_ENTRIES, MAX_LOCATION, MAX_NOTE, MAX_PARTIES, MAX_SUMMARY, EntryInput

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class MonthInput(forms.DateInput):
    """The browser's month picker; the value is written as ``YYYY-MM``."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m")


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = obj.parent.name if obj.parent_id else ""
        return f"{obj.name}" if not parent or obj.name.startswith(parent) else f"{parent} · {obj.name}"


class ScreeningForm(StyledForm):
    """The month's screening of one grid."""

    grid = PlaceChoiceField(label=_("Grid"), queryset=Place.objects.none())
    month = forms.DateField(label=_("Month screened"), input_formats=MONTH_FORMATS, widget=MonthInput())
    screened_on = forms.DateField(label=_("Screened on"), widget=DateInput())
    households_visited = forms.IntegerField(
        label=_("Households visited"),
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    found_nothing = forms.BooleanField(
        label=_("Nothing found this month"),
        required=False,
        help_text=_("Tick only when no risk or dispute was found; leave the entries below empty then."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, grids: QuerySet[Place], **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"month": today.replace(day=1), "screened_on": today, **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        grid = self.fields["grid"]
        assert isinstance(grid, forms.ModelChoiceField)
        grid.queryset = grids
        if len(grids) == 1 and "grid" not in self.initial:
            self.initial["grid"] = grids[0].pk

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"]
        return month.replace(day=1)


class EntryForm(StyledForm):
    """One risk or dispute found on the visit."""

    dispute_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *DisputeType.choices])
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    summary = forms.CharField(
        label=_("What was found"), max_length=MAX_SUMMARY, widget=forms.Textarea(attrs={"rows": 3})
    )
    parties = forms.CharField(
        label=_("Parties (names and contacts as told)"),
        max_length=MAX_PARTIES,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    location = forms.CharField(label=_("Where"), max_length=MAX_LOCATION)
    household = PlaceChoiceField(
        label=_("Household (optional)"), queryset=Place.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, households: QuerySet[Place] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        household = self.fields["household"]
        assert isinstance(household, forms.ModelChoiceField)
        household.queryset = households if households is not None else Place.objects.none()

    def entry(self) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            dispute_type=data["dispute_type"],
            risk=data["risk"],
            summary=data["summary"],
            parties=data["parties"],
            location=data["location"],
            household=data.get("household"),
        )


EntryFormSet = forms.formset_factory(EntryForm, extra=1, max_num=MAX_ENTRIES, validate_max=True)
ENTRY_PREFIX = "entries"


def entry_formset(data: Any = None, *, households: QuerySet[Place]) -> Any:
    return EntryFormSet(data, prefix=ENTRY_PREFIX, form_kwargs={"households": households})


class StatusForm(StyledForm):
    """Watched, or settled on the spot (say how)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(EntryStatus.WATCHED, EntryStatus.WATCHED.label), (EntryStatus.SETTLED, EntryStatus.SETTLED.label)],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE)


class ScreeningFilterForm(StyledForm):
    month = forms.DateField(label=_("Month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput())
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Place.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities


class EntryFilterForm(ScreeningFilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *EntryStatus.choices])
    dispute_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *DisputeType.choices])
    risk = forms.ChoiceField(label=_("Risk level"), required=False, choices=[("", _("All")), *RiskLevel.choices])
