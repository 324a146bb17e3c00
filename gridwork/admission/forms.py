"""Forms of the admission pages. They check types and shapes; the rules are the services', whose refusals come back on
the fields (``add_service_errors``): the forms name their fields as the services do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.admission.duties import DutyInput
from gridwork.admission.models import DecisionKind, DutyKind
from gridwork.admission.services import AdmissionInput, ReportInput
from gridwork.common.forms import DateInput, StyledForm
from gridwork.places.models import Department, Place


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DutyItemForm(StyledForm):
    scope = PlaceChoiceField(label=_("List of"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=DutyKind.choices)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Title"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    assists = forms.CharField(
        label=_("Department assisted"),
        required=False,
        max_length=120,
        help_text=_("For an assisting duty: the government department whose work the community assists."),
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, places: QuerySet[Place], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope: Any = self.fields["scope"]
        scope.queryset = places
        if editing:
            del self.fields["scope"]

    def to_input(self) -> DutyInput:
        data = self.cleaned_data
        return DutyInput(
            kind=data["kind"],
            number=data["number"],
            title=data["title"],
            legal_basis=data.get("legal_basis") or "",
            assists=data.get("assists") or "",
        )


class BodyForm(StyledForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("E.g. the organisation department (组织部) or civil affairs (民政局)."),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["department"]
        field.queryset = departments


class AdmissionForm(StyledForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    content = forms.CharField(
        label=_("What communities would do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    reason = forms.CharField(
        label=_("Why the requester cannot do it itself"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    scope = PlaceChoiceField(label=_("Communities of"), queryset=Place.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    authority = forms.CharField(
        label=_("Authority delegated (权随事转)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    staffing = forms.CharField(
        label=_("Staff provided (人随事转)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    staff_count = forms.IntegerField(label=_("People provided"), min_value=0, max_value=100000, initial=0)
    funds_amount = forms.DecimalField(
        label=_("Funds, yuan (费随事转)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    funds_source = forms.CharField(label=_("Source of funds"), max_length=200)
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["scope"]
        field.queryset = places

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end comes before the start."))
        return data

    def to_input(self) -> AdmissionInput:
        data = self.cleaned_data
        return AdmissionInput(
            title=data["title"],
            content=data["content"],
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            scope=data["scope"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            authority=data["authority"],
            staffing=data["staffing"],
            staff_count=data["staff_count"],
            funds_amount=data["funds_amount"],
            funds_source=data["funds_source"],
        )


class DecideForm(StyledForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    body = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a refusal: the requester reads it."),
    )


class AssignForm(StyledForm):
    communities = forms.ModelMultipleChoiceField(
        label=_("Communities"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every community of the task's scope."),
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["communities"]
        field.queryset = communities


class ReportForm(StyledForm):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Place.objects.none())
    department = forms.ModelChoiceField(
        label=_("Department that pushed it"), queryset=Department.objects.none(), required=False
    )
    pushed_by = forms.CharField(
        label=_("Who pushed it"),
        max_length=120,
        required=False,
        help_text=_("The unit as it named itself, when it is not a department listed above."),
    )
    task = forms.CharField(label=_("Task pushed"), max_length=200)
    details = forms.CharField(
        label=_("How and when it was pushed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    pushed_on = forms.DateField(label=_("Pushed on"), widget=DateInput())

    def __init__(
        self, *args: Any, communities: QuerySet[Place], departments: QuerySet[Department], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        community: Any = self.fields["community"]
        community.queryset = communities
        department: Any = self.fields["department"]
        department.queryset = departments

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            community=data["community"],
            department=data.get("department"),
            pushed_by=data.get("pushed_by") or "",
            task=data["task"],
            details=data["details"],
            pushed_on=data["pushed_on"],
        )


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
