"""Forms of the property companies' pages. They check types only; the rules are the services'."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import DateInput, StyledForm
from gridwork.estates.models import Estate
from gridwork.party.models import PartyOrganisation
from gridwork.places.models import Place
from gridwork.propertyfirms.models import ASSESSMENT_ITEMS
from gridwork.propertyfirms.quarters import last_quarters, parse_quarter, quarter_label, quarter_of
from gridwork.propertyfirms.services import CompanyInput


def quarter_choices(today: date | None = None, count: int = 4) -> list[tuple[str, str]]:
    """The current quarter and the ``count - 1`` before it, latest first."""
    today = today or timezone.localdate()
    quarters = [quarter_of(today), *last_quarters(today, count - 1)]
    return [(quarter_label(*q), quarter_label(*q)) for q in quarters]


class QuarterForm(StyledForm):
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["quarter"]
        field.choices = quarter_choices()

    def year_quarter(self) -> tuple[int, int]:
        parsed = parse_quarter(self.cleaned_data["quarter"])
        assert parsed is not None
        return parsed


class CompanyForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    registered_in = forms.ModelChoiceField(label=_("Registered by"), queryset=Place.objects.none())
    party_organisation = forms.ModelChoiceField(
        label=_("Party organisation in the company"), queryset=PartyOrganisation.objects.none(), required=False
    )
    party_members = forms.IntegerField(label=_("Party members"), min_value=0, initial=0)
    party_members_in_management = forms.IntegerField(label=_("Party members in management"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, places: QuerySet[Any], organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registered: Any = self.fields["registered_in"]
        registered.queryset = places
        organisation: Any = self.fields["party_organisation"]
        organisation.queryset = organisations

    def to_input(self) -> CompanyInput:
        data = self.cleaned_data
        return CompanyInput(
            name=data["name"],
            credit_code=data["credit_code"],
            address=data["address"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            registered_in=data["registered_in"],
            party_organisation=data["party_organisation"],
            party_members=data["party_members"],
            party_members_in_management=data["party_members_in_management"],
            is_active=data["is_active"],
        )


class ContractForm(StyledForm):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on (last day served)"), widget=DateInput())

    def __init__(self, *args: Any, estates: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["estate"]
        field.queryset = estates


class EndEarlyForm(StyledForm):
    last_day = forms.DateField(label=_("Last day served"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class SurveyForm(QuarterForm):
    score = forms.DecimalField(label=_("Average score (1–5)"), max_digits=3, decimal_places=2)
    sample_size = forms.IntegerField(label=_("Answers"), min_value=1)


class AssessmentForm(QuarterForm):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for name, label, points in ASSESSMENT_ITEMS:
            self.fields[name] = forms.IntegerField(
                label=f"{label} (0–{points})", min_value=0, max_value=points, widget=forms.NumberInput()
            )
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.fields["comment"] = comment

    def items(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name, _label, _points in ASSESSMENT_ITEMS}


class LinkForm(StyledForm):
    matter = forms.CharField(label=_("Matter number"), max_length=20)


class RecognitionForm(StyledForm):
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    joint_meeting = forms.BooleanField(
        label=_("The company joins the community's joint meeting and 双报到"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RevokeForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(StyledForm):
    estate = forms.ModelChoiceField(label=_("Your estate"), queryset=Estate.objects.none())
    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, estates: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["estate"]
        field.queryset = estates
