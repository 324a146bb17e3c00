"""The resident's application for people's mediation (人民调解申请). The form checks the shape of the input and the
consent; the rules are ``services.applications``'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import StyledForm
from gridwork.mediation.models import DisputeType
from gridwork.mediation.services.applications import (
    CONSENT_TEXT,
    MAX_ADDRESS,
    MAX_NAME,
    MAX_REQUEST,
    MAX_WITHDRAW_REASON,
)
from gridwork.mediation.services.cases import MAX_TEXT
from gridwork.places.models import Place


def _grouped(communities: QuerySet[Place]) -> list[tuple[str, Any]]:
    """The communities under their streets (``<optgroup>``), for the phone's native picker."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for community in communities:
        street = community.parent.name if community.parent is not None else ""
        groups.setdefault(street, []).append((community.code, community.name))
    return [("", _("Choose the community")), *groups.items()]


class ApplicationForm(StyledForm):
    """Where the dispute arose, what it is about, what the applicant asks for, the other party as far as known, the
    applicant's name, and the consent to mediation."""

    community = forms.ChoiceField(
        label=_("Community where the dispute arose"),
        error_messages={
            "required": _("Choose the community where the dispute arose."),
            "invalid_choice": _("Choose a community from the list."),
        },
    )
    dispute_type = forms.ChoiceField(
        label=_("Type of dispute"),
        choices=[("", _("Choose the type")), *DisputeType.choices],
        error_messages={
            "required": _("Choose the type of dispute."),
            "invalid_choice": _("Choose a type from the list."),
        },
    )
    facts = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
        help_text=_("When and where it happened, who is involved, and what you have tried so far."),
        error_messages={
            "required": _("Write what happened: when, where, who is involved and what has been tried."),
            "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    request_text = forms.CharField(
        label=_("What you ask for"),
        max_length=MAX_REQUEST,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REQUEST}),
        help_text=_("What would settle the dispute for you, e.g. a repair, a payment, an apology."),
        error_messages={
            "required": _("Write what you ask for: what would settle the dispute for you."),
            "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    other_name = forms.CharField(
        label=_("Name of the other party"),
        max_length=MAX_NAME,
        help_text=_("A person, or an organisation such as a company or a property manager."),
        error_messages={
            "required": _("Give the other party's name (a person or an organisation)."),
            "max_length": _("At most %(limit_value)d characters."),
        },
    )
    other_is_organisation = forms.BooleanField(label=_("The other party is an organisation"), required=False)
    other_phone = forms.CharField(
        label=_("Their phone, if you know it"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={"max_length": _("A phone number has at most %(limit_value)d characters.")},
    )
    other_address = forms.CharField(
        label=_("Their address, if you know it"),
        max_length=MAX_ADDRESS,
        required=False,
        error_messages={"max_length": _("At most %(limit_value)d characters.")},
    )
    applicant_name = forms.CharField(
        label=_("Your name"),
        max_length=MAX_NAME,
        help_text=_("As on your ID card: the agreement is written with it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Give your name as on your ID card: the agreement is written with it."),
            "max_length": _("At most %(limit_value)d characters."),
        },
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("Mediation needs your consent: tick the box to apply.")},
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._communities = communities
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _grouped(communities)

    def clean_community(self) -> Place:
        code = self.cleaned_data["community"]
        place = self._communities.filter(code=code).first()
        if place is None:
            raise forms.ValidationError(_("Choose a community from the list."), code="invalid_choice")
        return place


class CommunitySearchForm(forms.Form):
    """Find the community by its name, its street, or a building's name or address in it."""

    find = forms.CharField(label=_("Find the community"), max_length=50, required=False)


class WithdrawForm(StyledForm):
    """The applicant ends the mediation (People's Mediation Law, art. 23): why, and the version of the page."""

    reason = forms.CharField(
        label=_("Why you withdraw"),
        max_length=MAX_WITHDRAW_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_WITHDRAW_REASON}),
        help_text=_("For example: we settled it between ourselves. The community reads it before closing the case."),
        error_messages={
            "required": _("Say why you withdraw: the community reads it before closing the case."),
            "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
