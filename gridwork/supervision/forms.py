"""Forms of the supervision moves on a matter's page (督办, 催办, 吹哨报到, hard matters' levels and stages).

They check the shape of the input; whether the move is allowed, and the rules of its data, are the service's
(``matters.services.matter_transition`` with ``supervision.moves``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.matters.forms.staff import INPUT, SELECT, ActionForm, note_field
from gridwork.matters.models import Matter
from gridwork.matters.selectors import matter_unit_choices
from gridwork.matters.units import Unit, unit_label, user_acts_for
from gridwork.matters.workflow import Action
from gridwork.supervision.models import UnitTask, Whistle

ROWS = 5


def _rows(form: forms.Form, *, choices: list[Any], with_days: bool) -> None:
    """ROWS pairs (or triples) of unit, task (and working days) fields: unit_0, task_0, days_0 …"""
    for row in range(ROWS):
        form.fields[f"unit_{row}"] = forms.ChoiceField(
            label=_("Unit %(n)d") % {"n": row + 1},
            required=False,
            choices=[("", "—"), *choices],
            widget=forms.Select(attrs=SELECT),
        )
        form.fields[f"task_{row}"] = forms.CharField(
            label=_("Task of unit %(n)d") % {"n": row + 1},
            required=False,
            max_length=500,
            widget=forms.TextInput(attrs=INPUT),
        )
        if with_days:
            form.fields[f"days_{row}"] = forms.IntegerField(
                label=_("Working days for unit %(n)d") % {"n": row + 1},
                required=False,
                min_value=1,
                max_value=90,
                widget=forms.NumberInput(attrs={**INPUT, "class": f"{INPUT['class']} gw-mw-7rem"}),
            )


def _collect(form: forms.Form, *, with_days: bool) -> list[dict[str, Any]]:
    rows = []
    for row in range(ROWS):
        unit, task = form.cleaned_data.get(f"unit_{row}"), form.cleaned_data.get(f"task_{row}", "")
        days = form.cleaned_data.get(f"days_{row}") if with_days else None
        if not unit and not task:
            continue
        if not unit:
            form.add_error(f"unit_{row}", _("Choose the unit for this task."))
        elif not task:
            form.add_error(f"task_{row}", _("Say what this unit must do."))
        elif with_days and not days:
            form.add_error(f"days_{row}", _("How many working days?"))
        rows.append({"unit": unit, "task": task, **({"days": days} if with_days else {})})
    if not rows:
        form.add_error("unit_0", _("Name at least one unit and its task."))
    return rows


class SuperviseForm(ActionForm):
    """督办: an order to the unit, with a note and a new deadline."""

    action = Action.SUPERVISE
    title = _("Issue a supervision order (督办)")
    button = _("Issue the order")
    button_class = "btn-outline-danger"
    due_at = forms.DateTimeField(
        label=_("New deadline"), widget=forms.DateTimeInput(attrs={**INPUT, "type": "datetime-local"})
    )
    note = note_field(_("What the unit must do"), required=True)

    def transition(self) -> dict[str, Any]:
        due = self.cleaned_data["due_at"]
        return {"data": {"due_at": due.isoformat()}, "note": self.cleaned_data["note"]}


class AnswerSupervisionForm(ActionForm):
    action = Action.ANSWER_SUPERVISION
    title = _("Answer the supervision order")
    button = _("Answer")
    note = note_field(_("Answer"), required=True, rows=3)


class UrgeForm(ActionForm):
    """催办: press the unit; urged more than once, a matter goes on the public notice."""

    action = Action.URGE
    title = _("Urge the unit (催办)")
    button = _("Urge")
    button_class = "btn-outline-warning"
    note = note_field(_("Note"), required=False, rows=1)


class WhistleForm(ActionForm):
    """吹哨: call departments to the matter at once, each with its task; each must report (报到)."""

    action = Action.WHISTLE
    title = _("Whistle to departments (吹哨)")
    button = _("Whistle")
    button_class = "btn-outline-danger"
    note = note_field(_("What the whistle is about"), required=True)

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        departments = [
            (value, label)
            for _group, options in matter_unit_choices(matter=matter)
            for value, label in options
            if value.startswith("d:")
        ]
        _rows(self, choices=departments, with_days=False)

    def transition(self) -> dict[str, Any]:
        return {"data": {"calls": _collect(self, with_days=False)}, "note": self.cleaned_data["note"]}

    def clean(self) -> dict[str, Any]:
        super().clean()
        _collect(self, with_days=False)
        return self.cleaned_data


class ReportForm(ActionForm):
    """报到: a called unit accepts its task and states its action."""

    action = Action.REPORT
    title = _("Report for your task (报到)")
    button = _("Report")
    needs_user = True
    task_id = forms.ChoiceField(label=_("Task"), widget=forms.Select(attrs=SELECT))
    text = forms.CharField(
        label=_("What your unit is doing"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )

    def __init__(self, *args: Any, matter: Matter, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        tasks = UnitTask.objects.filter(matter=matter, reported_at__isnull=True).select_related("department", "place")
        choices = [
            (str(task.pk), f"{unit_label(task.place, task.department)}: {task.task}")
            for task in tasks
            if user_acts_for(user, Unit(task.place_id, task.department_id))
        ]
        field = self.fields["task_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if len(choices) == 1:
            self.initial.setdefault("task_id", choices[0][0])

    def transition(self) -> dict[str, Any]:
        return {"data": {"task_id": self.cleaned_data["task_id"], "action": self.cleaned_data["text"]}, "note": ""}


class ConcludeWhistleForm(ActionForm):
    action = Action.CONCLUDE_WHISTLE
    title = _("Record the whistle's joint result")
    button = _("Record")
    button_class = "btn-outline-secondary"
    whistle_id = forms.ChoiceField(label=_("Whistle"), widget=forms.Select(attrs=SELECT))
    result = forms.CharField(
        label=_("Joint result"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        open_whistles = Whistle.objects.filter(matter=matter, concluded_at__isnull=True)
        field = self.fields["whistle_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(w.pk), f"{timezone.localtime(w.issued_at):%Y-%m-%d %H:%M} {w.note[:30]}") for w in open_whistles
        ]

    def transition(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"data": {"whistle_id": data["whistle_id"], "result": data["result"]}, "note": ""}


class EscalateForm(ActionForm):
    """Up one level: joint consultation (2), then a city leader (3)."""

    action = Action.ESCALATE
    title = _("Escalate the hard matter")
    button = _("Escalate")
    button_class = "btn-outline-danger"
    note = note_field(_("Why"), required=True)
    leader = forms.CharField(
        label=_("Leading city leader (level 3)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs=INPUT),
        help_text=_("Needed when the matter goes to level 3."),
    )

    def transition(self) -> dict[str, Any]:
        return {"data": {"leader": self.cleaned_data.get("leader", "")}, "note": self.cleaned_data["note"]}


class DeescalateForm(ActionForm):
    action = Action.DEESCALATE
    title = _("Take the matter down a level")
    button = _("De-escalate")
    button_class = "btn-outline-secondary"
    note = note_field(_("Reason"), required=True)


class FieldCheckForm(ActionForm):
    action = Action.FIELD_CHECK
    title = _("Record the field check (调查核实)")
    button = _("Record")
    button_class = "btn-outline-secondary"
    note = note_field(_("What the field check found"), required=True, rows=3)


class MeetingForm(ActionForm):
    """会商: the joint consultation's record and each unit's assignment with its own limit."""

    action = Action.RECORD_MEETING
    title = _("Record the joint consultation (会商)")
    button = _("Record the meeting")
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}))
    participants = forms.CharField(
        label=_("Participating units"), max_length=1000, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )
    analysis = forms.CharField(label=_("Analysis"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 3}))
    decision = forms.CharField(label=_("Decision"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 3}))

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, matter=matter, **kwargs)
        _rows(self, choices=matter_unit_choices(matter=matter), with_days=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        _collect(self, with_days=True)
        return self.cleaned_data

    def transition(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "data": {
                "held_on": data["held_on"].isoformat(),
                "participants": data["participants"],
                "analysis": data["analysis"],
                "decision": data["decision"],
                "tasks": _collect(self, with_days=True),
            },
            "note": "",
        }


class TrackForm(ActionForm):
    action = Action.TRACK
    title = _("Record the follow-up (跟踪)")
    button = _("Record")
    button_class = "btn-outline-secondary"
    note = note_field(_("Follow-up"), required=True)


class UseResultsForm(ActionForm):
    action = Action.USE_RESULTS
    title = _("Record how the results were used (结果运用)")
    button = _("Record")
    button_class = "btn-outline-secondary"
    note = note_field(_("How the results were used"), required=True)


SUPERVISION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        SuperviseForm,
        AnswerSupervisionForm,
        UrgeForm,
        WhistleForm,
        ReportForm,
        ConcludeWhistleForm,
        EscalateForm,
        DeescalateForm,
        FieldCheckForm,
        MeetingForm,
        TrackForm,
        UseResultsForm,
    )
}
