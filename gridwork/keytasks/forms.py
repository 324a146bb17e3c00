"""Forms of key tasks: the task, an item of its project list (one responsible unit: a place or a department), a
milestone, a progress report with evidence, and the task's moves. The rules are the services'; the forms read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.models import User
from gridwork.common.evidence import EVIDENCE_ACCEPT
from gridwork.common.forms import DateInput, StyledForm
from gridwork.keytasks.models import KeyTask, Milestone
from gridwork.keytasks.services import MAX_EVIDENCE, MAX_TEXT, ItemInput, TaskInput, unit_departments, unit_places
from gridwork.places.models import Place


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = forms.ModelChoiceField(label=_("Owner (street, district or city)"), queryset=Place.objects.none())
    leader = PersonChoiceField(label=_("Leader"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    target_on = forms.DateField(label=_("Target date"), widget=DateInput())

    def __init__(self, *args: Any, places: QuerySet[Place], leaders: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places
        leader_field: Any = self.fields["leader"]
        leader_field.queryset = leaders

    def to_input(self) -> TaskInput:
        data = self.cleaned_data
        return TaskInput(
            title=data["title"],
            description=data.get("description") or "",
            place=data.get("place"),
            leader=data.get("leader"),
            starts_on=data.get("starts_on"),
            target_on=data.get("target_on"),
        )


class ItemForm(StyledForm):
    title = forms.CharField(label=_("Item"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ChoiceField(label=_("Responsible unit"))
    person = PersonChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args: Any, task: KeyTask, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {str(p.pk): p for p in unit_places(task)}
        self.departments = {str(d.pk): d for d in unit_departments(task)}
        unit: Any = self.fields["unit"]
        unit.choices = [
            ("", "—"),
            (_("Streets and communities"), [(f"place:{pk}", p.name) for pk, p in self.places.items()]),
            (_("Departments"), [(f"department:{pk}", d.name) for pk, d in self.departments.items()]),
        ]
        person: Any = self.fields["person"]
        person.queryset = people

    def to_input(self) -> ItemInput:
        data = self.cleaned_data
        kind, _sep, pk = str(data.get("unit") or "").partition(":")
        return ItemInput(
            title=data["title"],
            description=data.get("description") or "",
            place=self.places.get(pk) if kind == "place" else None,
            department=self.departments.get(pk) if kind == "department" else None,
            person=data.get("person"),
            deadline=data.get("deadline"),
        )


class MilestoneForm(StyledForm):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the list may be empty (evidence is welcome, not required)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(StyledForm):
    percent = forms.IntegerField(
        label=_("Progress (%)"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100})
    )
    text = forms.CharField(label=_("What was done"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Why lower than the last report"),
        required=False,
        max_length=300,
        help_text=_("Only when the progress is lower than the last report (rework found, a count corrected)."),
    )
    milestones = forms.MultipleChoiceField(
        label=_("Milestones done with this report"), required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence = MultipleFileField(
        label=_("Evidence"),
        help_text=_("Photos, or PDF, Word or Excel documents: at most %(max)d.") % {"max": MAX_EVIDENCE},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, milestones: QuerySet[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["milestones"]
        field.choices = [(str(m.pk), f"{m.title} ({m.due_on:%Y-%m-%d})") for m in milestones]

    def milestone_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("milestones") or []]


class MoveForm(StyledForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemCancelForm(StyledForm):
    reason = forms.CharField(label=_("Why the item is cancelled"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)
