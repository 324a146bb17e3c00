"""Staff forms of the outbound webhooks: an endpoint, and the delivery log's filters. The service checks again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.matters.models import Channel
from gridwork.places.models import Place
from gridwork.webhooks.events import WebhookEvent
from gridwork.webhooks.models import DeliveryStatus

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} · {obj.get_level_display()} ({obj.code})"


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"], message=_("Enter an http or https URL."))],
        widget=forms.URLInput(attrs={**INPUT, "placeholder": "https://12345.example.gov.cn/gridwork/webhook"}),
        help_text=_("Each request is a signed POST with a JSON body; any 2xx answer counts as delivered."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    area = AreaChoiceField(
        label=_("Area"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        help_text=_("Only matters in this area are sent."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Every channel")), *Channel.choices],
        widget=forms.Select(attrs=SELECT),
        help_text=_("For the 12345 hotline, usually only the matters it filed."),
    )
    is_active = forms.BooleanField(label=pgettext_lazy("webhook endpoint", "Active"), required=False, initial=True)

    def __init__(self, *args: Any, area_choices: QuerySet[Place], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, AreaChoiceField)
        area.queryset = area_choices
        if not editing:
            del self.fields["is_active"]

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = "area" if name == "place" else name
                self.add_error(target if target in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class DeliveryFilterForm(forms.Form):
    """The delivery log's filters (GET); an unknown value is ignored with an error, never a 500."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *DeliveryStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )
    event = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("Any event")), *WebhookEvent.choices],
        widget=forms.Select(attrs=SELECT),
    )
    endpoint = forms.TypedChoiceField(
        label=_("Endpoint"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, endpoint_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        endpoint = self.fields["endpoint"]
        assert isinstance(endpoint, forms.TypedChoiceField)
        endpoint.choices = [("", _("Every endpoint")), *((str(pk), label) for pk, label in endpoint_choices)]
