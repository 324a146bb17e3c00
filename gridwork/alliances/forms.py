"""Forms of the alliances' pages. They parse what was typed; the rules (who may add whom, dates, at least two members
present, minutes required) are the services', whose refusals the views put back on these forms' fields
(``add_service_errors``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.alliances.models import AllianceMember, AllianceState
from gridwork.alliances.services import (
    MAX_DECISIONS,
    MAX_MINUTES,
    MAX_NAME,
    MAX_PURPOSE,
    MAX_REASON,
    MAX_TERM,
    MAX_TOPIC,
    MAX_VENUE,
    MIN_TERM,
)
from gridwork.common.forms import StyledForm as BaseStyledForm
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place

DATE = {"type": "date"}


class StyledForm(BaseStyledForm):
    """Bootstrap's classes on every widget, except check boxes, checkbox lists and radio buttons: left unstyled."""

    unstyled = (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)


def place_label(place: Place) -> str:
    parent = place.parent.name if place.parent is not None else ""
    return f"{parent} › {place.name}" if parent else place.name


class PlaceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return place_label(obj)


class CommunitiesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return place_label(obj)


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.place.name}）"


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


def member_label(member: AllianceMember) -> str:
    kind = _("unit") if member.is_unit else _("community")
    left = f" · {_('left')} {member.left_on:%Y-%m-%d}" if member.left_on else ""
    return f"{member.name}（{kind}）{left}"


class VersionForm(StyledForm):
    """The alliance's version the page showed: a change made on a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AllianceForm(VersionForm):
    """An alliance: name, purpose, organising place, start, chair's term; when formed, its first members."""

    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    purpose = forms.CharField(label=_("Purpose"), max_length=MAX_PURPOSE, widget=forms.Textarea(attrs={"rows": 4}))
    place = PlaceField(label=_("Organised by (street or community)"), queryset=Place.objects.none())
    started_on = forms.DateField(label=_("Started on"), widget=forms.DateInput(attrs=DATE))
    term_months = forms.IntegerField(
        label=_("Chair's term (months)"),
        min_value=MIN_TERM,
        max_value=MAX_TERM,
        initial=6,
        help_text=_("Members chair the alliance in turn, each for this many months (e.g. 6 or 12)."),
    )
    communities = CommunitiesField(
        label=_("Member communities"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitsField(
        label=_("Member resident units"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        places: QuerySet[Place],
        communities: QuerySet[Place] | None = None,
        units: QuerySet[ResidentUnit] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "place", places)
        if communities is None or units is None:  # editing: members join on their own page
            del self.fields["communities"], self.fields["units"]
            return
        del self.fields["version"]
        _set_queryset(self, "communities", communities)
        _set_queryset(self, "units", units)
        self.fields["started_on"].initial = timezone.localdate()


class JoinForm(VersionForm):
    communities = CommunitiesField(
        label=_("Communities"), queryset=Place.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = UnitsField(
        label=_("Resident units"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: Any, communities: QuerySet[Place], units: QuerySet[ResidentUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "communities", communities)
        _set_queryset(self, "units", units)
        self.fields["joined_on"].initial = timezone.localdate()


class LeaveForm(VersionForm):
    left_on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(
        label=_("Why it left"), max_length=MAX_REASON, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = timezone.localdate()


class HandOverForm(VersionForm):
    to = MemberField(label=_("New chair"), queryset=AllianceMember.objects.none())
    on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: QuerySet[AllianceMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "to", members)
        self.fields["on"].initial = timezone.localdate()


class OrderForm(VersionForm):
    """The chair order: a place number for each current member (1 chairs first after the running term)."""

    def __init__(self, *args: Any, members: Sequence[AllianceMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for index, member in enumerate(self.members, start=1):
            self.fields[f"place_{member.pk}"] = forms.IntegerField(
                label=member_label(member),
                min_value=1,
                max_value=len(self.members),
                initial=index,
                widget=forms.NumberInput(attrs={"class": "form-control gw-mw-6rem"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        places = [data.get(f"place_{member.pk}") for member in self.members]
        if None not in places and len(set(places)) != len(places):
            raise ValidationError(_("Give each member a different place."))
        return data

    def order(self) -> list[int]:
        """The member ids in the order chosen."""
        return [member.pk for member in sorted(self.members, key=lambda m: self.cleaned_data[f"place_{m.pk}"])]


class MeetingForm(VersionForm):
    held_on = forms.DateField(label=_("Meeting date"), widget=forms.DateInput(attrs=DATE))
    venue = forms.CharField(label=_("Venue"), max_length=MAX_VENUE)
    topic = forms.CharField(label=_("Topic"), max_length=MAX_TOPIC)
    attendees = MembersField(
        label=_("Members present"), queryset=AllianceMember.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label=_("Minutes"), max_length=MAX_MINUTES, widget=forms.Textarea(attrs={"rows": 8}))
    decisions = forms.CharField(
        label=_("Decisions"), max_length=MAX_DECISIONS, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, members: QuerySet[AllianceMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "attendees", members)
        self.fields["held_on"].initial = timezone.localdate()


class DissolveForm(VersionForm):
    on = forms.DateField(label=_("Dissolved on"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ListFilterForm(forms.Form):
    """GET filters of the list: a place of the user's area, a year, only those short of meetings, state."""

    place = PlaceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("Anywhere in my area"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2099,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), *AllianceState.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    short = forms.BooleanField(
        label=_("Only those short of meetings"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "place", places)


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
