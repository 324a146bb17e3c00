"""Forms of the points pages. They read the shape of the input; the rules are the services' (``rules``,
``rewards``, ``exchanges``), whose field errors the views put back beside the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.places.models import Place
from gridwork.points.exchanges import MAX_REASON
from gridwork.points.models import PointBasis
from gridwork.points.rewards import MAX_COST, MAX_DESCRIPTION, MAX_NAME, MAX_STOCK
from gridwork.points.rules import MAX_NOTE, MAX_POINTS

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def place_label(place: Place) -> str:
    parent = place.parent
    return f"{place.name} · {parent.name}" if parent is not None else place.name


class RuleForm(forms.Form):
    basis = forms.ChoiceField(label=_("Pays for"), choices=PointBasis.choices, widget=forms.Select(attrs=SELECT))
    points = forms.IntegerField(
        label=_("Points per unit"),
        min_value=1,
        max_value=MAX_POINTS,
        widget=forms.NumberInput(attrs=INPUT),
        help_text=_("A part of a unit (1.5 hours) earns its share, rounded down to whole points."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
        help_text=_("The last day the rule pays for. Leave it empty for a rule with no end."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.TextInput(attrs=INPUT))


class RuleEndForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
        help_text=_("The rule pays for this day and no later; a new rule may start the day after."),
    )


class RewardForm(forms.Form):
    """A reward: who offers it (when it is made), what it is, its cost and stock. An edit carries the stock the
    page showed (``stock_was``), so that an approval meanwhile is not overwritten."""

    place = forms.ChoiceField(label=_("Offered by"), widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
    )
    cost = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_COST, widget=forms.NumberInput(attrs=INPUT))
    stock = forms.IntegerField(
        label=_("In stock"),
        required=False,
        min_value=0,
        max_value=MAX_STOCK,
        widget=forms.NumberInput(attrs=INPUT),
        help_text=_("Leave it empty for no limit."),
    )
    stock_was = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, places: QuerySet[Place] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is None:
            del self.fields["place"]
        else:
            field: Any = self.fields["place"]
            field.choices = [("", _("Choose…")), *((p.code, place_label(p)) for p in places)]

    def clean_stock_was(self) -> int | None:
        value = (self.cleaned_data.get("stock_was") or "").strip()
        if not value:
            return None
        try:
            return int(value)
        except ValueError as bad:
            raise ValidationError(_("Reload the page and try again.")) from bad


class DecisionForm(forms.Form):
    """Approve or reject, at the version the page showed; a rejection needs its reason (the service says so)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
        help_text=_("The member sees this reason."),
    )


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
