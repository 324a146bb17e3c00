"""Forms of the volunteer orders' pages. They check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.party.skills import Skill
from gridwork.places.models import Place
from gridwork.volunteers.models import MAX_HOURS, OrderState, ServiceItem
from gridwork.volunteers.services import MAX_DESCRIPTION, MAX_ITEM_NAME, MAX_NAME, MAX_TEXT

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class VersionForm(forms.Form):
    """What every move's form carries: the version of the order the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- residents --------------------------------------------------------------------------------------------------------


class OrderForm(forms.Form):
    """点单: a service from the menu or free text, for whom, and when."""

    building = forms.CharField(
        label=_("Building"),
        widget=forms.HiddenInput,
        max_length=32,
        error_messages={"required": _("Choose the building where the service is needed.")},
    )
    item = forms.ModelChoiceField(
        label=_("Service"),
        queryset=ServiceItem.objects.none(),
        required=False,
        empty_label=_("Something else (say what below)"),
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("What is needed"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3, "maxlength": MAX_TEXT}),
        help_text=_("Required if the service is not on the menu; otherwise any details that help."),
    )
    for_name = forms.CharField(label=_("For (name)"), max_length=MAX_NAME, widget=forms.TextInput(attrs=INPUT))
    for_phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "tel", "autocomplete": "tel"}),
    )
    wanted_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    wanted_from = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={**INPUT, "type": "time"})
    )
    wanted_to = forms.TimeField(label=_("To"), required=False, widget=forms.TimeInput(attrs={**INPUT, "type": "time"}))

    def __init__(self, *args: Any, menu: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if menu is not None:
            self.fields["item"].queryset = menu  # type: ignore[attr-defined]
        self.fields["item"].error_messages["invalid_choice"] = _("This service is not on the menu of your community.")


class RateForm(VersionForm):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3, "maxlength": MAX_TEXT}),
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": MAX_TEXT}),
    )


# --- members ----------------------------------------------------------------------------------------------------------


class CompleteForm(VersionForm):
    hours = forms.DecimalField(
        label=_("Hours of service"),
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.5", "min": "0.5", "max": str(MAX_HOURS)}),
    )
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": MAX_TEXT}),
    )


# --- staff ------------------------------------------------------------------------------------------------------------


class IssueForm(VersionForm):
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one member.")},
    )
    note = forms.CharField(
        label=_("Note to the members"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": MAX_TEXT}),
    )

    def __init__(self, *args: Any, member_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(pk, str(pk)) for pk in member_ids or []]  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *OrderState.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    q = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}),
    )


class ServiceItemForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Offered in"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        help_text=_("A service offered by a street, district or city is on the menu of all its communities."),
    )
    name = forms.CharField(label=_("Service"), max_length=MAX_ITEM_NAME, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
    )
    skill = forms.ChoiceField(
        label=_("Skill needed"),
        required=False,
        choices=[("", _("No particular skill")), *Skill.choices],
        widget=forms.Select(attrs=SELECT),
        help_text=_("Members who list this skill come first among the suggestions."),
    )
    active = forms.BooleanField(
        label=_("On the menu"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, places: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["place"]
        else:
            del self.fields["active"]
            if places is not None:
                self.fields["place"].queryset = places  # type: ignore[attr-defined]
