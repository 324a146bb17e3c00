"""Forms of the households in difficulty. They parse what was typed; the rules (dates, who may be paired, one open
record per household…) are the services', whose refusals the views put back on these fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.models import User
from gridwork.care.models import Difficulty, Pairing
from gridwork.care.services import MAX_NEED, MAX_NEEDS, MAX_NOTE, MAX_NOTES, MAX_REASON
from gridwork.common.forms import DateInput
from gridwork.common.forms import StyledForm as BaseStyledForm
from gridwork.common.masking import mask_name
from gridwork.matters.services import TEXT_MAX
from gridwork.matters.workflow import MatterKind
from gridwork.party.models import MemberRegistration
from gridwork.places.models import Place
from gridwork.wishes.services import MAX_DESCRIPTION, MAX_NAME, MAX_TITLE

MAX_NOT_VISITED_DAYS = 3650


class StyledForm(BaseStyledForm):
    """Bootstrap's classes on every widget, except checkbox lists: left unstyled."""

    unstyled = (forms.CheckboxSelectMultiple,)


PAIRED_CHOICES = [("", _("Paired or not")), ("yes", _("Paired")), ("no", _("Not paired"))]


class FilterForm(StyledForm):
    """The list's filters: community, kind, paired or not, not visited for N days, ended records."""

    community = forms.ChoiceField(label=_("Community"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of difficulty"), required=False, choices=[("", _("All kinds")), *Difficulty.choices]
    )
    paired = forms.ChoiceField(label=_("Pairing"), required=False, choices=PAIRED_CHOICES)
    not_visited_days = forms.IntegerField(
        label=_("Not visited for (days)"), required=False, min_value=1, max_value=MAX_NOT_VISITED_DAYS
    )
    ended = forms.BooleanField(label=_("Ended records"), required=False)

    def __init__(self, *args: Any, communities: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All my communities")), *((c.code, c.name) for c in communities)]

    def paired_value(self) -> bool | None:
        value = self.cleaned_data.get("paired", "") if self.is_bound and self.is_valid() else ""
        return {"yes": True, "no": False}.get(value)


def _kinds_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Kinds of difficulty"),
        choices=Difficulty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class RecordForm(StyledForm):
    """A household's kinds, start date and note (flagging and updating)."""

    kinds = _kinds_field()
    since = forms.DateField(label=_("In difficulty since"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class FlagForm(RecordForm):
    household = forms.CharField(label=_("Household (code)"), max_length=32, widget=forms.HiddenInput)

    field_order = ["household", "kinds", "since", "note"]


class EndForm(StyledForm):
    ended_on = forms.DateField(
        label=_("Ended on"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


class MemberField(forms.ModelChoiceField):
    """A registered member, named as personal data: masked unless the viewer may see it."""

    def __init__(self, *args: Any, unmasked: bool = False, **kwargs: Any) -> None:
        self.unmasked = unmasked
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        name = obj.name if self.unmasked else mask_name(obj.name)
        return f"{name} · {obj.building.name}"


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class PairForm(StyledForm):
    """One partner: a registered member of the community, a local leader, or any leader by account name."""

    member = MemberField(label=_("Party member"), queryset=MemberRegistration.objects.none(), required=False)
    leader = LeaderField(label=_("Leader of the area"), queryset=User.objects.none(), required=False)
    leader_username = forms.CharField(
        label=_("Or a leader's account name"),
        max_length=150,
        required=False,
        help_text=_("For a district or city leader not in the list."),
    )
    since = forms.DateField(label=_("Paired since"), required=False, widget=DateInput(), help_text=_("Empty: today."))

    def __init__(
        self,
        *args: Any,
        members: QuerySet[MemberRegistration],
        leaders: QuerySet[User],
        unmasked: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, MemberField)
        member.queryset = members
        member.unmasked = unmasked
        leader = self.fields["leader"]
        assert isinstance(leader, forms.ModelChoiceField)
        leader.queryset = leaders

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username = data.get("leader_username", "").strip()
        if username:
            if data.get("leader") is not None:
                self.add_error("leader_username", _("Choose the leader from the list or type an account, not both."))
            else:
                found = User.objects.filter(username=username).first()
                if found is None:
                    self.add_error("leader_username", _("No account is called “%(name)s”.") % {"name": username})
                else:
                    data["leader"] = found
        return data


class PairingField(forms.ModelChoiceField):
    def __init__(self, *args: Any, unmasked: bool = False, **kwargs: Any) -> None:
        self.unmasked = unmasked
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        if obj.member is not None:
            name = obj.member.name if self.unmasked else mask_name(obj.member.name)
            return str(_("Party member %(name)s") % {"name": name})
        return str(_("Leader %(name)s") % {"name": obj.leader})


class VisitForm(StyledForm):
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=DateInput())
    pairing = PairingField(
        label=_("Visit of the pairing"),
        queryset=Pairing.objects.none(),
        required=False,
        empty_label=_("— my own visit —"),
        help_text=_("Whose visit this was; leave empty when you visited in your own right."),
    )
    notes = forms.CharField(
        label=_("What the visit found"), required=False, max_length=MAX_NOTES, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = forms.CharField(
        label=_("Needs found"),
        required=False,
        max_length=MAX_NEEDS * (MAX_NEED + 1),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One need per line; each can then be filed as a matter or posted as a micro-wish."),
    )

    def __init__(self, *args: Any, pairings: list[Pairing], unmasked: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pairing"]
        assert isinstance(field, PairingField)
        field.queryset = Pairing.objects.filter(pk__in=[p.pk for p in pairings]).select_related("member", "leader")
        field.unmasked = unmasked

    def need_lines(self) -> list[str]:
        return [line for line in self.cleaned_data.get("needs", "").splitlines() if line.strip()]


class MatterForm(StyledForm):
    text = forms.CharField(label=_("The matter"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Let the platform suggest")), *MatterKind.choices],
    )


class WishForm(StyledForm):
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
