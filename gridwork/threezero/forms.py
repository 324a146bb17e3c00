"""Forms of the three-zero pages. Places and units are named by code (a place's code, a unit's unified social credit
code) so that a city-wide user does not load thousands of grids into a select; the views look the codes up within
the user's scope and the services check the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import DateInput, StyledForm
from gridwork.places.models import Place
from gridwork.threezero.flows import ApplicationAction
from gridwork.threezero.models import ApplicationState, IncidentKind

SMALL_SELECT = {"class": "form-select form-select-sm"}


class PlaceChoiceField(forms.ModelChoiceField[Place]):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} ({obj.code})"


class IncidentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DateInput())
    place = forms.CharField(
        label=_("Street, community or grid (code)"),
        required=False,
        max_length=32,
        help_text=_("Type or pick the place's code. Leave empty when you name a resident unit."),
        widget=forms.TextInput(attrs={"list": "incident-places", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label=_("Resident unit (unified social credit code)"),
        required=False,
        max_length=18,
        help_text=_("Only when the incident is recorded against a resident unit."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=60,
        help_text=_("The number given by the police, the petition office or the safety authority, if any."),
    )
    summary = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Facts only; do not write people's names, phones or ID numbers."),
    )


class ApplicationForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    place = PlaceChoiceField(
        label=_("Street or community"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("Leave empty when a resident unit applies."),
    )
    unit = forms.CharField(
        label=_("Resident unit (unified social credit code)"),
        required=False,
        max_length=18,
        help_text=_("Only when a resident unit applies."),
    )
    statement = forms.CharField(
        label=_("Statement"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, places: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = places
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ApplicationAction.GRANT, _("Grant")), (ApplicationAction.REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    override = forms.BooleanField(
        label=_("Grant as an exception despite the incidents (the reason is recorded)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class IncidentFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=forms.Select(attrs=SMALL_SELECT))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *IncidentKind.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    area = PlaceChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("Anywhere in my area"),
        widget=forms.Select(attrs=SMALL_SELECT),
    )

    def __init__(self, *args: Any, years: list[int], areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = areas


class ApplicationFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=forms.Select(attrs=SMALL_SELECT))
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *ApplicationState.choices],
        required=False,
        widget=forms.Select(attrs=SMALL_SELECT),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", _("All years")), *[(y, str(y)) for y in years]]
