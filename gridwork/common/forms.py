"""Small helpers shared by the apps' forms: a service's refusal put back on a form (``add_service_errors``),
Bootstrap's classes on every widget (``StyledForm``) and a browser date picker (``DateInput``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: each message on its field, or on the form when it has no such field."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget: ``form-check-input`` on checkboxes and radio buttons (checkbox lists
    included), ``form-select`` on selects, ``form-control`` on the rest. Widgets of the types in ``unstyled`` are left
    as they are; a widget that already has a class keeps it."""

    unstyled: ClassVar[tuple[type[forms.Widget], ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, self.unstyled):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    """The browser's date picker; the value is written as ``YYYY-MM-DD``, the format it expects."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
