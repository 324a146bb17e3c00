"""Forms of the intake channels: the resident's report, the 12345 seat, the grid worker's patrol; following and rating.

They check the shape of the input and name the field at fault; filing itself is ``services.matter_file``, which
checks again. Each filing form carries a one-time token (rendered with the form) and can fingerprint its content,
so that a retried submission files one matter and a reused token with other content is refused.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.services import phone_normalise
from gridwork.matters.models import Category, Urgency
from gridwork.matters.photos import MAX_PHOTOS, CleanPhoto, PhotoRejected, clean_photo
from gridwork.matters.services import TEXT_MAX, TEXT_MIN, request_fingerprint
from gridwork.matters.workflow import Satisfaction
from gridwork.places.locating import (
    InvalidCoordinatesError,
    Location,
    OutsideServiceAreaError,
    locate,
    parse_coordinates,
)
from gridwork.places.models import Place
from gridwork.places.selectors import building_by_code

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"0\d{9,11}")  # area code and number, dashes removed: 085112345678
# The category classes offered on patrol: GB/T 30428 components and events, and the local community classes.
PATROL_CODE_PREFIXES = ("G", "L")
NOTE_MAX = 500
IDEOGRAPHIC_SPACE = "\u3000"


def new_form_token() -> str:
    """A one-time token for a filing form, generated when the form is rendered."""
    return secrets.token_urlsafe(24)


def _text_length_error(length: int) -> ValidationError:
    return ValidationError(
        _("Describe the matter in %(min)d to %(max)d characters (now %(n)d)."),
        code="length",
        params={"min": TEXT_MIN, "max": TEXT_MAX, "n": length},
    )


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine files under one name; each is checked by ``photos.clean_photo`` in the form."""

    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("Choose at most %(max)d photos; you chose %(n)d."),
                code="too_many",
                params={"max": MAX_PHOTOS, "n": len(files)},
            )
        return files


class PinWidget(forms.MultiWidget):
    """Two hidden inputs, ``<name>_lat`` and ``<name>_lng``, that the map sets."""

    def __init__(self) -> None:
        super().__init__(widgets={"lat": forms.HiddenInput(), "lng": forms.HiddenInput()})

    def decompress(self, value: Any) -> list[Any]:
        if value:
            return [value[0], value[1]]
        return [None, None]


class PinField(forms.MultiValueField):
    """A map pin: (latitude, longitude) as floats, or None when no pin was put."""

    widget = PinWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[Any]) -> tuple[float, float] | None:
        values = [str(value or "").strip() for value in [*data_list, "", ""][:2]]
        if not any(values):
            return None
        try:
            return parse_coordinates(values[0], values[1])
        except InvalidCoordinatesError as error:
            raise ValidationError(str(error), code="invalid_coordinates") from error


def _with_class(widget: forms.Widget, css: str, **attrs: Any) -> forms.Widget:
    widget.attrs.update({"class": css, **attrs})
    return widget


class FilingForm(forms.Form):
    """What every channel's form shares: the one-time token and the place (a map pin or a building)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    location = PinField(label=_("Place on the map"))
    building = forms.CharField(label=_("Building"), required=False, max_length=32, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Exact spot"),
        required=False,
        max_length=200,
        help_text=_("For example: by the east gate of building 3, second floor stairs."),
        widget=_with_class(forms.TextInput(), "form-control"),
    )

    channel: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = new_form_token()
        self.building_place: Place | None = None
        self.located: Location | None = None
        self.cleaned_photos: list[CleanPhoto] = []
        self.photo_digests: list[str] = []
        if "photos" in self.fields:
            self.fields["photos"].help_text = ngettext(
                "Up to %(n)d photo: JPEG, PNG or WEBP, 10 MB each. Location data in photos is removed.",
                "Up to %(n)d photos: JPEG, PNG or WEBP, 10 MB each. Location data in photos is removed.",
                MAX_PHOTOS,
            ) % {"n": MAX_PHOTOS}

    @property
    def token_value(self) -> str:
        return str(self["token"].value() or "")

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN_RE.fullmatch(token):
            raise ValidationError(_("This form is damaged or out of date. Reload the page and try again."))
        return token

    def clean_building(self) -> str:
        code = self.cleaned_data["building"].strip()
        if not code:
            return ""
        place = building_by_code(code)
        if place is None or place.parent is None:
            raise ValidationError(_("Choose the building from the search results."), code="unknown_building")
        self.building_place = place
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "location" in self.errors or "building" in self.errors:
            return cleaned
        pin = cleaned.get("location")
        if self.building_place is None:
            if pin is None:
                self.add_error("location", _("Put a pin on the map or choose the building."))
            else:
                try:
                    self.located = locate(*pin)
                except OutsideServiceAreaError as error:
                    self.add_error("location", str(error))
        return cleaned

    def place_kwargs(self) -> dict[str, Any]:
        if self.building_place is not None:
            return {"building": self.building_place}
        latitude, longitude = self.cleaned_data["location"]
        return {"latitude": latitude, "longitude": longitude}

    def fingerprint_fields(self) -> dict[str, Any]:
        """The submission's content: what makes a second use of the token the same submission or another one."""
        data = self.cleaned_data
        return {
            "location": list(data["location"]) if data.get("location") and self.building_place is None else None,
            "building": data.get("building", ""),
            "address": data.get("address", "").strip(),
            "photos": self.photo_digests,
        }

    def fingerprint(self, *, user: Any) -> str:
        fields = self.fingerprint_fields()
        fields["channel"] = self.channel
        fields["user"] = getattr(user, "pk", None)
        return request_fingerprint(fields)

    def filing_kwargs(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "address": self.cleaned_data.get("address", ""),
            "photos": self.cleaned_photos,
            **self.place_kwargs(),
        }

    def _clean_photo_files(self, files: list[UploadedFile]) -> list[UploadedFile]:
        """Each file re-encoded by ``photos.clean_photo``; every rejected file is named in the field's errors."""
        errors: list[str] = []
        cleaned: list[CleanPhoto] = []
        digests: list[str] = []
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            try:
                cleaned.append(clean_photo(upload, original_name=upload.name or ""))
            except PhotoRejected as error:
                errors.append(str(error))
            digests.append(digest.hexdigest())
        if errors:
            raise ValidationError(errors, code="photo_rejected")
        self.cleaned_photos, self.photo_digests = cleaned, digests
        return files


