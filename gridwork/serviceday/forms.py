"""Forms of the service day's pages. They check the shape of what was typed; the rules are the services'."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.activities.models import Activity
from gridwork.common.forms import StyledForm
from gridwork.common.masking import mask_name
from gridwork.matters.models import Matter
from gridwork.places.models import Place
from gridwork.serviceday.models import STARS_MAX, STARS_MIN, CycleState, Topic
from gridwork.serviceday.services.common import (
    MAX_COMMENT,
    MAX_DESCRIPTION,
    MAX_FEEDBACK,
    MAX_NAME,
    MAX_NOTE,
    MAX_OPINION,
    MAX_PHONE,
    MAX_SUMMARY,
    MAX_TITLE,
)

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
TOO_LONG = _("At most %(limit_value)d characters (you wrote %(show_value)d).")


class CycleFilterForm(forms.Form):
    """The cycle list's filters: a month (YYYY-MM), a community of the user's area, a state, late ones only."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "month"}),
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Place.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All my communities"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": _("Choose a community of your area.")},
    )
    state = forms.ChoiceField(
        label=_("Where it stands"),
        required=False,
        choices=[("", _("Any")), *CycleState.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": _("Choose a state from the list.")},
    )
    late = forms.BooleanField(
        label=_("Late only"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("month", "").strip()
        if not value:
            return None
        match = MONTH_RE.match(value)
        if match is None or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2099:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-03."))
        return int(match.group(1)), int(match.group(2))


def _topic_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", _("Choose")), *Topic.choices],
        error_messages={"required": _("Choose what it is about."), "invalid_choice": _("Choose from the list.")},
    )


class OpinionForm(StyledForm):
    """An opinion for the service day: what about, what, and a contact if the person wants an answer."""

    topic = _topic_field(_("What is it about?"))
    text = forms.CharField(
        label=_("Your opinion"),
        max_length=MAX_OPINION,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_OPINION}),
        help_text=_("What the service day should offer, or what needs doing in the community."),
        error_messages={
            "required": _("Write your opinion: what you would like the service day to offer, or what needs doing."),
            "max_length": TOO_LONG,
        },
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=MAX_NAME,
        required=False,
        error_messages={"max_length": _("At most %(limit_value)d characters.")},
    )
    phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=MAX_PHONE,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": _("A phone number has at most %(limit_value)d characters.")},
    )


class MatterPullForm(StyledForm):
    """Matters of the community chosen to become opinions, and what they are about."""

    matters: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Matters"),
        queryset=Matter.objects.none(),
        to_field_name="number",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one matter."),
            "invalid_choice": _("%(value)s is not a matter you can pull into this cycle."),
            "invalid_pk_value": _("%(pk)s is not a matter number."),
        },
    )
    topic = _topic_field(_("What are they about?"))

    def __init__(self, *args: Any, candidates: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["matters"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates


class OpinionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.text[:80])


class VolunteerChoices(forms.ModelMultipleChoiceField):
    """Registered members by masked name and building: enough to choose, no more personal data than that."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{mask_name(obj.name)} · {obj.building.name}"


class ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{timezone.localtime(obj.starts_at):%Y-%m-%d %H:%M} {obj.title}"


def _multiple(
    label: Any, queryset: QuerySet[Any], message: Any, kind: type[forms.ModelMultipleChoiceField]
) -> forms.ModelMultipleChoiceField:
    return kind(
        label=label,
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": message, "invalid_pk_value": message},
    )


class ItemForm(StyledForm):
    """An item of the service day: what is offered, the opinions it takes up, who helps, the activity."""

    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Give the item a title."), "max_length": TOO_LONG},
    )
    topic = _topic_field(_("Topic"))
    description = forms.CharField(
        label=_("What is offered"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_DESCRIPTION}),
        error_messages={"max_length": TOO_LONG},
    )
    activity = ActivityChoice(
        label=_("Activity that holds it"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("Choose an activity of the community around this service day.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        opinions: QuerySet[Any],
        members: QuerySet[Any],
        units: QuerySet[Any],
        activities: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opinions"] = _multiple(
            _("Opinions it takes up"), opinions, _("Choose opinions of this cycle."), OpinionChoices
        )
        self.fields["members"] = _multiple(
            _("Volunteers (registered party members)"),
            members,
            _("Choose party members registered here."),
            VolunteerChoices,
        )
        self.fields["units"] = _multiple(
            _("Resident units"),
            units,
            _("Choose units of the community or its street."),
            forms.ModelMultipleChoiceField,
        )
        activity = self.fields["activity"]
        assert isinstance(activity, forms.ModelChoiceField)
        activity.queryset = activities


class ResultForm(StyledForm):
    """The service day's result of an item: done or not, and a note (the reason when not done)."""

    done = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Done")), ("no", _("Not done"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it was done."), "invalid_choice": _("Choose done or not done.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTE}),
        help_text=_("How it went; when not done, why, and what happens instead."),
        error_messages={"max_length": TOO_LONG},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DropForm(StyledForm):
    reason = forms.CharField(
        label=_("Why it is dropped"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTE}),
        error_messages={"required": _("Say why the item is dropped."), "max_length": TOO_LONG},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


STAGE_TEXT: dict[str, tuple[Any, int]] = {
    CycleState.EVALUATE: (_("Feedback to residents"), MAX_FEEDBACK),
    CycleState.SUMMARY: (pgettext_lazy("service day cycle", "Summary"), MAX_SUMMARY),
}


class CompleteForm(StyledForm):
    """Completing the cycle's current stage: the feedback, the summary, or a note."""

    text = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": TOO_LONG},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label, limit = STAGE_TEXT.get(stage, (_("Note (optional)"), MAX_NOTE))
        field = self.fields["text"]
        assert isinstance(field, forms.CharField)
        field.label = label
        field.max_length = limit
        field.widget.attrs["maxlength"] = limit
        field.validators.append(MaxLengthValidator(limit))


class RatingForm(StyledForm):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(str(value), str(value)) for value in range(STARS_MIN, STARS_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Give from 1 to 5 stars."),
            "invalid_choice": _("Give from 1 to 5 stars."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=MAX_COMMENT,
        required=False,
        error_messages={"max_length": TOO_LONG},
    )


class CommunityChoiceForm(forms.Form):
    community = forms.CharField(max_length=32, required=False)
