"""Staff forms of smart triage: the auto-dispatch policy and the class mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.matters.models import Category
from gridwork.matters.workflow import MatterKind
from gridwork.triage.models import ClassMapping, TriagePolicy

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = TriagePolicy
        fields = ["auto_dispatch", "auto_dispatch_confidence"]
        widgets = {
            "auto_dispatch": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "auto_dispatch_confidence": forms.NumberInput(attrs={**INPUT, "step": "0.01", "min": "0.5", "max": "1"}),
        }
        help_texts = {
            "auto_dispatch_confidence": _(
                "Between 0.5 and 1. A matter whose suggestion is at least this sure goes straight to the suggested "
                "unit; the others wait for a dispatcher."
            ),
        }


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.code} {obj.name}"


class MappingForm(forms.Form):
    """One row per model class: the category it goes to and, if set, the kind."""

    def __init__(self, *args: Any, mappings: list[ClassMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        categories = Category.objects.filter(is_active=True, level__lte=2).order_by("code")
        for mapping in mappings:
            self.fields[f"category_{mapping.pk}"] = CategoryChoiceField(
                label=mapping.label,
                queryset=categories,
                required=False,
                initial=mapping.category_id,
                empty_label=str(_("— no category: the dispatcher decides —")),
                widget=forms.Select(attrs=SELECT),
            )
            self.fields[f"kind_{mapping.pk}"] = forms.ChoiceField(
                label=_("Kind"),
                choices=[("", _("The category's own kind")), *MatterKind.choices],
                required=False,
                initial=mapping.kind,
                widget=forms.Select(attrs=SELECT),
            )

    def rows(self) -> list[tuple[ClassMapping, forms.BoundField, forms.BoundField]]:
        return [(m, self[f"category_{m.pk}"], self[f"kind_{m.pk}"]) for m in self.mappings]

    def changes(self) -> dict[int, tuple[Category | None, str]]:
        return {m.pk: (self.cleaned_data[f"category_{m.pk}"], self.cleaned_data[f"kind_{m.pk}"]) for m in self.mappings}
