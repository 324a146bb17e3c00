"""The activities' forms: the list's filters, creating an activity with its room booked in the same step, cancelling,
the minutes with photos, checking someone in by hand, the organisation-life page's choices. The forms check what was
typed; the services check the rest (and again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.activities.models import ActivityKind, ActivityState, Audience, ParticipantKind, SignUp
from gridwork.common.forms import StyledForm
from gridwork.common.masking import mask_name
from gridwork.matters.forms.intake import PhotosField
from gridwork.places.models import Place

ALL = _("All")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", ALL), *choices]


def _datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_level_display()} · {obj.name}"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(centre)s · %(room)s (up to %(capacity)d people)") % {
            "centre": obj.centre.name,
            "room": obj.name,
            "capacity": obj.capacity,
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActivityFilterForm(StyledForm):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=80)
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("", ALL), ("upcoming", _("Upcoming")), ("past", _("Past"))],
        required=False,
    )
    state = forms.ChoiceField(label=_("State"), choices=_blank(ActivityState.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ActivityKind.choices), required=False)
    place = PlaceChoiceField(
        label=_("Community or street"), queryset=Place.objects.none(), required=False, empty_label=ALL
    )

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class ActivityForm(StyledForm):
    place = PlaceChoiceField(label=_("Run by"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    organiser = forms.ModelChoiceField(
        label=_("Organising party organisation"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("The community or street itself"),
        help_text=_("Required for 三会一课 and theme party days: they count in the organisation's life."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    room = RoomChoiceField(
        label=_("Room to book"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("No room: held elsewhere"),
        help_text=_("The room is booked for the activity's time in the same step; a room already taken is refused."),
    )
    attendees = forms.IntegerField(label=_("Expected attendees"), min_value=1, required=False)
    contact_name = forms.CharField(label=_("Booking contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    location = forms.CharField(
        label=_("Where (without a room)"),
        max_length=200,
        required=False,
        help_text=_("For example the estate's square, or a branch office."),
    )
    audience = forms.ChoiceField(
        label=_("Who may take part"), choices=Audience.choices, initial=Audience.COMMUNITY, widget=forms.RadioSelect
    )
    signup_limit = forms.IntegerField(
        label=_("Sign-up limit"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )

    def __init__(
        self, *args: Any, places: Any = None, organisers: Any = None, rooms: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]
        if organisers is not None:
            self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]
        if rooms is not None:
            self.fields["room"].queryset = rooms  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The activity must end after it starts."))
        return cleaned


class CancelForm(VersionForm, StyledForm):
    reason = forms.CharField(
        label=_("Why it is cancelled"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Those signed up are told."),
    )


class MinutesForm(VersionForm, StyledForm):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Who came, what was discussed, what was decided and who does what."),
    )
    photos = PhotosField(label=_("Photos"), required=False)


class PhotosForm(StyledForm):
    photos = PhotosField(label=_("Photos"))


class RotateForm(VersionForm):
    pass


class HandCheckInForm(StyledForm):
    signup = forms.ModelChoiceField(
        label=_("Signed up"), queryset=SignUp.objects.none(), required=False, empty_label=_("Someone not signed up")
    )
    name = forms.CharField(label=_("Name (not signed up)"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Taking part as"), choices=ParticipantKind.choices, initial=ParticipantKind.RESIDENT
    )

    def __init__(self, *args: Any, signups: Any = None, full_names: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signups is not None:
            self.fields["signup"].queryset = signups  # type: ignore[attr-defined]
        self.fields["signup"].label_from_instance = (  # type: ignore[attr-defined]
            (lambda obj: obj.name) if full_names else (lambda obj: mask_name(obj.name))
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("signup") and not (cleaned.get("name") or "").strip() and not self.errors:
            self.add_error("name", _("Choose a person signed up, or write the name of who came."))
        return cleaned


class LifeForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    place = PlaceChoiceField(label=_("Unit"), queryset=Place.objects.none(), required=False, empty_label=ALL)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class CommunityChoiceForm(forms.Form):
    community = forms.CharField(required=False, max_length=32)
