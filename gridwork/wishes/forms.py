"""Forms of the micro-wishes' pages. They parse what was typed; the rules (the value cap, who may do what, reasons
required) are the services', whose refusals the views put back on these forms' fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.common.forms import StyledForm
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.models import WishState
from gridwork.wishes.services import MAX_DESCRIPTION, MAX_NAME, MAX_NOTE, MAX_REASON, MAX_STALE_DAYS, MAX_TITLE


def _community_label(place: Place) -> str:
    street = place.parent.name if place.parent is not None else ""
    return f"{street} › {place.name}" if street else place.name


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _community_label(obj)


class WishForm(StyledForm):
    """A wish: what, for whom, where. ``building`` is typed (its name or code) and found within the community."""

    title = forms.CharField(label=_("What is wished for"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )
    value = forms.DecimalField(
        label=_("Estimated value (yuan)"),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    beneficiary_name = forms.CharField(label=_("For (name)"), max_length=MAX_NAME)
    beneficiary_phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    community = CommunityField(label=_("Community"), queryset=Place.objects.none(), required=False)
    building = forms.CharField(
        label=_("Building"),
        max_length=100,
        required=False,
        help_text=_("The building's name as the community writes it, e.g. 1号楼; or leave it empty."),
    )

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities

    def clean_beneficiary_phone(self) -> str:
        return str(self.cleaned_data.get("beneficiary_phone") or "").strip()

    def clean(self) -> dict[str, Any]:
        """Find the typed building among the micro-grids of the chosen community."""
        cleaned = super().clean() or {}
        typed = str(cleaned.get("building") or "").strip()
        cleaned["building_place"] = None
        if not typed:
            return cleaned
        community = cleaned.get("community")
        if community is None:
            self.add_error("building", _("Choose the community first."))
            return cleaned
        found = (
            Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=community.path)
            .filter(name=typed)
            .order_by("path")
            .first()
        ) or Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=community.path, code=typed).first()
        if found is None:
            self.add_error(
                "building",
                _("No building named “%(name)s” in %(community)s.") % {"name": typed, "community": community.name},
            )
        cleaned["building_place"] = found
        return cleaned

    def post_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "value": data["value"],
            "beneficiary_name": data["beneficiary_name"],
            "beneficiary_phone": data.get("beneficiary_phone", ""),
            "community": data.get("community"),
            "building": data.get("building_place"),
        }


class VersionForm(StyledForm):
    """A move on a wish at the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(ReasonForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("publish", _("Publish")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )


class ClaimForm(VersionForm):
    unit = forms.ModelChoiceField(label=_("Claim as"), queryset=ResidentUnit.objects.none(), required=False)

    def __init__(self, *args: Any, units: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        if units is None:
            del self.fields["unit"]
        else:
            field.queryset = units
            field.required = True
            field.empty_label = None


class FulfilForm(VersionForm):
    photo = forms.FileField(
        label=_("Photo of the wish fulfilled"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class QueueFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *WishState.choices])
    community = CommunityField(
        label=_("Community"), required=False, queryset=Place.objects.none(), empty_label=_("All communities")
    )
    stale = forms.BooleanField(label=_("Only those waiting too long"), required=False)

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities


class SettingsForm(StyledForm):
    value_cap = forms.DecimalField(label=_("Highest value of a wish (yuan)"), max_digits=8, decimal_places=2)
    stale_days = forms.IntegerField(
        label=_("Days unclaimed before a wish is highlighted"), min_value=1, max_value=MAX_STALE_DAYS
    )
