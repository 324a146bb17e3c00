"""Forms of resident units. They read the values; ``people.services`` checks them field by field and the views put
its errors back on the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.common.masking import mask_name, mask_phone
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.people.services import MAX_CONTACT_NAME, MAX_PARTY_ORGANISATION, MAX_UNIT_NAME, UnitValues
from gridwork.places.models import Place, PlaceLevel


def place_label(place: Place) -> str:
    """A street by its name, a community with its street: 望江街道 · 春晖社区."""
    if place.level == PlaceLevel.COMMUNITY and place.parent is not None:
        return f"{place.parent.name} · {place.name}"
    return place.name


class _SaidByTheService:
    """A field shown as required whose emptiness the service reports, together with every other field's error."""

    empty_values: Any

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            return
        super().validate(value)  # type: ignore[misc]


class RequiredText(_SaidByTheService, forms.CharField):
    pass


class RequiredChoice(_SaidByTheService, forms.ChoiceField):
    pass


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class UnitForm(forms.Form):
    """登记驻区单位: a unit's name, credit code, kind, where it sits, its party organisation and contact.

    For an editor who may not see the contact unmasked, the contact fields start empty with the masked values as
    their help; left empty they keep the unit's contact (``keeps_contact``)."""

    name = RequiredText(label=_("Name"), max_length=MAX_UNIT_NAME, widget=_text())
    credit_code = RequiredText(
        label=_("Unified social credit code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"class": "form-control text-uppercase", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("18 characters, on the unit's business licence or registration certificate."),
    )
    kind = RequiredChoice(
        label=_("Kind"),
        choices=[("", _("Choose…")), *ResidentUnitKind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    place = RequiredChoice(label=_("Community or street"), widget=forms.Select(attrs={"class": "form-select"}))
    party_organisation_name = forms.CharField(
        label=_("Party organisation"),
        required=False,
        max_length=MAX_PARTY_ORGANISATION,
        widget=_text(),
        help_text=_("The unit's own party organisation, such as 供电公司机关党委."),
    )
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=MAX_CONTACT_NAME, widget=_text())
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=20, widget=_text(inputmode="tel")
    )

    def __init__(
        self,
        *args: Any,
        places: QuerySet[Place],
        unit: ResidentUnit | None = None,
        contact_unmasked: bool = True,
        **kwargs: Any,
    ) -> None:
        if unit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": unit.name,
                "credit_code": unit.credit_code,
                "kind": unit.kind,
                "place": unit.place.code,
                "party_organisation_name": unit.party_organisation_name,
                "contact_name": unit.contact_name if contact_unmasked else "",
                "contact_phone": unit.contact_phone if contact_unmasked else "",
            }
        super().__init__(*args, **kwargs)
        self.places = places
        choices = [(p.code, place_label(p)) for p in places]
        if unit is not None and unit.place.code not in {code for code, _label in choices}:
            # Where the unit sits now, even when the editor may not register units there any more.
            choices.insert(0, (unit.place.code, place_label(unit.place)))
        place: Any = self.fields["place"]
        place.choices = [("", _("Choose…")), *choices]
        self.masked_contact = unit is not None and not contact_unmasked
        if self.masked_contact and unit is not None:
            keep = _("Leave empty to keep: %(value)s")
            self.fields["contact_name"].help_text = keep % {"value": mask_name(unit.contact_name) or "—"}
            self.fields["contact_phone"].help_text = keep % {"value": mask_phone(unit.contact_phone) or "—"}

    def keeps_contact(self) -> bool:
        """An editor who saw the contact masked and typed no new one keeps it."""
        return self.masked_contact and not (self.cleaned_data["contact_name"] or self.cleaned_data["contact_phone"])

    def values(self) -> UnitValues:
        data = self.cleaned_data
        return UnitValues(
            credit_code=data["credit_code"],
            name=data["name"],
            kind=data["kind"],
            place=Place.objects.filter(code=data["place"]).select_related("parent").first(),
            party_organisation_name=data["party_organisation_name"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
