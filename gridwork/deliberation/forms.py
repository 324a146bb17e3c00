"""Forms of the deliberation pages: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.cobuild.categories import ServiceField
from gridwork.common.forms import DateInput, StyledForm
from gridwork.contracts.models import ClauseMenu, Contract, ContractParty
from gridwork.deliberation.models import (
    MAX_CHOSEN,
    MAX_VOTES_PER_RESIDENT,
    DeliberationOption,
    DeliberationState,
    Programme,
    Proposal,
)
from gridwork.matters.workflow import MatterKind
from gridwork.places.models import Place

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = obj.parent.name if getattr(obj, "parent", None) is not None else ""
        return f"{obj.name}（{parent}）" if parent else str(obj.name)


# --- staff: deliberations -------------------------------------------------------------------------------------------


class DeliberationFilterForm(StyledForm):
    q = forms.CharField(label=_("Number or topic"), max_length=50, required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *DeliberationState.choices], required=False)
    community = PlaceChoiceField(label=_("Community"), queryset=Place.objects.none(), required=False)

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class DeliberationForm(StyledForm):
    community = PlaceChoiceField(label=_("Community"), queryset=Place.objects.none())
    topic = forms.CharField(label=_("Topic"), max_length=100)
    background = forms.CharField(
        label=_("Background"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the question is, why it comes up, what is known (costs, rules, who is affected)."),
    )
    options = forms.CharField(
        label=_("Options"),
        max_length=2200,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line, 2 to 10. Residents choose one."),
    )
    opens_at = forms.DateTimeField(
        label=_("Voting opens at"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput()
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"), input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput()
    )
    comments_allowed = forms.BooleanField(label=_("Residents may comment"), required=False, initial=True)

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def option_lines(self) -> list[str]:
        return self.cleaned_data.get("options", "").splitlines()


class CloseForm(VersionForm, StyledForm):
    held_on = forms.DateField(label=_("Meeting held on"), widget=DateInput())
    participants_count = forms.IntegerField(label=_("Number of participants"), min_value=1, max_value=100_000)
    participants = forms.CharField(
        label=_("Participants (names and roles)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. residents' representatives of each building, the community's party secretary, the "
            "property company, units concerned."
        ),
    )
    decision = forms.CharField(label=_("Decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    chosen_option = forms.ModelChoiceField(
        label=_("Option chosen"),
        queryset=DeliberationOption.objects.none(),
        required=False,
        empty_label=_("None of the options (see the decision)"),
    )

    def __init__(self, *args: Any, options: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if options is not None:
            self.fields["chosen_option"].queryset = options  # type: ignore[attr-defined]


class ReasonForm(VersionForm, StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class HideForm(StyledForm):
    reason = forms.CharField(label=_("Why it is hidden"), max_length=200)


class CommentForm(StyledForm):
    text = forms.CharField(label=_("Your comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(StyledForm):
    option = forms.ModelChoiceField(
        label=_("Your choice"), queryset=DeliberationOption.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args: Any, options: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if options is not None:
            self.fields["option"].queryset = options  # type: ignore[attr-defined]


class ToMatterForm(VersionForm, StyledForm):
    building = PlaceChoiceField(label=_("Building"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=_("Kind of matter"), choices=MatterKind.choices, initial=MatterKind.COMMUNITY)
    text = forms.CharField(label=_("The matter"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, buildings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if buildings is not None:
            self.fields["building"].queryset = buildings  # type: ignore[attr-defined]


class ProposalFieldsForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What should be done, and why it matters to residents."),
    )
    estimated_cost = forms.DecimalField(label=_("Estimated cost (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    location = forms.CharField(label=_("Where"), max_length=200)


class ToProposalForm(VersionForm, ProposalFieldsForm):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())

    field_order = ["version", "programme", "title", "description", "estimated_cost", "location"]

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title} · {obj.unit.name}"


class ToClauseForm(VersionForm, StyledForm):
    contract = ContractChoiceField(label=_("Contract under negotiation"), queryset=Contract.objects.none())
    menu = forms.ChoiceField(label=_("Menu"), choices=ClauseMenu.choices)
    done_by = forms.ChoiceField(label=_("Done by"), choices=ContractParty.choices, initial=ContractParty.UNIT)
    content = forms.CharField(label=_("What"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("Due by"), widget=DateInput())
    measure = forms.CharField(label=_("How it is measured"), max_length=200)
    field = forms.ChoiceField(label=_("Field of work"), choices=ServiceField.choices)

    def __init__(self, *args: Any, contracts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


# --- staff: programmes ----------------------------------------------------------------------------------------------


class ProgrammeForm(StyledForm):
    place = PlaceChoiceField(label=_("Community or street"), queryset=Place.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Optional: the chosen items must fit in it."),
    )
    votes_per_resident = forms.IntegerField(
        label=_("Votes per resident"),
        min_value=1,
        max_value=MAX_VOTES_PER_RESIDENT,
        initial=3,
        help_text=_("Each verified resident gives up to this many votes, one per proposal."),
    )
    max_chosen = forms.TypedChoiceField(
        label=_("Items chosen"), coerce=int, choices=[(n, str(n)) for n in range(1, MAX_CHOSEN + 1)], initial=2
    )

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class MoveForm(VersionForm):
    action = forms.CharField(max_length=32, widget=forms.HiddenInput)


class ScreenForm(VersionForm, StyledForm):
    decision = forms.ChoiceField(
        label=_("Screening"),
        choices=[("accept", _("Accept for the vote")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (published)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: residents read it with the proposal."),
    )


class ChooseForm(VersionForm, StyledForm):
    chosen = forms.ModelMultipleChoiceField(
        label=_("Items chosen"), queryset=Proposal.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    decision = forms.CharField(
        label=_("Decision"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who decided and when, and why these items: by the votes, or why not."),
    )

    def __init__(self, *args: Any, proposals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if proposals is not None:
            self.fields["chosen"].queryset = proposals  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(VersionForm, StyledForm):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"), required=False, help_text=_("Up to 6 photos (JPEG, PNG, WEBP)."))


# --- residents ------------------------------------------------------------------------------------------------------


class CommunityPickForm(forms.Form):
    community = forms.CharField(max_length=32, required=False)
