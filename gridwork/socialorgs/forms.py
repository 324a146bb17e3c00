"""Forms of the socialorgs pages. They check types and shapes; the rules are the services', whose refusals come back
on the fields (``add_service_errors``). A phone shown masked (to a user without VIEW_PERSONAL_DATA) and sent back
unchanged keeps the phone on record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from gridwork.common.forms import DateInput, StyledForm
from gridwork.common.masking import mask_phone
from gridwork.places.models import Place
from gridwork.socialorgs.flows import INCUBATION_FLOW, IncubationAction
from gridwork.socialorgs.models import (
    FilingStatus,
    IncubationBase,
    Member,
    MemberRole,
    Organisation,
    OrgKind,
    ServiceField,
)
from gridwork.socialorgs.services import BaseInput, MemberInput, OrganisationInput


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


def _kept_phone(sent: str, on_record: str, masked: bool) -> str:
    """The phone sent, or the one on record when the masked form of it came back unchanged."""
    if masked and on_record and sent.strip() == mask_phone(on_record):
        return on_record
    return sent


class OrganisationForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OrgKind.choices)
    service_field = forms.ChoiceField(label=gettext_lazy("Service field (5+X)"), choices=ServiceField.choices)
    place = PlaceChoiceField(label=gettext_lazy("Home community or street"), queryset=Place.objects.none())
    filing = forms.ChoiceField(label=gettext_lazy("Filing status"), choices=FilingStatus.choices)
    registration_number = forms.CharField(
        label=gettext_lazy("Registration number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Required when registered with civil affairs (统一社会信用代码)."),
    )
    founded_on = forms.DateField(label=gettext_lazy("Founded on"), required=False, widget=DateInput())
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20)
    services = forms.CharField(
        label=gettext_lazy("Services offered"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, places: QuerySet[Place], phone_on_record: str = "", masked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places
        self.phone_on_record, self.masked = phone_on_record, masked

    @staticmethod
    def initial_of(organisation: Organisation, *, masked: bool) -> dict[str, Any]:
        return {
            "name": organisation.name,
            "kind": organisation.kind,
            "service_field": organisation.service_field,
            "place": organisation.place_id,
            "filing": organisation.filing,
            "registration_number": organisation.registration_number,
            "founded_on": organisation.founded_on,
            "contact_name": organisation.contact_name,
            "contact_phone": mask_phone(organisation.contact_phone) if masked else organisation.contact_phone,
            "services": organisation.services,
        }

    def to_input(self) -> OrganisationInput:
        data = self.cleaned_data
        return OrganisationInput(
            name=data["name"],
            kind=data["kind"],
            service_field=data["service_field"],
            place=data["place"],
            filing=data["filing"],
            registration_number=data["registration_number"],
            founded_on=data["founded_on"],
            contact_name=data["contact_name"],
            contact_phone=_kept_phone(data["contact_phone"], self.phone_on_record, self.masked),
            services=data["services"],
        )


class DissolveForm(StyledForm):
    dissolved_on = forms.DateField(label=gettext_lazy("Dissolved on"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MemberForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=MemberRole.choices)
    is_party_member = forms.BooleanField(label=gettext_lazy("Party member"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    joined_on = forms.DateField(label=gettext_lazy("Joined on"), widget=DateInput())

    def __init__(self, *args: Any, phone_on_record: str = "", masked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone_on_record, self.masked = phone_on_record, masked

    @staticmethod
    def initial_of(member: Member, *, masked: bool) -> dict[str, Any]:
        return {
            "name": member.name,
            "role": member.role,
            "is_party_member": member.is_party_member,
            "phone": mask_phone(member.phone) if masked else member.phone,
            "joined_on": member.joined_on,
        }

    def to_input(self) -> MemberInput:
        data = self.cleaned_data
        return MemberInput(
            name=data["name"],
            role=data["role"],
            is_party_member=data["is_party_member"],
            phone=_kept_phone(data["phone"], self.phone_on_record, self.masked),
            joined_on=data["joined_on"],
        )


class LeaveForm(StyledForm):
    left_on = forms.DateField(label=gettext_lazy("Left on"), widget=DateInput())


class BaseForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    place = PlaceChoiceField(label=gettext_lazy("Street, district or city"), queryset=Place.objects.none())
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200)

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places

    def to_input(self) -> BaseInput:
        data = self.cleaned_data
        return BaseInput(name=data["name"], place=data["place"], address=data["address"])


class EnterForm(StyledForm):
    base = forms.ModelChoiceField(label=gettext_lazy("Incubation base"), queryset=IncubationBase.objects.none())
    entered_on = forms.DateField(label=gettext_lazy("Entered on"), widget=DateInput())
    mentor = forms.CharField(label=gettext_lazy("Mentor"), max_length=100, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, bases: QuerySet[IncubationBase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base_field: Any = self.fields["base"]
        base_field.queryset = bases


MOVE_CHOICES = [
    (action, INCUBATION_FLOW.action_label(action))
    for action in (IncubationAction.MENTOR, IncubationAction.GRADUATE, IncubationAction.WITHDRAW)
]


class MoveForm(StyledForm):
    action = forms.ChoiceField(choices=MOVE_CHOICES, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    on = forms.DateField(label=gettext_lazy("On"), widget=DateInput())
    mentor = forms.CharField(label=gettext_lazy("Mentor"), max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False)