def _photos_field(*, required: bool, label: Any) -> PhotosField:
    return PhotosField(
        label=label,
        required=required,
        widget=MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment", "class": "form-control"}),
    )


def _text_field(*, label: Any, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX + 500,  # the exact limit is checked on the stripped text, with the count in the message
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": rows, "maxlength": TEXT_MAX, "data-counter-min": TEXT_MIN}
        ),
    )


def _clean_mobile(raw: str) -> str:
    phone = phone_normalise(raw)
    if phone and not MOBILE_RE.fullmatch(phone):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, such as 13812345678."), code="phone")
    return phone


class ResidentReportForm(FilingForm):
    """一键上报: a resident's report from the mobile web."""

    text = _text_field(label=_("What is the problem?"))
    photos = _photos_field(required=False, label=_("Photos"))
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=50,
        widget=_with_class(forms.TextInput(), "form-control", autocomplete="name"),
    )
    contact_phone = forms.CharField(
        label=_("Your mobile number"),
        required=False,
        max_length=20,
        help_text=_("So that the handling unit can call you back."),
        widget=_with_class(forms.TextInput(), "form-control", inputmode="tel", autocomplete="tel-national"),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_("Your name and phone number are not kept with this report; follow it with its tracking code."),
        widget=_with_class(forms.CheckboxInput(), "form-check-input"),
    )
    notice_accepted = forms.BooleanField(
        label=_("I have read the personal information notice"),
        error_messages={"required": _("Read the personal information notice and tick the box to send the report.")},
        widget=_with_class(forms.CheckboxInput(), "form-check-input"),
    )

    channel = "resident_web"
    field_order = ["text", "photos", "location", "building", "address", "contact_name", "contact_phone"]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not TEXT_MIN <= len(text) <= TEXT_MAX:
            raise _text_length_error(len(text))
        return text

    def clean_photos(self) -> list[UploadedFile]:
        return self._clean_photo_files(self.cleaned_data["photos"])

    def clean_contact_phone(self) -> str:
        return _clean_mobile(self.cleaned_data["contact_phone"])

    def fingerprint_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().fingerprint_fields(),
            "text": data["text"],
            "contact": [data.get("contact_name", "").strip(), data.get("contact_phone", "")],
            "anonymous": bool(data.get("anonymous")),
        }

    def filing_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        anonymous = bool(data.get("anonymous"))
        return {
            **super().filing_kwargs(),
            "text": data["text"],
            "is_anonymous": anonymous,
            # Anonymous means the contact is not kept at all (PIPL: collect no more than needed).
            "reporter_name": "" if anonymous else data.get("contact_name", ""),
            "reporter_phone": "" if anonymous else data.get("contact_phone", ""),
        }


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return IDEOGRAPHIC_SPACE * (obj.level - 1) + obj.name


