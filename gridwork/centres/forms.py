"""Forms of the centres pages. They check types and shapes; the rules (opening hours, capacity, the slot, who may)
are the services', whose refusals come back on the fields (``add_service_errors``): the booking forms name their
time fields ``starts_at`` and ``ends_at`` as the service does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.centres import hours
from gridwork.centres.models import BookerKind, BookingState, Centre, CentreFunction, CentreKind, Room
from gridwork.centres.services import KIND_LEVELS, CentreInput, RoomInput
from gridwork.common.forms import DateInput, StyledForm
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

# The standard lists of functions: "一场所六中心" of street centres and community stations, and the estate station's
# "八种功能" (seed 002).
SIX_CENTRES = (
    CentreFunction.ACTIVITY_VENUE,
    CentreFunction.PARTY_MEMBER_SERVICE,
    CentreFunction.DELIBERATION,
    CentreFunction.CONVENIENCE_SERVICE,
    CentreFunction.CULTURE,
    CentreFunction.ELDERLY_CARE,
    CentreFunction.MEDIATION,
)
EIGHT_FUNCTIONS = tuple(code for code in CentreFunction if code not in SIX_CENTRES)
FUNCTION_LISTS = (
    (gettext_lazy("One venue, six centres (一场所六中心)"), SIX_CENTRES),
    (gettext_lazy("The estate station's eight functions (八种功能)"), EIGHT_FUNCTIONS),
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RefuseForm(StyledForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required: the booker reads it."),
    )


class CancelForm(StyledForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), max_length=300, required=False)


class ApproveForm(StyledForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note to the booker (optional)"), max_length=300, required=False)


# --- centres and rooms ------------------------------------------------------------------------------------------------


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class CentreForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CentreKind.choices)
    place = PlaceChoiceField(label=gettext_lazy("Place served"), queryset=Place.objects.none())
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    phone = forms.CharField(label=gettext_lazy("Service phone"), max_length=20, required=False)
    functions = forms.MultipleChoiceField(
        label=gettext_lazy("Functions"),
        choices=CentreFunction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requires_approval = forms.BooleanField(
        label=gettext_lazy("Bookings need approval"),
        required=False,
        help_text=gettext_lazy("Residents' bookings wait until a manager of the centre approves them."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Open"), required=False, initial=True)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), required=False)

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places
        for key in hours.WEEKDAYS:
            self.fields[f"hours_{key}"] = forms.CharField(
                label=hours.WEEKDAY_LABELS[key],
                required=False,
                max_length=120,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "08:30-12:00, 14:00-17:30"}),
            )

    def hour_fields(self) -> list[Any]:
        return [self[f"hours_{key}"] for key in hours.WEEKDAYS]

    def function_groups(self) -> list[dict[str, Any]]:
        chosen = set(self["functions"].value() or [])
        return [
            {
                "label": label,
                "options": [
                    {"value": code.value, "label": code.label, "checked": code.value in chosen} for code in codes
                ],
            }
            for label, codes in FUNCTION_LISTS
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opening: dict[str, Any] = {}
        for key in hours.WEEKDAYS:
            try:
                opening[key] = hours.parse_day(cleaned.get(f"hours_{key}") or "")
            except ValueError as error:
                self.add_error(f"hours_{key}", str(error))
        cleaned["opening_hours"] = opening
        place, kind = cleaned.get("place"), cleaned.get("kind")
        if place is not None and kind in KIND_LEVELS and place.level not in KIND_LEVELS[kind]:
            levels = ", ".join(str(PlaceLevel(level).label) for level in sorted(KIND_LEVELS[kind]))
            self.add_error(
                "place", _("A centre of this kind serves a place of level: %(levels)s.") % {"levels": levels}
            )
        return cleaned

    def to_input(self) -> CentreInput:
        values = self.cleaned_data
        return CentreInput(
            name=values["name"],
            kind=values["kind"],
            place=values["place"],
            address=values["address"],
            phone=values.get("phone") or "",
            opening_hours=values["opening_hours"],
            functions=list(values.get("functions") or []),
            requires_approval=bool(values.get("requires_approval")),
            is_active=bool(values.get("is_active")),
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
        )

    @staticmethod
    def initial_of(centre: Centre) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": centre.name,
            "kind": centre.kind,
            "place": centre.place_id,
            "address": centre.address,
            "phone": centre.phone,
            "functions": list(centre.functions or []),
            "requires_approval": centre.requires_approval,
            "is_active": centre.is_active,
            "latitude": centre.latitude,
            "longitude": centre.longitude,
        }
        for key in hours.WEEKDAYS:
            initial[f"hours_{key}"] = hours.format_day((centre.opening_hours or {}).get(key, []))
        return initial


class RoomForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    capacity = forms.IntegerField(label=gettext_lazy("Capacity (people)"), min_value=1, max_value=2000)
    equipment = forms.CharField(
        label=gettext_lazy("Equipment"),
        required=False,
        max_length=600,
        help_text=gettext_lazy("Separated by commas: projector, sound system, …"),
    )
    bookable = forms.BooleanField(label=gettext_lazy("Bookable"), required=False, initial=True)

    def to_input(self) -> RoomInput:
        values = self.cleaned_data
        items = [item.strip() for item in (values.get("equipment") or "").replace("，", ",").split(",")]
        return RoomInput(
            name=values["name"],
            capacity=values["capacity"],
            equipment=[item for item in items if item],
            bookable=bool(values.get("bookable")),
        )

    @staticmethod
    def initial_of(room: Room) -> dict[str, Any]:
        return {
            "name": room.name,
            "capacity": room.capacity,
            "equipment": ", ".join(room.equipment or []),
            "bookable": room.bookable,
        }


# --- bookings -----------------------------------------------------------------------------------------------------


def slot_of(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    """The aware slot of a day's local times; an end at 00:00 is the next midnight."""
    zone = timezone.get_current_timezone()
    starts_at = datetime.combine(day, starts, tzinfo=zone)
    ends_at = datetime.combine(day + timedelta(days=1) if ends == time(0, 0) else day, ends, tzinfo=zone)
    return starts_at, ends_at


class SlotForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    starts_at = forms.TimeField(label=gettext_lazy("From"), widget=TimeInput)
    ends_at = forms.TimeField(label=gettext_lazy("To"), widget=TimeInput)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    attendees = forms.IntegerField(label=gettext_lazy("Expected attendees"), min_value=1, max_value=100000)
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20)

    def slot(self) -> tuple[datetime, datetime]:
        values = self.cleaned_data
        return slot_of(values["day"], values["starts_at"], values["ends_at"])


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(centre)s · %(room)s (%(capacity)d people)") % {
            "centre": obj.centre.name,
            "room": obj.name,
            "capacity": obj.capacity,
        }


class StaffBookingForm(SlotForm):
    """Staff book a room of a centre within their reach, as staff, for an organisation or for a resident unit."""

    field_order = ["room", "day", "starts_at", "ends_at", "booker_kind", "unit", "organisation_name"]

    room = RoomChoiceField(label=gettext_lazy("Room"), queryset=Room.objects.none())
    booker_kind = forms.ChoiceField(
        label=gettext_lazy("Booked as"),
        choices=[
            (BookerKind.STAFF, BookerKind.STAFF.label),
            (BookerKind.ORGANISATION, BookerKind.ORGANISATION.label),
            (BookerKind.UNIT, BookerKind.UNIT.label),
        ],
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Resident unit"), queryset=ResidentUnit.objects.none(), required=False
    )
    organisation_name = forms.CharField(label=gettext_lazy("Organisation"), max_length=120, required=False)

    def __init__(self, *args: Any, rooms: QuerySet[Room], units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room_field: Any = self.fields["room"]
        room_field.queryset = rooms
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = units


class ResidentBookingForm(SlotForm):
    """A resident books for themselves, one of the units they speak for, or an organisation (a choir, a branch…)."""

    field_order = ["day", "starts_at", "ends_at", "booker", "organisation_name"]

    booker = forms.ChoiceField(label=gettext_lazy("The booking is for"), choices=())
    organisation_name = forms.CharField(
        label=gettext_lazy("Organisation"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Only when booking for an organisation: its name."),
    )

    def __init__(self, *args: Any, resident: bool, units: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if resident:
            choices.append((BookerKind.RESIDENT, _("Myself")))
        choices += [(f"unit:{unit.pk}", _("My unit: %(name)s") % {"name": unit.name}) for unit in units]
        if resident:
            choices.append((BookerKind.ORGANISATION, _("An organisation")))
        booker_field: Any = self.fields["booker"]
        booker_field.choices = choices
        self.units = {str(unit.pk): unit for unit in units}

    def booker_of(self) -> tuple[str, Any]:
        """(booker kind, unit) of the choice."""
        value = self.cleaned_data["booker"]
        if value.startswith("unit:"):
            return BookerKind.UNIT, self.units.get(value.removeprefix("unit:"))
        return value, None


# --- lists and figures --------------------------------------------------------------------------------------------


class BookingFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("", gettext_lazy("All")), *BookingState.choices], required=False
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"),
        queryset=Centre.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    room = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none(), required=False, empty_label=gettext_lazy("All")
    )
    day = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput)
    q = forms.CharField(label=gettext_lazy("Number or purpose"), max_length=50, required=False)

    def __init__(self, *args: Any, centres: QuerySet[Centre], rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre_field: Any = self.fields["centre"]
        centre_field.queryset = centres
        room_field: Any = self.fields["room"]
        room_field.queryset = rooms


class UsageForm(StyledForm):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"), queryset=Centre.objects.none(), required=False, empty_label=gettext_lazy("All")
    )

    def __init__(self, *args: Any, centres: QuerySet[Centre], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre_field: Any = self.fields["centre"]
        centre_field.queryset = centres

    def clean_month(self) -> date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from None
