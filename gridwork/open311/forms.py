"""The staff form of the Open311 keys."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.open311.services import NAME_MAX


class KeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Client"),
        max_length=NAME_MAX,
        help_text=_("Who uses the key, e.g. the district's 12345 system or a mobile app."),
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
    )
