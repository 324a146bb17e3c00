"""Staff forms of the closed loop: the queue's filters and one form per move. They check the shape of the input
and clean photos; whether a move is allowed is the service's answer (``services.matter_transition``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from gridwork.matters.models import Category, Channel, Matter, Urgency
from gridwork.matters.photos import MAX_PHOTOS, CleanPhoto, PhotoRejected, clean_photo
from gridwork.matters.selectors import (
    DEADLINE_OVERDUE,
    DEADLINE_WARNING,
    QueueFilters,
    category_choices,
    matter_filter_place,
    matter_unit_choices,
)
from gridwork.matters.workflow import Action, ClosureReason, MatterKind, MatterState, Satisfaction
from gridwork.places.models import Department, Place

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _set_choices(form: forms.Form, name: str, choices: Sequence[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


class QueueFilterForm(forms.Form):
    """The queue's filters (GET). Unknown values are errors shown above the table, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("Number, or words of the title or text")}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank(_("Any kind")) + list(MatterKind.choices),
        widget=forms.Select(attrs=SELECT),
    )
    place = forms.ChoiceField(label=_("Place"), required=False, widget=forms.Select(attrs=SELECT))
    since = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    until = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=_blank(_("Any channel")) + list(Channel.choices),
        widget=forms.Select(attrs=SELECT),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=_blank(_("Any urgency")) + list(Urgency.choices),
        widget=forms.Select(attrs=SELECT),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=_blank(_("Any state")) + list(MatterState.choices),
        widget=forms.Select(attrs=SELECT),
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[*_blank(_("Any deadline")), (DEADLINE_OVERDUE, _("Overdue")), (DEADLINE_WARNING, _("Due soon"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, place_choices: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "category", _blank(_("Any category")) + category_choices(value="code"))
        _set_choices(self, "place", _blank(_("Anywhere in my area")) + list(place_choices))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos, each checked by content and re-encoded (``photos.clean_photo``) before any service."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("JPEG, PNG or WEBP, up to 9, each at most 10 MB."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "form-control form-control-sm", "accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[CleanPhoto]:
        files: list[UploadedFile] = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many")
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(clean_photo(upload, original_name=upload.name or ""))
            except PhotoRejected as error:
                errors.append(str(error))
        if errors:
            raise ValidationError(errors, code="photo")
        return cleaned


class ActionForm(forms.Form):
    """A move's form: every one carries the version of the matter the page showed (compare-and-set)."""

    action: Action
    title: Any = ""
    button: Any = _("Submit")
    button_class = "btn-party"

    expected_version = forms.IntegerField(label=_("Version of the page"), widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", str(self.action))
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_version", matter.version)
        super().__init__(*args, **kwargs)
        self.matter = matter

    def transition(self) -> dict[str, Any]:
        """The service's keyword arguments (data, note, photos) from the cleaned data."""
        return {"data": {}, "note": self.cleaned_data.get("note", "")}

    def add_service_error(self, error: Exception, *, field: str | None = None) -> None:
        """A service's refusal next to the field it names, or above the form."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        self.add_error(field if field in self.fields else None, messages)


def note_field(label: Any, *, required: bool, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={**INPUT, "rows": rows}),
    )


class UnitChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Select(attrs=SELECT))
        super().__init__(**kwargs)


def parse_unit(value: str) -> tuple[int | None, int | None]:
    kind, _sep, pk = value.partition(":")
    if not pk.isdigit() or kind not in {"p", "d"}:
        raise ValidationError(_("Choose a unit from the list."))
    return (int(pk), None) if kind == "p" else (None, int(pk))


class DispatchForm(ActionForm):
    """分流: confirm or change the category, kind and urgency, and choose the lead and co-handling units."""

    action = Action.DISPATCH
    title = _("Dispatch")
    button = _("Dispatch")

    category = forms.ChoiceField(label=_("Category"), required=False, widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(label=_("Kind"), choices=MatterKind.choices, widget=forms.Select(attrs=SELECT))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, widget=forms.Select(attrs=SELECT))
    lead_unit = UnitChoiceField(label=_("Lead unit"))
    co_units = forms.MultipleChoiceField(
        label=_("Co-handling units"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    note = note_field(_("Note to the unit"), required=False)

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        units = matter_unit_choices(matter=matter)
        _set_choices(self, "category", _blank(_("(no category)")) + category_choices(value="pk"))
        _set_choices(self, "lead_unit", _blank("—") + units)
        _set_choices(self, "co_units", units)

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category")
        if not value:
            return None
        category = Category.objects.filter(pk=value, is_active=True).first()
        if category is None:
            raise ValidationError(_("Unknown category."))
        return category

    def clean_lead_unit(self) -> tuple[int | None, int | None]:
        return parse_unit(self.cleaned_data["lead_unit"])

    def clean_co_units(self) -> list[tuple[int | None, int | None]]:
        return [parse_unit(value) for value in self.cleaned_data.get("co_units", [])]

    def transition(self) -> dict[str, Any]:
        data = self.cleaned_data
        lead_place_id, lead_department_id = data["lead_unit"]
        category = data.get("category")
        return {
            "data": {
                "kind": data["kind"],
                "category_id": category.pk if category else None,
                "urgency": data["urgency"],
                "lead_place_id": lead_place_id,
                "lead_department_id": lead_department_id,
                "co_units": [list(unit) for unit in data.get("co_units", [])],
            },
            "note": data.get("note", ""),
        }


class AcceptForm(ActionForm):
    """签收."""

    action = Action.ACCEPT
    title = _("Accept")
    button = _("Accept")
    note = note_field(_("Note"), required=False, rows=1)


class ReturnForm(ActionForm):
    """退单: back to the dispatcher, with the reason."""

    action = Action.RETURN
    title = _("Return to the dispatcher")
    button = _("Return")
    button_class = "btn-outline-danger"
    note = note_field(_("Reason for returning"), required=True)


class OverruleForm(ActionForm):
    """The dispatcher refuses the return and sends the matter back to the same unit."""

    action = Action.OVERRULE
    title = _("Overrule the return")
    button = _("Send back to the unit")
    button_class = "btn-outline-secondary"
    note = note_field(_("Why the unit must handle it"), required=True)


class ProgressForm(ActionForm):
    action = Action.PROGRESS
    title = _("Record progress")
    button = _("Record")
    button_class = "btn-outline-secondary"
    note = note_field(_("What was done"), required=True)
    photos = PhotosField()

    def transition(self) -> dict[str, Any]:
        return {"data": {}, "note": self.cleaned_data["note"], "photos": self.cleaned_data.get("photos", [])}


class ExtensionRequestForm(ActionForm):
    """延期申请."""

    action = Action.REQUEST_EXTENSION
    title = _("Ask for an extension")
    button = _("Ask")
    button_class = "btn-outline-secondary"
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=90,
        widget=forms.NumberInput(attrs={**INPUT, "class": f"{INPUT['class']} gw-mw-7rem"}),
    )
    note = note_field(_("Reason"), required=True)

    def transition(self) -> dict[str, Any]:
        return {"data": {"days": self.cleaned_data["days"]}, "note": self.cleaned_data["note"]}


class ExtensionDecisionForm(ActionForm):
    action = Action.DECIDE_EXTENSION
    title = _("Decide the extension request")
    button = _("Decide")
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Days granted"),
        min_value=1,
        max_value=90,
        required=False,
        widget=forms.NumberInput(attrs={**INPUT, "class": f"{INPUT['class']} gw-mw-7rem"}),
    )
    note = note_field(_("Note"), required=False, rows=1)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "approve" and not data.get("days"):
            self.add_error("days", _("Say how many days are granted."))
        return data

    def transition(self) -> dict[str, Any]:
        approved = self.cleaned_data["decision"] == "approve"
        return {
            "data": {"approved": approved, "days": self.cleaned_data["days"] if approved else 0},
            "note": self.cleaned_data.get("note", ""),
        }


class ConsultationForm(ActionForm):
    """议事: the community consultation of a community matter (社事)."""

    action = Action.RECORD_CONSULTATION
    title = _("Record the community consultation")
    button = _("Record")
    button_class = "btn-outline-secondary"
    date = forms.DateField(label=_("Date of the consultation"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    participants = forms.CharField(
        label=_("Participants"), max_length=500, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )
    decision = forms.CharField(label=_("Decision"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 3}))

    def transition(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "data": {
                "date": data["date"].isoformat(),
                "participants": data["participants"].strip(),
                "decision": data["decision"].strip(),
            },
            "note": "",
        }


class ReplyForm(ActionForm):
    """答复: the unit's result, for the resident to rate."""

    action = Action.REPLY
    title = _("Reply")
    button = _("Send the reply")
    text = forms.CharField(label=_("Reply"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 4}))
    photos = PhotosField()

    def transition(self) -> dict[str, Any]:
        return {"data": {"text": self.cleaned_data["text"].strip()}, "note": "", "photos": self.cleaned_data["photos"]}


class RateForm(ActionForm):
    """回访: an operator records the resident's rating on a call-back."""

    action = Action.RATE
    title = _("Call-back rating")
    button = _("Record the rating")
    satisfaction = forms.ChoiceField(label=_("Rating"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = note_field(_("The resident's comment"), required=False)

    def transition(self) -> dict[str, Any]:
        return {
            "data": {"satisfaction": self.cleaned_data["satisfaction"], "by": "call_back"},
            "note": self.cleaned_data.get("note", ""),
        }


class CloseByAgreementForm(ActionForm):
    action = Action.CLOSE_BY_AGREEMENT
    title = _("Close with the resident's agreement")
    button = _("Close")
    button_class = "btn-outline-secondary"
    note = note_field(_("The resident's agreement (who, when, how)"), required=True)


class VerifyCloseForm(ActionForm):
    """核查结案."""

    action = Action.VERIFY_CLOSE
    title = _("Verify and close")
    button = _("Close the matter")
    note = note_field(_("Note"), required=False, rows=1)


class DiscardForm(ActionForm):
    action = Action.DISCARD
    title = _("Discard")
    button = _("Discard")
    button_class = "btn-outline-danger"
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (ClosureReason.DUPLICATE, ClosureReason.DUPLICATE.label),
            (ClosureReason.INVALID, ClosureReason.INVALID.label),
        ],
        widget=forms.RadioSelect,
    )
    duplicate_of = forms.CharField(
        label=_("Number of the matter it duplicates"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "GW…"}),
    )
    note = note_field(_("Explanation"), required=True)

    def __init__(self, *args: Any, matter: Matter, duplicate_lookup: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        self.duplicate_lookup = duplicate_lookup

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        number = (data.get("duplicate_of") or "").strip().upper()
        data["duplicate_of_id"] = None
        if data.get("reason") == ClosureReason.DUPLICATE:
            if not number:
                self.add_error("duplicate_of", _("Name the matter this one duplicates."))
            else:
                original = self.duplicate_lookup(number) if self.duplicate_lookup else None
                if original is None:
                    self.add_error("duplicate_of", _("No matter %(number)s in your area.") % {"number": number})
                elif original.pk == self.matter.pk:
                    self.add_error("duplicate_of", _("A matter cannot duplicate itself."))
                else:
                    data["duplicate_of_id"] = original.pk
        return data

    def transition(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {"reason": data["reason"]}
        if data["duplicate_of_id"] is not None:
            payload["duplicate_of_id"] = data["duplicate_of_id"]
        return {"data": payload, "note": data["note"]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        DispatchForm,
        AcceptForm,
        ReturnForm,
        OverruleForm,
        ProgressForm,
        ExtensionRequestForm,
        ExtensionDecisionForm,
        ConsultationForm,
        ReplyForm,
        RateForm,
        CloseByAgreementForm,
        VerifyCloseForm,
        DiscardForm,
    )
}
# The field each refusal code of the workflow is about, to show the message next to it.
REFUSAL_FIELDS = {
    "lead_unit": "lead_unit",
    "days": "days",
    "satisfaction": "satisfaction",
    "reason": "reason",
    "duplicate_of": "duplicate_of",
}


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} · {obj.get_level_display()} ({obj.code})"


class RoutingRuleForm(forms.Form):
    """A routing rule: the area, the category (none: the area's default) and one lead unit."""

    area = AreaChoiceField(label=_("Area"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT))
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Leave empty for the area's default rule (any category)."),
    )
    lead_unit = UnitChoiceField(label=_("Lead unit"))

    def __init__(self, *args: Any, area_choices: Any, unit_choices: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, AreaChoiceField)
        area.queryset = area_choices
        _set_choices(self, "category", _blank(_("(any category: the default)")) + category_choices(value="pk"))
        _set_choices(self, "lead_unit", _blank("—") + list(unit_choices))

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category")
        if not value:
            return None
        category = Category.objects.filter(pk=value).first()
        if category is None:
            raise ValidationError(_("Unknown category."))
        return category

    def clean_lead_unit(self) -> tuple[Place | None, Department | None]:
        place_id, department_id = parse_unit(self.cleaned_data["lead_unit"])
        place = Place.objects.filter(pk=place_id).first() if place_id is not None else None
        department = (
            Department.objects.select_related("place").filter(pk=department_id).first()
            if department_id is not None
            else None
        )
        if place is None and department is None:
            raise ValidationError(_("Choose a unit from the list."))
        return place, department

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class RoutingTestForm(forms.Form):
    """ "Test a rule": a grid of the user's scope and a category; the page shows which unit the routing gives."""

    grid = forms.CharField(
        label=_("Grid"),
        max_length=32,
        widget=forms.TextInput(attrs={**INPUT, "list": "routing-grids", "placeholder": _("Grid code")}),
    )
    test_category = forms.ChoiceField(label=_("Category"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "test_category", _blank(_("(no category)")) + category_choices(value="pk"))


def queue_filters_from(form: QueueFilterForm, user: Any) -> QueueFilters:
    """The filters of the valid fields (an invalid field is shown as an error and ignored): the queue page and its
    Excel ledger read the same filters through this one function."""
    if not form.is_bound:
        return QueueFilters()
    form.is_valid()
    data = form.cleaned_data
    category = Category.objects.filter(code=data["category"]).first() if data.get("category") else None
    place = None
    if data.get("place"):
        place = matter_filter_place(user=user, code=data["place"])
        if place is None:
            form.add_error("place", _("Choose a place in your area."))
    return QueueFilters(
        category=category,
        kind=data.get("kind") or "",
        place=place,
        since=data.get("since"),
        until=data.get("until"),
        channel=data.get("channel") or "",
        urgency=data.get("urgency") or "",
        state=data.get("state") or "",
        search=data.get("q") or "",
        deadline=data.get("deadline") or "",
    )
