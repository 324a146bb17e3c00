"""The cases' forms: the list's filters, registering a case with its parties (a formset), assigning a mediator, a
party's request for another mediator, a session, the outcome (failed or withdrawn: an agreement has its own form),
correcting a case's details, turning a matter into a case. The forms check what was typed; the services check the
rest (and again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.forms import StyledForm
from gridwork.mediation.models import (
    CaseParty,
    CaseSource,
    CaseState,
    DisputeType,
    Mediator,
    Outcome,
    PartyRole,
    RiskLevel,
)
from gridwork.mediation.selectors import party_view
from gridwork.places.models import Place

ALL = _("All")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", ALL), *choices]


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_level_display()} · {obj.name}"


class CaseFilterForm(StyledForm):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=80)
    state = forms.ChoiceField(label=_("State"), choices=_blank(CaseState.choices), required=False)
    dispute_type = forms.ChoiceField(label=_("Type"), choices=_blank(DisputeType.choices), required=False)
    risk = forms.ChoiceField(label=_("Risk level"), choices=_blank(RiskLevel.choices), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=_blank(CaseSource.choices), required=False)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Place.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class CaseForm(StyledForm):
    place = PlaceChoiceField(label=_("Grid or community"), queryset=Place.objects.none())
    title = forms.CharField(label=_("Title"), max_length=80)
    dispute_type = forms.ChoiceField(label=_("Type of dispute"), choices=DisputeType.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    source = forms.ChoiceField(label=_("Source"), choices=CaseSource.choices, initial=CaseSource.STAFF)
    facts = forms.CharField(
        label=_("Facts and what is disputed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)
    matter = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class PartyForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[0-9+\-() ]{5,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": _("Digits only (5 to 20).")},
    )
    id_number = forms.RegexField(
        label=_("ID number"),
        regex=r"^([0-9]{15}|[0-9]{17}[0-9Xx])$",
        required=False,
        max_length=18,
        error_messages={"invalid": _("An ID number has 18 characters (or 15 digits).")},
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_organisation = forms.BooleanField(label=_("An organisation"), required=False)


DEFAULT_ROLES = (PartyRole.APPLICANT, PartyRole.RESPONDENT)


class BasePartyFormSet(forms.BaseFormSet):
    """The parties: the first names the applicant, the second the respondent; rows left as they came are ignored."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        role = DEFAULT_ROLES[index] if index is not None and index < len(DEFAULT_ROLES) else PartyRole.OTHER
        kwargs["initial"] = {"role": role}
        return kwargs

    def clean(self) -> None:
        super().clean()
        filled = [form for form in self.forms if form.has_changed()]
        if not filled:
            raise forms.ValidationError(_("Name at least one party."))


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=2, min_num=1, max_num=12)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(VersionForm, StyledForm):
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=Mediator.objects.none())
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, mediators: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mediators is not None:
            self.fields["mediator"].queryset = mediators  # type: ignore[attr-defined]


class MaskedPartyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        shown = party_view(obj)
        return f"{shown.role_label} · {shown.name}"


class RecuseForm(VersionForm, StyledForm):
    party = MaskedPartyField(label=_("Party asking for another mediator"), queryset=CaseParty.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, parties: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields["party"].queryset = parties  # type: ignore[attr-defined]


class SessionForm(VersionForm, StyledForm):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Place"), max_length=200)
    participants = forms.CharField(label=_("Participants"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


NO_AGREEMENT = [(Outcome.FAILED, Outcome.FAILED.label), (Outcome.WITHDRAWN, Outcome.WITHDRAWN.label)]


class ConcludeForm(VersionForm, StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=NO_AGREEMENT, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CaseEditForm(VersionForm, StyledForm):
    """Correct a case's details (``services.cases.case_update``); the place and the parties stay as registered."""

    title = forms.CharField(label=_("Title"), max_length=80)
    dispute_type = forms.ChoiceField(label=_("Type of dispute"), choices=DisputeType.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    facts = forms.CharField(
        label=_("Facts and what is disputed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 8})
    )
    location = forms.CharField(label=_("Where"), max_length=200, required=False)


class FromMatterForm(StyledForm):
    dispute_type = forms.ChoiceField(label=_("Type of dispute"), choices=DisputeType.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    title = forms.CharField(label=_("Title"), max_length=80, required=False)
