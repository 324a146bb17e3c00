"""The filter form of a staff list over a span of days and an area within the user's (the hot spots, the unusual
rises): both days optional — until today and the default number of days before it — checked to lie in a sane
range, in order, and (if the list sets one) no longer than its longest period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


class DaysAreaFilterForm(forms.Form):
    """GET filters: ``since`` and ``until`` (cleaned to dates, defaults filled in) and ``area`` (a place code from
    ``place_choices``, or empty for the user's whole area)."""

    default_days: ClassVar[int] = 30
    max_days: ClassVar[int | None] = None

    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    area = forms.ChoiceField(label=gettext_lazy("Place"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, place_choices: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", gettext_lazy("Anywhere in my area")), *place_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a day from %(earliest)s to %(latest)s.")
                    % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
        if self.errors:
            return data
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or until - timedelta(days=self.default_days)
        if since > until:
            self.add_error("until" if data.get("until") else "since", _("The end date is before the start date."))
        elif self.max_days is not None and (until - since).days > self.max_days:
            self.add_error("since", _("Choose a period of at most %(days)d days.") % {"days": self.max_days})
        data["since"], data["until"] = since, until
        return data
