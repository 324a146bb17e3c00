"""Forms of the three lists' pages. They check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import (
    NeedSource,
    NeedState,
    ProjectState,
    ResourceKind,
    ResourceState,
)
from gridwork.cobuild.services import (
    MAX_AVAILABILITY,
    MAX_HOTSPOT_KEY,
    MAX_MEASURE,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
)
from gridwork.places.models import Place

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}
SMALL_INPUT = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={**INPUT, "type": "date"}))


def _quantity() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("How much"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "any", "min": "0"}),
    )


def _measure() -> forms.CharField:
    return forms.CharField(
        label=_("Unit of measure"),
        required=False,
        max_length=MAX_MEASURE,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": MAX_MEASURE, "placeholder": _("people, m², yuan, sets…")}),
        help_text=_("Needs and resources in the same unit of measure can be compared."),
    )


def _field_of_work() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Field of work"),
        choices=[("", "—"), *ServiceField.choices],
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Choose the field of work.")},
    )


class VersionForm(forms.Form):
    """What every change's form carries: the version of the object the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(VersionForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": MAX_NOTE}),
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": MAX_NOTE}),
    )


# --- needs ------------------------------------------------------------------------------------------------------------


class NeedForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Choose the community whose residents have the need.")},
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4, "maxlength": MAX_TEXT}),
        help_text=_("Who needs what, where and how often: the matching compares these words with the resources'."),
    )
    field = _field_of_work()
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("", "—"), *NeedSource.choices],
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Say where the need comes from.")},
    )
    matter_number = forms.CharField(
        label=_("Matter number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "class": "form-control font-monospace"}),
        help_text=_("If the need comes from a residents' matter, its number."),
    )
    hotspot_key = forms.CharField(required=False, max_length=MAX_HOTSPOT_KEY, widget=forms.HiddenInput)
    quantity = _quantity()
    quantity_unit = _measure()
    wanted_by = _date(_("Wanted by"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, communities: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["community"]
            del self.fields["hotspot_key"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            if communities is not None:
                self.fields["community"].queryset = communities  # type: ignore[attr-defined]


# --- resources --------------------------------------------------------------------------------------------------------


class ResourceForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Resident unit"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={
            "required": _("Choose the unit that offers the resource."),
            "invalid_choice": _("Choose one of the units in the list."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *ResourceKind.choices],
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Choose what kind of resource it is.")},
    )
    field = _field_of_work()
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, widget=forms.TextInput(attrs=INPUT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4, "maxlength": MAX_TEXT}),
        help_text=_("What is offered, to whom, and on what terms."),
    )
    quantity = _quantity()
    quantity_unit = _measure()
    available_from = _date(_("Available from"))
    available_to = _date(_("Available until"))
    availability = forms.CharField(
        label=_("When"),
        required=False,
        max_length=MAX_AVAILABILITY,
        widget=forms.TextInput(
            attrs={**INPUT, "maxlength": MAX_AVAILABILITY, "placeholder": _("e.g. weekends, weekday evenings")}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            if units is not None:
                self.fields["unit"].queryset = units  # type: ignore[attr-defined]


# --- matches and projects ---------------------------------------------------------------------------------------------


class MatchForm(VersionForm):
    resource = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": _("Choose a resource.")}
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.TextInput(attrs={**SMALL_INPUT, "maxlength": MAX_NOTE}),
    )


class ProjectForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        error_messages={"required": _("Choose the community of the project.")},
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, widget=forms.TextInput(attrs=INPUT))
    goal = forms.CharField(
        label=_("Goal"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3, "maxlength": MAX_TEXT}),
        error_messages={"required": _("Say what the project is to achieve.")},
    )
    field = _field_of_work()
    units = forms.ModelMultipleChoiceField(
        label=_("Parties (resident units)"),
        queryset=Place.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Name at least one resident unit taking part."),
            "invalid_choice": _("Choose units from the list."),
            "invalid_pk_value": _("Choose units from the list."),
        },
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**INPUT, "step": "0.01", "min": "0"}),
    )
    starts_on = _date(_("Starts on"), required=True)
    ends_on = _date(_("Ends on"), required=True)
    alliance = forms.ModelChoiceField(
        label=_("Alliance (joint project)"),
        required=False,
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        empty_label=_("None"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self,
        *args: Any,
        communities: Any = None,
        units: Any = None,
        alliances: Any = None,
        editing: bool = False,
        with_community: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        if editing or not with_community:
            del self.fields["community"]
        elif communities is not None:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        if units is not None:
            self.fields["units"].queryset = units  # type: ignore[attr-defined]
        if alliances is None:
            del self.fields["alliance"]
        else:
            self.fields["alliance"].queryset = alliances  # type: ignore[attr-defined]


class MilestoneForm(VersionForm):
    title = forms.CharField(
        label=_("Milestone"), max_length=MAX_TITLE, widget=forms.TextInput(attrs={**SMALL_INPUT, "maxlength": 80})
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={**SMALL_INPUT, "type": "date"}))


class MilestoneDoneForm(VersionForm):
    done_on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={**SMALL_INPUT, "type": "date"}))
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.TextInput(attrs={**SMALL_INPUT, "maxlength": MAX_NOTE}),
    )


# --- list filters -----------------------------------------------------------------------------------------------------


class ListFilterForm(forms.Form):
    """GET filters of the staff lists: state, field of work, kind (resources), words."""

    state = forms.ChoiceField(label=_("State"), required=False, widget=forms.Select(attrs=SMALL_SELECT))
    field = forms.ChoiceField(
        label=_("Field of work"),
        required=False,
        choices=[("", _("All fields")), *ServiceField.choices],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ResourceKind.choices],
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    q = forms.CharField(
        label=_("Words"), required=False, max_length=50, widget=forms.TextInput(attrs={**SMALL_INPUT, "type": "search"})
    )

    STATES: dict[str, Any] = {"need": NeedState, "resource": ResourceState, "project": ProjectState}

    def __init__(self, *args: Any, subject: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        states = self.STATES[subject]
        self.fields["state"].choices = [("", _("All states")), *states.choices]  # type: ignore[attr-defined]
        if subject != "resource":
            del self.fields["kind"]

    def values(self) -> dict[str, str]:
        """The cleaned filters (all empty when the form is unbound or invalid)."""
        names = [name for name in ("state", "field", "kind", "q") if name in self.fields]
        if not self.is_bound or not self.is_valid():
            return dict.fromkeys(names, "")
        return {name: str(self.cleaned_data.get(name) or "").strip() for name in names}
