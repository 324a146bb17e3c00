"""The form of the assessment settings: three weights that add up to 100, two rating values between 0 and 1."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from gridwork.analytics.models import AnalyticsSettings

WEIGHTS = ("response_weight", "resolution_weight", "satisfaction_weight")


class AssessmentSettingsForm(forms.ModelForm[AnalyticsSettings]):
    class Meta:
        model = AnalyticsSettings
        fields = [*WEIGHTS, "satisfied_value", "basically_value", "notice_overdue"]
        widgets = {
            name: forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 100})
            for name in (*WEIGHTS, "notice_overdue")
        } | {
            name: forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 1, "step": "0.01"})
            for name in ("satisfied_value", "basically_value")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(name) for name in WEIGHTS]
        if all(weight is not None for weight in weights) and sum(weights) != 100:  # type: ignore[arg-type]
            message = _("The three weights must add up to 100 (now %(sum)d).") % {"sum": sum(weights)}  # type: ignore[arg-type]
            for name in WEIGHTS:
                self.add_error(name, message)
        satisfied, basically = data.get("satisfied_value"), data.get("basically_value")
        if satisfied is not None and basically is not None and basically > satisfied:
            self.add_error("basically_value", _("'Basically satisfied' cannot be worth more than 'satisfied'."))
        return data
