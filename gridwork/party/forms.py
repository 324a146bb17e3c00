"""Forms of the registrations (双报到). They read the values; the services validate them field by field and the
views put the services' errors back on the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.party.evaluations import MAX_COMMENT
from gridwork.party.models import EvaluationGrade
from gridwork.party.registrations import MAX_OFFERS, MAX_REASON
from gridwork.party.services import MAX_EMPLOYER, MAX_PERSON_NAME
from gridwork.party.skills import Skill
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place


def community_label(community: Place) -> str:
    street = community.parent
    return f"{street.name} · {community.name}" if street is not None else community.name


def building_label(building: Place) -> str:
    grid = building.parent
    return f"{building.name} ({grid.name})" if grid is not None else building.name


class _SaidByTheService:
    """A field shown as required whose emptiness the service reports, together with every other field's error."""

    empty_values: Any

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            return
        super().validate(value)  # type: ignore[misc]


class RequiredText(_SaidByTheService, forms.CharField):
    pass


class RequiredChoice(_SaidByTheService, forms.ChoiceField):
    pass


class TextInput(forms.TextInput):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(attrs={"class": "form-control", **attrs})


class CommunityForm(forms.Form):
    """Step one of the registration: the community where the member lives (a GET form)."""

    community = forms.ChoiceField(
        label=_("Community where you live"), widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["community"]
        field.choices = [("", _("Choose…")), *((c.code, community_label(c)) for c in communities)]


class RegistrationForm(forms.Form):
    """Step two: the building of the chosen community, who the member is, where they work and what they can do."""

    community = forms.CharField(widget=forms.HiddenInput)
    building = RequiredChoice(label=_("Building"), widget=forms.Select(attrs={"class": "form-select"}))
    name = RequiredText(label=_("Name"), max_length=MAX_PERSON_NAME, widget=TextInput(autocomplete="name"))
    phone = RequiredText(label=_("Mobile phone"), max_length=20, widget=TextInput(inputmode="tel", autocomplete="tel"))
    employer = RequiredText(label=_("Employer"), max_length=MAX_EMPLOYER, widget=TextInput())
    employer_party_organisation = RequiredText(
        label=_("Party organisation at work"),
        max_length=MAX_EMPLOYER,
        widget=TextInput(),
        help_text=_("The party branch or committee where your membership is kept."),
    )
    employer_unit = forms.ModelChoiceField(
        label=_("Employer's registered unit"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        empty_label=_("Not in the list"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("If your employer has registered with a community (单位报到), choose it: it will see your record."),
    )
    skills = forms.MultipleChoiceField(
        label=_("What you can do as a volunteer"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, buildings: QuerySet[Place], employer_units: QuerySet[ResidentUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        building: Any = self.fields["building"]
        building.choices = [("", _("Choose…")), *((b.code, building_label(b)) for b in buildings)]
        unit: Any = self.fields["employer_unit"]
        unit.queryset = employer_units


class DecisionForm(forms.Form):
    """Confirm or reject, at the version the page showed; a rejection needs its reason (the service says so)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("The applicant sees this reason."),
    )


class UnitRegistrationForm(forms.Form):
    """单位报到: a unit, the community it registers with, and what it offers."""

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=ResidentUnit.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    community = RequiredChoice(label=_("Community"), widget=forms.Select(attrs={"class": "form-select"}))
    offers = forms.CharField(
        label=_("What the unit offers"),
        required=False,
        max_length=MAX_OFFERS,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
        help_text=_("Services, rooms, funds or volunteers the unit can bring to the community."),
    )

    def __init__(self, *args: Any, units: QuerySet[ResidentUnit], communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        unit.queryset = units
        community: Any = self.fields["community"]
        community.choices = [("", _("Choose…")), *((c.code, community_label(c)) for c in communities)]


class UnitContactForm(forms.Form):
    account = forms.CharField(
        label=_("Mobile number of the account"),
        max_length=20,
        widget=TextInput(inputmode="tel"),
        help_text=_("The person signs in with this mobile number; they must have signed in once already."),
    )


class EvaluationForm(forms.Form):
    """双评价: the grade and the comment for one member and period, at the version the page showed (0: none yet). The
    service says what is missing or wrong."""

    period = forms.CharField(widget=forms.HiddenInput)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    grade = RequiredChoice(
        label=_("Grade"),
        choices=[("", _("Choose…")), *EvaluationGrade.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("The employer's party organisation reads it. Needed for a grade below “competent”."),
    )
