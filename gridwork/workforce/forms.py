"""Forms of the workforce pages. They check the shape of the input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.places.models import Place
from gridwork.workforce.models import Gender, PayLadder, Post, SocialWorkCert, Worker
from gridwork.workforce.presets import LADDER_PRESETS

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
DATE = {**INPUT, "type": "date"}


# A service's refusal onto the form: the shared helper (each message beside its field, else on the form).


class VersionForm(forms.Form):
    """The version of the worker the page showed (a page made stale by someone else's change is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _community_field(queryset: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Community"), queryset=queryset, widget=forms.Select(attrs=SELECT), empty_label=_("Choose…")
    )


class WorkerFilterForm(forms.Form):
    YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]

    q = forms.CharField(label=_("Name or title"), required=False, max_length=50, widget=forms.TextInput(attrs=INPUT))
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        empty_label=_("All"),
    )
    post = forms.ChoiceField(
        label=_("Post"), required=False, choices=[("", _("All")), *Post.choices], widget=forms.Select(attrs=SELECT)
    )
    secretary = forms.ChoiceField(
        label=_("Secretary"), required=False, choices=YES_NO, widget=forms.Select(attrs=SELECT)
    )
    party_member = forms.ChoiceField(
        label=_("Party member"), required=False, choices=YES_NO, widget=forms.Select(attrs=SELECT)
    )
    certified = forms.ChoiceField(
        label=_("Certified"), required=False, choices=YES_NO, widget=forms.Select(attrs=SELECT)
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Serving")), ("left", _("Left")), ("all", _("All"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    @staticmethod
    def yes_no(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)


class WorkerDetailsForm(VersionForm):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices], widget=forms.Select(attrs=SELECT)
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=forms.DateInput(attrs=DATE))
    id_number = forms.CharField(
        label=_("ID number"), required=False, max_length=18, widget=forms.TextInput(attrs=INPUT)
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=20, widget=forms.TextInput(attrs={**INPUT, "inputmode": "tel"})
    )
    title = forms.CharField(
        label=_("Job title"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs=INPUT),
        help_text=_("E.g. 党委书记、居委会主任、网格员."),
    )
    party_member = forms.BooleanField(label=_("Party member"), required=False, widget=forms.CheckboxInput(attrs=CHECK))
    social_work_cert = forms.ChoiceField(
        label=_("Social-work certificate"), choices=SocialWorkCert.choices, widget=forms.Select(attrs=SELECT)
    )

    @classmethod
    def initial_of(cls, worker: Worker) -> dict[str, Any]:
        return {
            "version": worker.version,
            "name": worker.name,
            "gender": worker.gender,
            "birth_date": worker.birth_date,
            "id_number": worker.id_number,
            "phone": worker.phone,
            "title": worker.title,
            "party_member": worker.party_member,
            "social_work_cert": worker.social_work_cert,
        }


class PostFieldsMixin(forms.Form):
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices, widget=forms.Select(attrs=SELECT))
    is_secretary = forms.BooleanField(
        label=_("Community party secretary"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_("One serving secretary per community; the secretary holds the head post."),
    )
    ladder = forms.ModelChoiceField(
        label=_("Pay ladder"),
        queryset=PayLadder.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        empty_label=_("None yet"),
    )
    grade = forms.IntegerField(
        label=_("Grade"), required=False, min_value=1, max_value=30, widget=forms.NumberInput(attrs=INPUT)
    )


class WorkerCreateForm(PostFieldsMixin, WorkerDetailsForm):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    joined_on = forms.DateField(label=_("Appointed on"), required=False, widget=forms.DateInput(attrs=DATE))

    field_order = ["community", "name", "gender", "birth_date", "id_number", "phone", "post", "title", "is_secretary"]

    def __init__(self, *args: Any, communities: Any, ladders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["ladder"].queryset = ladders  # type: ignore[attr-defined]
        del self.fields["version"]


class MoveForm(PostFieldsMixin, VersionForm):
    community = forms.ModelChoiceField(
        label=_("To community"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("Job title"), required=False, max_length=60, widget=forms.TextInput(attrs=INPUT))
    on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))

    field_order = ["community", "post", "title", "is_secretary", "ladder", "grade", "on", "reason"]

    def __init__(self, *args: Any, communities: Any, ladders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["ladder"].queryset = ladders  # type: ignore[attr-defined]


class RegradeForm(PostFieldsMixin, VersionForm):
    title = forms.CharField(label=_("Job title"), required=False, max_length=60, widget=forms.TextInput(attrs=INPUT))
    on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))

    field_order = ["post", "title", "is_secretary", "ladder", "grade", "on", "reason"]

    def __init__(self, *args: Any, ladders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ladder"].queryset = ladders  # type: ignore[attr-defined]


class LeaveForm(VersionForm):
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))


# --- ladders --------------------------------------------------------------------------------------------------------


class LadderForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Applies in"),
        queryset=Place.objects.none(),
        widget=forms.Select(attrs=SELECT),
        help_text=_("A city or a district: the ladder applies to all its communities."),
    )
    name = forms.CharField(label=_("Name"), max_length=60, widget=forms.TextInput(attrs=INPUT))
    grades = forms.IntegerField(
        label=_("Grades per post"), min_value=1, max_value=30, widget=forms.NumberInput(attrs=INPUT)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def __init__(self, *args: Any, places: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["place"]
            del self.fields["grades"]
        else:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]
            del self.fields["active"]


class PresetForm(forms.Form):
    key = forms.ChoiceField(
        label=_("Preset"),
        choices=[(key, preset.name) for key, preset in LADDER_PRESETS.items()],
        widget=forms.Select(attrs=SELECT),
    )
    place = forms.ModelChoiceField(
        label=_("Applies in"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class PayTableForm(forms.Form):
    """One field per post and grade: ``pay_<post>_<grade>``."""

    def __init__(self, *args: Any, ladder: PayLadder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ladder = ladder
        for grade in range(ladder.grades, 0, -1):
            for post in Post.values:
                self.fields[f"pay_{post}_{grade}"] = forms.DecimalField(
                    label=f"{Post(post).label} {grade}",
                    required=False,
                    min_value=0,
                    max_digits=9,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={**INPUT, "step": "0.01", "class": "form-control form-control-sm"}),
                )

    def pays(self) -> dict[tuple[str, int], Any]:
        return {
            (post, grade): self.cleaned_data.get(f"pay_{post}_{grade}")
            for grade in range(1, self.ladder.grades + 1)
            for post in Post.values
        }

    def rows(self) -> list[tuple[int, list[Any]]]:
        return [
            (grade, [self[f"pay_{post}_{grade}"] for post in Post.values]) for grade in range(self.ladder.grades, 0, -1)
        ]


class StarRulesForm(forms.Form):
    """One field per number of stars (5 … 0): the grade it maps to, blank for no rule."""

    def __init__(self, *args: Any, ladder: PayLadder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stars in range(5, -1, -1):
            self.fields[f"stars_{stars}"] = forms.IntegerField(
                label="★" * stars if stars else _("No stars"),
                required=False,
                min_value=1,
                max_value=ladder.grades,
                widget=forms.NumberInput(attrs={**INPUT, "class": "form-control form-control-sm"}),
            )

    def grades(self) -> dict[int, int | None]:
        return {stars: self.cleaned_data.get(f"stars_{stars}") for stars in range(6)}


# --- training -------------------------------------------------------------------------------------------------------


class CourseForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Organised at"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("Course"), max_length=100, widget=forms.TextInput(attrs=INPUT))
    organiser = forms.CharField(
        label=_("Organiser"), required=False, max_length=100, widget=forms.TextInput(attrs=INPUT)
    )
    start_date = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs=DATE))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs=INPUT)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 3})
    )

    def __init__(self, *args: Any, places: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["place"]
        else:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]


class RecordForm(forms.Form):
    worker = forms.ModelChoiceField(
        label=_("Worker"), queryset=Worker.objects.none(), widget=forms.Select(attrs=SELECT), empty_label=_("Choose…")
    )
    hours = forms.DecimalField(
        label=_("Hours attended"), min_value=0, max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs=INPUT)
    )
    passed = forms.BooleanField(
        label=_("Passed"), required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200, widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args: Any, workers: Any, label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        field.queryset = workers  # type: ignore[attr-defined]
        field.label_from_instance = label  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = _("Choose a worker of a community you manage.")


# --- standards and the reserve pool ---------------------------------------------------------------------------------


class RuleForm(forms.Form):
    base_min = forms.IntegerField(label=_("Workers per community, at least"), widget=forms.NumberInput(attrs=INPUT))
    base_max = forms.IntegerField(label=_("Workers per community, at most"), widget=forms.NumberInput(attrs=INPUT))
    threshold = forms.IntegerField(label=_("Households covered by the base"), widget=forms.NumberInput(attrs=INPUT))
    per_extra_low = forms.IntegerField(
        label=_("One more worker per … households (lower bound)"), widget=forms.NumberInput(attrs=INPUT)
    )
    per_extra_high = forms.IntegerField(
        label=_("One more worker per … households (upper bound)"), widget=forms.NumberInput(attrs=INPUT)
    )
    reserve_ratio = forms.DecimalField(
        label=_("Reserve pool per community of the street"), widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"})
    )
    training_min_hours = forms.DecimalField(
        label=_("Training hours a year, at least"), widget=forms.NumberInput(attrs={**INPUT, "step": "0.1"})
    )
    certified_goal = forms.DecimalField(
        label=_("Certified share aimed at (%)"), widget=forms.NumberInput(attrs={**INPUT, "step": "0.01"})
    )


class CandidateForm(forms.Form):
    street = forms.ModelChoiceField(label=_("Street"), queryset=Place.objects.none(), widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices], widget=forms.Select(attrs=SELECT)
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=forms.DateInput(attrs=DATE))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20, widget=forms.TextInput(attrs=INPUT))
    party_member = forms.BooleanField(label=_("Party member"), required=False, widget=forms.CheckboxInput(attrs=CHECK))
    education = forms.CharField(
        label=_("Education"), required=False, max_length=40, widget=forms.TextInput(attrs=INPUT)
    )
    social_work_cert = forms.ChoiceField(
        label=_("Social-work certificate"), choices=SocialWorkCert.choices, widget=forms.Select(attrs=SELECT)
    )
    current_role = forms.CharField(
        label=_("Current role"), required=False, max_length=100, widget=forms.TextInput(attrs=INPUT)
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    added_at = forms.DateField(label=_("Added to the pool"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: Any, streets: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["street"]
            del self.fields["added_at"]
        else:
            self.fields["street"].queryset = streets  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))
