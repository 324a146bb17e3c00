"""Forms of accounts. They check the shape of the input; the rules live in gridwork.accounts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Role
from gridwork.accounts.selectors import staff_department_choices, staff_place_choices
from gridwork.places.models import Department, Place


class StaffLoginForm(AuthenticationForm):
    """Django's sign-in form (fields ``username`` and ``password``) with Bootstrap classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "tel",
                "autocomplete": "tel-national",
                "placeholder": "138 1234 5678",
            }
        ),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center font-monospace",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
            }
        ),
    )


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return f"{obj.name} · {obj.get_level_display()} ({obj.code})"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.name} ({obj.place.name})"


class StaffCreateForm(forms.Form):
    """A new staff member and their first post; the unit and department lists hold only the user's scope."""

    username = forms.CharField(label=_("Username"), max_length=50)
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    place = PlaceChoiceField(label=_("Unit"), queryset=Place.objects.none())
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Only for department handlers and dispatch centres."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to let them set a password through a reset."),
    )
    password_confirm = forms.CharField(
        label=_("Initial password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field = self.fields["place"]
        department_field = self.fields["department"]
        assert isinstance(place_field, PlaceChoiceField)
        assert isinstance(department_field, DepartmentChoiceField)
        place_field.queryset = staff_place_choices(user=user)
        department_field.queryset = staff_department_choices(user=user)
        for name, field in self.fields.items():
            css = "form-select" if name in {"role", "place", "department"} else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's errors next to their fields (or above the form if the field is not on it)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
