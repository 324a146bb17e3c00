"""Forms of part-time members' terms (兼职委员) and of units' contact accounts. They read the values; the services
check them field by field and the views put the services' errors back on the fields
(``common.forms.add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.party.contacts import MAX_FULL_NAME
from gridwork.party.models import PartyOrganisation
from gridwork.party.parttime import MAX_DUTIES, MAX_DUTY, MAX_NAME, MAX_POSITION, MAX_REASON
from gridwork.party.parttime_selectors import TERM_FILTERS
from gridwork.people.models import ResidentUnit

DUTIES_MAX_LENGTH = MAX_DUTIES * (MAX_DUTY + 1)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def organisation_label(organisation: PartyOrganisation) -> str:
    return f"{organisation.name} ({organisation.place.name})"


def unit_label(unit: ResidentUnit) -> str:
    return f"{unit.name} ({unit.place.name})"


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj)


class _DutiesAndTerm(forms.Form):
    position = forms.CharField(
        label=_("Position in the unit"),
        required=False,
        max_length=MAX_POSITION,
        widget=_text(),
        help_text=_("Such as secretary of the unit's party committee (党委书记)."),
    )
    term_start = forms.DateField(label=_("First day of the term"), widget=_date_input())
    term_end = forms.DateField(label=_("Last day of the term"), widget=_date_input())
    duties = forms.CharField(
        label=_("Duties"),
        max_length=DUTIES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text=_("One duty a line, such as “organise the unit's volunteers for the community”."),
    )


class AppointForm(_DutiesAndTerm):
    """聘任: the committee, the unit, the person, the term and the duties."""

    organisation = forms.ChoiceField(label=_("大工委 or 大党委"), widget=forms.Select(attrs={"class": "form-select"}))
    unit = _UnitChoice(
        label=_("Resident unit"),
        queryset=ResidentUnit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        label=_("Name"), max_length=MAX_NAME, widget=_text(), help_text=_("The unit's party leader.")
    )

    field_order = ["organisation", "unit", "name", "position", "term_start", "term_end", "duties"]

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[PartyOrganisation],
        units: QuerySet[ResidentUnit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        organisation: Any = self.fields["organisation"]
        organisation.choices = [("", _("Choose…")), *((o.code, organisation_label(o)) for o in organisations)]
        unit: Any = self.fields["unit"]
        unit.queryset = units

    def chosen_organisation(self) -> PartyOrganisation | None:
        return self.organisations.filter(code=self.cleaned_data.get("organisation", "")).first()


class RenewForm(_DutiesAndTerm):
    """续聘: the new term, position and duties of the same person on the same organisation."""


class EndForm(forms.Form):
    """提前结束: the last day in office and why."""

    ended_on = forms.DateField(label=_("Last day in office"), widget=_date_input())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("Such as “left the unit” or “the unit moved out of the area”."),
    )


class TermFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Terms"),
        choices=TERM_FILTERS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organisation = forms.ChoiceField(
        label=_("Organisation"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    q = forms.CharField(label=_("Name or unit"), required=False, max_length=60, widget=_text(type="search"))

    def __init__(self, *args: Any, organisations: QuerySet[PartyOrganisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        organisation: Any = self.fields["organisation"]
        organisation.choices = [("", _("All organisations")), *((o.code, organisation_label(o)) for o in organisations)]


class ContactAccountForm(forms.Form):
    """A unit's contact: the mobile number the person signs in with, and their name for a new account."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=_text(inputmode="tel", autocomplete="off"),
        help_text=_("The person signs in with a code sent to this number. An account is made if there is none."),
    )
    full_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=MAX_FULL_NAME,
        widget=_text(),
        help_text=_("Used only when a new account is made."),
    )