class HotlineForm(FilingForm):
    """12345 seat: the operator files what the caller says."""

    caller_name = forms.CharField(
        label=_("Caller's name"),
        required=False,
        max_length=50,
        widget=_with_class(forms.TextInput(), "form-control", autocomplete="off"),
    )
    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        help_text=_("A mobile number, or a landline with its area code."),
        widget=_with_class(forms.TextInput(), "form-control", inputmode="tel", autocomplete="off"),
    )
    text = _text_field(label=_("What the caller reports"), rows=6)
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.none(),
        empty_label=_("— let the dispatcher decide —"),
        widget=_with_class(forms.Select(), "form-select"),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    anonymous = forms.BooleanField(
        label=_("The caller asks not to be named"),
        required=False,
        help_text=_("The handling units will not see the caller's name and number."),
        widget=_with_class(forms.CheckboxInput(), "form-check-input"),
    )

    channel = "hotline"
    field_order = ["caller_phone", "caller_name", "text", "location", "building", "address", "category", "urgency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("code")  # type: ignore[attr-defined]

    def clean_caller_phone(self) -> str:
        phone = phone_normalise(self.cleaned_data["caller_phone"])
        if not (MOBILE_RE.fullmatch(phone) or LANDLINE_RE.fullmatch(phone)):
            raise ValidationError(
                _("Enter the caller's mobile number (13812345678) or landline with area code (0851-12345678)."),
                code="phone",
            )
        return phone

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not TEXT_MIN <= len(text) <= TEXT_MAX:
            raise _text_length_error(len(text))
        return text

    def fingerprint_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        category = data.get("category")
        return {
            **super().fingerprint_fields(),
            "text": data["text"],
            "caller": [data.get("caller_name", "").strip(), data["caller_phone"]],
            "category": category.pk if category else None,
            "urgency": data.get("urgency"),
            "anonymous": bool(data.get("anonymous")),
        }

    def filing_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        category = data.get("category")
        return {
            **super().filing_kwargs(),
            "text": data["text"],
            "category": category,
            "urgency": data["urgency"],
            "reporter_name": data.get("caller_name", ""),
            # The number stays on the record for the call-back (回访) even when the caller is not named.
            "reporter_phone": data["caller_phone"],
            "is_anonymous": bool(data.get("anonymous")),
        }


def patrol_categories() -> list[tuple[Category, list[Category]]]:
    """The first tap's groups and the second tap's choices: active GB/T 30428 (G…) and local (L…) classes.

    A group is a class whose active children are all leaves, so that two taps always end on the finest class:
    城市部件 › 公用设施 is a group whose choices are 井盖, 路灯…; 社区公共事务 is a group whose choices are 小区停车….
    """
    prefixes = Q()
    for prefix in PATROL_CODE_PREFIXES:
        prefixes |= Q(code__startswith=prefix)
    categories = list(Category.objects.filter(prefixes, is_active=True).select_related("parent"))
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    return [
        (category, children[category.pk])
        for category in categories
        if children[category.pk] and all(not children[child.pk] for child in children[category.pk])
    ]


def patrol_choice_queryset() -> QuerySet[Category]:
    return Category.objects.filter(pk__in=[child.pk for _, group in patrol_categories() for child in group])


class PatrolForm(FilingForm):
    """随手拍: a grid worker's report on patrol. Photo first, place from the device, category in two taps."""

    photos = _photos_field(required=True, label=_("Photo"))
    category = forms.ModelChoiceField(
        label=_("What is it?"),
        queryset=Category.objects.none(),
        error_messages={"required": _("Tap a group, then what you found.")},
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=TEXT_MAX + 500,
        help_text=_("Optional. Without a note the report says which class it is and that it was found on patrol."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "maxlength": TEXT_MAX}),
    )
    urgent = forms.BooleanField(
        label=_("Urgent"), required=False, widget=_with_class(forms.CheckboxInput(), "form-check-input")
    )
    address = None  # type: ignore[assignment]

    channel = "patrol"
    field_order = ["photos", "location", "building", "category", "note", "urgent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = patrol_choice_queryset()  # type: ignore[attr-defined]

    def clean_photos(self) -> list[UploadedFile]:
        return self._clean_photo_files(self.cleaned_data["photos"])

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if note and not TEXT_MIN <= len(note) <= TEXT_MAX:
            raise _text_length_error(len(note))
        return note

    def matter_text(self) -> str:
        note = self.cleaned_data.get("note", "")
        if note:
            return note
        # The record is read by the handling units: written in the platform's language, not the worker's.
        with translation.override(settings.LANGUAGE_CODE):
            return gettext("%(category)s (reported on patrol)") % {"category": self.cleaned_data["category"].name}

    def fingerprint_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().fingerprint_fields(),
            "category": data["category"].pk,
            "note": data.get("note", ""),
            "urgent": bool(data.get("urgent")),
        }

    def filing_kwargs(self) -> dict[str, Any]:
        category: Category = self.cleaned_data["category"]
        return {
            **super().filing_kwargs(),
            "text": self.matter_text(),
            "category": category,
            "kind": category.default_kind,
            "urgency": Urgency.URGENT if self.cleaned_data.get("urgent") else Urgency.NORMAL,
        }


class TrackForm(forms.Form):
    """Follow a report with its number and tracking code."""

    number = forms.CharField(
        label=_("Matter number"),
        max_length=20,
        widget=_with_class(
            forms.TextInput(), "form-control form-control-lg font-monospace", autocomplete="off", placeholder="GW…"
        ),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=_with_class(
            forms.TextInput(),
            "form-control form-control-lg font-monospace",
            autocomplete="off",
            autocapitalize="characters",
            placeholder="XXXXX-XXXXX",
        ),
    )

    def clean_number(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data["number"]).upper()


class RatingForm(forms.Form):
    """评价: the reporter rates the reply."""

    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three ratings.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3, "maxlength": NOTE_MAX}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
