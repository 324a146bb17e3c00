"""Forms of the contracts' pages. They parse what was typed; the rules (terms, due dates within the term, evidence,
scores, who may do what) are the services', whose refusals the views put back on these forms' fields
(``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.cobuild.categories import ServiceField
from gridwork.common.evidence import EVIDENCE_ACCEPT
from gridwork.common.forms import DateInput, StyledForm
from gridwork.contracts.models import (
    SCORE_MAX,
    SCORE_MIN,
    STARS_MAX,
    STARS_MIN,
    Clause,
    ClauseMenu,
    Contract,
    ContractParty,
    ContractStage,
    ContractState,
)
from gridwork.contracts.services import (
    MAX_COMMENT,
    MAX_CONTENT,
    MAX_EVIDENCE,
    MAX_MEASURE,
    MAX_NOTE,
    MAX_RATING_COMMENT,
    MAX_REASON,
    MAX_TITLE,
    ClauseValues,
)
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place


def _community_label(place: Place) -> str:
    street = place.parent.name if place.parent is not None else ""
    return f"{street} › {place.name}" if street else place.name


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _community_label(obj)


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.place.name})"


class VersionForm(StyledForm):
    """A move on a contract at the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(StyledForm):
    note = forms.CharField(label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}))


class TermsFields(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    term_start = forms.DateField(label=_("Term starts"), required=False, widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), required=False, widget=DateInput())


class ContractForm(TermsFields):
    """谈约 begins: which community, which unit; the title; the term may be left open for now."""

    community = CommunityField(label=_("Community"), queryset=Place.objects.none())
    unit = UnitField(
        label=_("Resident unit"),
        queryset=ResidentUnit.objects.none(),
        help_text=_("A unit sitting in the community or in its street."),
    )
    field_order = ["community", "unit", "title", "term_start", "term_end"]

    def __init__(self, *args: Any, communities: QuerySet[Place], units: QuerySet[ResidentUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        unit = self.fields["unit"]
        assert isinstance(community, forms.ModelChoiceField)
        assert isinstance(unit, forms.ModelChoiceField)
        community.queryset = communities
        unit.queryset = units


class TermsForm(TermsFields, VersionForm):
    pass


class ClauseFields(StyledForm):
    menu = forms.ChoiceField(label=_("Menu"), choices=ClauseMenu.choices)
    done_by = forms.ChoiceField(label=_("Done by"), choices=ContractParty.choices)
    content = forms.CharField(
        label=_("What"),
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published on the community's board once signed: name no person and give no phone number."),
    )
    due_on = forms.DateField(label=_("Due by"), widget=DateInput())
    measure = forms.CharField(
        label=_("How it is measured"),
        max_length=MAX_MEASURE,
        help_text=_("What counts as done, e.g. “4 free clinics, 30 residents each”."),
    )
    field = forms.ChoiceField(label=_("Field of work"), choices=ServiceField.choices)

    def values(self) -> ClauseValues:
        data = self.cleaned_data
        return ClauseValues(
            menu=data["menu"],
            done_by=data["done_by"],
            content=data["content"],
            due_on=data["due_on"],
            measure=data["measure"],
            field=data["field"],
        )

    @staticmethod
    def initial_of(clause: Clause) -> dict[str, Any]:
        return {
            "menu": clause.menu,
            "done_by": clause.party,
            "content": clause.content,
            "due_on": clause.due_on,
            "measure": clause.measure,
            "field": clause.field,
        }


class ClauseForm(ClauseFields, VersionForm):
    pass


class FromMatchForm(ClauseFields):
    """A clause drafted from a match: into a contract under negotiation, or a new one (with its title)."""

    contract = forms.ModelChoiceField(
        label=_("Contract"), queryset=Contract.objects.none(), required=False, empty_label=_("A new contract")
    )
    title = forms.CharField(label=_("Title of the new contract"), max_length=MAX_TITLE, required=False)
    field_order = ["contract", "title", "menu", "done_by", "content", "due_on", "measure", "field"]

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = contracts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("contract") is None and not str(cleaned.get("title") or "").strip():
            self.add_error("title", _("Give the new contract a title, or choose a contract under negotiation."))
        return cleaned


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the list may be empty (the service says evidence is required, and why)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PerformForm(StyledForm):
    performed_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(label=_("What was done"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(
        label=_("Evidence"),
        help_text=_("Photos, or PDF, Word or Excel documents: at least one, at most %(max)d.") % {"max": MAX_EVIDENCE},
    )
    completes = forms.BooleanField(label=_("This completes the clause"), required=False, initial=True)


class EvaluateForm(StyledForm):
    """评约 of one party: the whole and each clause from 0 to 100."""

    score = forms.IntegerField(label=_("Score of the whole contract (0–100)"), min_value=SCORE_MIN, max_value=SCORE_MAX)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, clauses: list[Clause], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clauses = clauses
        for clause in clauses:
            self.fields[f"clause_{clause.pk}"] = forms.IntegerField(
                label=_("Score of clause %(position)d (0–100)") % {"position": clause.position},
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
        self.order_fields(["score", *[f"clause_{clause.pk}" for clause in clauses], "comment"])

    def clause_scores(self) -> dict[int, int | None]:
        return {clause.pk: self.cleaned_data.get(f"clause_{clause.pk}") for clause in self.clauses}


class RatingForm(StyledForm):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(value, "★" * value) for value in range(STARS_MAX, STARS_MIN - 1, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (not published)"),
        required=False,
        max_length=MAX_RATING_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilterForm(StyledForm):
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All stages")), *ContractStage.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *ContractState.choices])
    community = CommunityField(
        label=_("Community"), required=False, queryset=Place.objects.none(), empty_label=_("All communities")
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=120)
    expiring = forms.BooleanField(label=_("Term ends within 30 days"), required=False)

    def __init__(self, *args: Any, communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities
