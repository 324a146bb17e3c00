"""Forms of the ratings' pages. They parse what was typed; the rules (complete answers, evidence, stars and reasons,
who may do what) are the services', whose refusals the views put back on these forms' fields (``add_service_errors``).
A level's form is built from the round's scheme version: a field per indicator scored by hand or held as a condition,
a note per indicator, a checkbox and a reason per veto item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.common.evidence import EVIDENCE_ACCEPT
from gridwork.common.forms import DateInput, StyledForm
from gridwork.places.models import Place
from gridwork.ratings.models import STARS_MAX, AssessmentState
from gridwork.ratings.services import LevelInput
from gridwork.ratings.services.assessments import (
    MAX_INDICATOR_NOTE,
    indicator_field,
    note_field,
    veto_field,
    veto_reason_field,
)
from gridwork.ratings.services.base import MAX_COMMENT, MAX_LINK, MAX_NAME, MAX_NOTE, MAX_REASON
from gridwork.schemes.models import IndicatorMethod, SchemeVersion
from gridwork.schemes.scoring import VersionContent


class VersionForm(StyledForm):
    """A move at the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.scheme.name} v{obj.number} ({obj.scheme.get_target_kind_display()})"


class PlaceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class RoundForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME, help_text=_("E.g. “2026 annual 五星达标”."))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    scheme_version = VersionField(label=_("Scheme version"), queryset=SchemeVersion.objects.none())
    period_start = forms.DateField(label=_("Period starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Period ends"), widget=DateInput())
    self_due = forms.DateField(label=_("Self-assessment due"), widget=DateInput())
    review_due = forms.DateField(label=_("Street review due"), widget=DateInput())
    accept_due = forms.DateField(label=_("City acceptance due"), widget=DateInput())
    higher_review = forms.BooleanField(label=_("With a higher review (上级复核)"), required=False)
    goal_stars = forms.TypedChoiceField(
        label=_("Goal: stars"), choices=[(n, str(n)) for n in range(1, STARS_MAX + 1)], coerce=int, initial=STARS_MAX
    )
    star_goal = forms.DecimalField(
        label=_("Goal: share of targets (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(70),
        help_text=_("E.g. 70, 85 or 100 (per cent of the communities at five stars, 五星达标)."),
    )

    def __init__(self, *args: Any, versions: QuerySet[SchemeVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["scheme_version"]
        field.queryset = versions


class AddAllForm(StyledForm):
    under = PlaceField(
        label=_("Everything of the round's kind under"),
        queryset=Place.objects.none(),
        help_text=_("All communities (or grids, secretaries…) of this city, district or street."),
    )

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["under"]
        field.queryset = places


class AddOneForm(StyledForm):
    target = forms.TypedChoiceField(label=_("One target"), choices=[], coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["target"]
        field.choices = [("", "—"), *choices]


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
STAR_CHOICES = [("", _("As the score gives")), *[(str(n), str(n)) for n in range(0, STARS_MAX + 1)]]


class LevelForm(VersionForm):
    """One level's answers. ``with_stars``: the city's stars and the reason for other stars than the score's."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        content: VersionContent,
        prefill: LevelInput | None = None,
        with_stars: bool = False,
        **kwargs: Any,
    ) -> None:
        self.content = content
        initial: dict[str, Any] = dict(kwargs.pop("initial", {}) or {})
        if prefill is not None:
            for indicator_id, value in prefill.answers.items():
                if isinstance(value, bool):
                    initial[indicator_field(indicator_id)] = "yes" if value else "no"
                elif value is not None:
                    initial[indicator_field(indicator_id)] = value
            for indicator_id, note in prefill.notes.items():
                initial[note_field(indicator_id)] = note
            for veto_id, reason in prefill.vetoes.items():
                initial[veto_field(veto_id)] = True
                initial[veto_reason_field(veto_id)] = reason
        super().__init__(*args, initial=initial, **kwargs)
        for indicator in content.indicators:
            if indicator.method == IndicatorMethod.COMPUTED:
                continue
            name = indicator_field(indicator.pk)
            if indicator.method == IndicatorMethod.CONDITION:
                self.fields[name] = forms.ChoiceField(label=indicator.name, choices=YES_NO, required=False)
            else:
                self.fields[name] = forms.DecimalField(
                    label=indicator.name,
                    required=False,
                    min_value=Decimal(0),
                    max_value=indicator.max_score,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.01"}),
                )
            self.fields[note_field(indicator.pk)] = forms.CharField(
                label=_("Note"), required=False, max_length=MAX_INDICATOR_NOTE
            )
        for veto in content.vetoes:
            self.fields[veto_field(veto.pk)] = forms.BooleanField(label=veto.name, required=False)
            self.fields[veto_reason_field(veto.pk)] = forms.CharField(
                label=_("Why it holds"), required=False, max_length=MAX_REASON
            )
        if with_stars:
            self.fields["stars"] = forms.ChoiceField(label=_("Stars"), choices=STAR_CHOICES, required=False)
            self.fields["reason"] = forms.CharField(
                label=_("Reason for other stars than the score's"),
                required=False,
                max_length=MAX_REASON,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for field in self.fields.values():
            widget = field.widget
            if "class" not in widget.attrs:
                widget.attrs["class"] = (
                    "form-check-input"
                    if isinstance(widget, forms.CheckboxInput)
                    else "form-select"
                    if isinstance(widget, forms.Select)
                    else "form-control"
                )

    def level_input(self) -> LevelInput:
        data = self.cleaned_data
        answers: dict[int, Decimal | bool | None] = {}
        notes: dict[int, str] = {}
        for indicator in self.content.indicators:
            if indicator.method == IndicatorMethod.COMPUTED:
                continue
            raw = data.get(indicator_field(indicator.pk))
            if indicator.method == IndicatorMethod.CONDITION:
                answers[indicator.pk] = {"yes": True, "no": False}.get(raw or "")
            else:
                answers[indicator.pk] = raw
            note = (data.get(note_field(indicator.pk)) or "").strip()
            if note:
                notes[indicator.pk] = note
        vetoes = {
            veto.pk: (data.get(veto_reason_field(veto.pk)) or "")
            for veto in self.content.vetoes
            if data.get(veto_field(veto.pk))
        }
        return LevelInput(answers=answers, notes=notes, vetoes=vetoes, comment=data.get("comment") or "")

    def chosen_stars(self) -> int | None:
        raw = self.cleaned_data.get("stars") or ""
        return int(raw) if raw != "" else None

    def indicator_fields(self) -> dict[int, tuple[Any, Any]]:
        """Per indicator id, its (answer, note) bound fields, for the template's table."""
        return {
            indicator.pk: (self[indicator_field(indicator.pk)], self[note_field(indicator.pk)])
            for indicator in self.content.indicators
            if indicator.method != IndicatorMethod.COMPUTED
        }

    def veto_fields(self) -> dict[int, tuple[Any, Any]]:
        return {veto.pk: (self[veto_field(veto.pk)], self[veto_reason_field(veto.pk)]) for veto in self.content.vetoes}


class EvidenceForm(VersionForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("A photo, or a PDF, Word or Excel document (up to 20 MB)."),
    )
    link = forms.CharField(
        label=_("Or a link to a record"),
        required=False,
        max_length=MAX_LINK,
        help_text=_("A page of the platform, e.g. /staff/matters/12/."),
    )
    indicator = forms.TypedChoiceField(label=_("For the indicator"), choices=[], coerce=int, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE)

    def __init__(self, *args: Any, content: VersionContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["indicator"]
        field.choices = [
            ("", _("The whole assessment")),
            *[(indicator.pk, f"{indicator.code} {indicator.name}") for indicator in content.indicators],
        ]
        field.empty_value = None


class RemoveEvidenceForm(VersionForm):
    evidence = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LowerForm(VersionForm):
    stars = forms.TypedChoiceField(
        label=_("New stars"),
        choices=[("", "—"), *[(n, str(n)) for n in range(0, STARS_MAX)]],
        coerce=int,
        required=False,
        empty_value=None,
    )
    veto_item = forms.TypedChoiceField(
        label=_("Veto item (一票否决), if one now holds"), choices=[], coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, content: VersionContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["veto_item"]
        field.choices = [("", "—"), *[(veto.pk, f"{veto.code} {veto.name}") for veto in content.vetoes]]


class FilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["state"]
        field.choices = [("", _("All")), *AssessmentState.choices]
