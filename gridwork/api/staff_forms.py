"""Staff forms of the API tokens: the list's filters and a new token. The service checks everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gridwork.api.selectors import TokenStatus, api_token_account_get
from gridwork.api.services import MAX_TOKEN_DAYS

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}

# The service names the account ``user``; the form asks for its username.
SERVICE_FIELDS = {"user": "username"}


class TokenFilterForm(forms.Form):
    """The list's filters (GET); an unknown status is ignored, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={**INPUT, "type": "search", "placeholder": _("Name, prefix or username")},
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (TokenStatus.ACTIVE, pgettext_lazy("API token", "Active")),
            (TokenStatus.EXPIRED, pgettext_lazy("API token", "Expired")),
            (TokenStatus.REVOKED, pgettext_lazy("API token", "Revoked")),
        ],
        widget=forms.Select(attrs=SELECT),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("12345 hotline")}),
        help_text=_("The system that will use the token."),
        error_messages={"required": _("Name the system that will use the token.")},
    )
    username = forms.CharField(
        label=_("Acts as"),
        max_length=150,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "The username of an active staff account. The token can do what this account can do, in its units, "
            "and nothing more: a dedicated account for the other system is best."
        ),
    )
    days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        widget=forms.NumberInput(attrs={**INPUT, "min": 1, "max": MAX_TOKEN_DAYS}),
        help_text=_("Leave empty for a token that never expires."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_days(self) -> int | None:
        days: int | None = self.cleaned_data["days"]
        if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
            raise ValidationError(gettext("Between 1 and %(max)d days.") % {"max": MAX_TOKEN_DAYS}, code="range")
        return days

    def clean(self) -> dict[str, Any]:
        """Finds the account (``cleaned_data["account"]``) among those a token of this user's may act as."""
        data = super().clean() or {}
        username = data.get("username", "").strip()
        if username:
            account = api_token_account_get(user=self.user, username=username)
            if account is None:
                self.add_error(
                    "username",
                    ValidationError(
                        _("No active staff account with this username that a token may act as."),
                        code="invalid_account",
                    ),
                )
            else:
                data["account"] = account
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = SERVICE_FIELDS.get(name, name)
                self.add_error(target if target in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
