"""Forms of the scheme builder. They parse what was typed; the rules (codes unique in a version, weights, the scale
of a computed indicator, thresholds rising with the stars, only a draft edited) are the services', whose refusals
the views put back on these forms' fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import StyledForm
from gridwork.schemes.models import IndicatorGroup, IndicatorMethod, SchemeVersion, TargetKind
from gridwork.schemes.services import PRESET_KEYS, PRESET_LABELS
from gridwork.schemes.sources import SOURCES, source_choices


class SchemeForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    target_kind = forms.ChoiceField(label=_("Rates"), choices=TargetKind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SchemeEditForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(StyledForm):
    note = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PresetForm(forms.Form):
    key = forms.ChoiceField(choices=[(key, PRESET_LABELS[key]) for key in PRESET_KEYS])


class GroupForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    weight = forms.DecimalField(
        label=_("Weight"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=_("A share of 100: the weights of a version's groups must add up to 100."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, required=False)


class IndicatorForm(StyledForm):
    group = forms.ModelChoiceField(label=_("Group"), queryset=IndicatorGroup.objects.none())
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("How it is assessed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    max_score = forms.DecimalField(label=_("Maximum score"), max_digits=6, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=_("Scored"), choices=IndicatorMethod.choices)
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    source = forms.ChoiceField(
        label=_("Figure (computed only)"), required=False, help_text=_("The figure the platform computes.")
    )
    full_at = forms.DecimalField(
        label=_("Full marks at"),
        required=False,
        max_digits=12,
        decimal_places=4,
        help_text=_("The figure that earns the maximum score (computed only)."),
    )
    zero_at = forms.DecimalField(
        label=_("Zero at"),
        required=False,
        max_digits=12,
        decimal_places=4,
        help_text=_("The figure that earns nothing; linear between. Below full marks when less is better."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, required=False)

    def __init__(self, *args: Any, version: SchemeVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = version.groups.order_by("order", "id")
        source_field = self.fields["source"]
        assert isinstance(source_field, forms.ChoiceField)
        source_field.choices = [("", "—"), *source_choices(version.scheme.target_kind)]

    @staticmethod
    def source_units() -> dict[str, str]:
        return {key: source.unit for key, source in SOURCES.items()}


class VetoForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, required=False)


class ThresholdsForm(StyledForm):
    """The lowest total of each star level; a level left empty is not awarded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stars in range(5, 0, -1):
            self.fields[f"stars_{stars}"] = forms.DecimalField(
                label=_("%(stars)d stars from") % {"stars": stars},
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=0,
                max_value=100,
            )
            self.fields[f"stars_{stars}"].widget.attrs["class"] = "form-control"

    def thresholds(self) -> dict[int, Any]:
        return {stars: self.cleaned_data.get(f"stars_{stars}") for stars in range(1, 6)}
