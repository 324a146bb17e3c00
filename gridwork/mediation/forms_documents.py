"""Forms of the documents' pages: the agreement, a follow-up, a referral and its result, the mediators' roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.accounts.models import User
from gridwork.common.forms import DateInput, StyledForm
from gridwork.mediation.models import DisputeType, MediatorKind, Performance, ReceivingKind, ReferralResult
from gridwork.places.models import Department, Place


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class AgreementForm(StyledForm):
    facts = forms.CharField(
        label=_("Facts of the dispute and what was disputed"), widget=forms.Textarea(attrs={"rows": 4})
    )
    terms = forms.CharField(
        label=_("Terms agreed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One term a line: who does what, how much, by when."),
    )
    performance = forms.CharField(label=_("How and by when it is performed"), widget=forms.Textarea(attrs={"rows": 3}))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    follow_up_on = forms.DateField(
        label=_("Follow-up on"),
        widget=DateInput(),
        help_text=_("The day to check that the agreement is performed (回访)."),
    )
    follow_up_on_2 = forms.DateField(label=_("Second follow-up (optional)"), widget=DateInput(), required=False)
    follow_up_on_3 = forms.DateField(label=_("Third follow-up (optional)"), widget=DateInput(), required=False)
    partial = forms.BooleanField(
        label=_("Partial agreement: some of the disputed matters remain unsettled"), required=False
    )
    expected_version = VersionField()

    def follow_up_days(self) -> list[date]:
        return [
            day
            for day in (self.cleaned_data.get(name) for name in ("follow_up_on", "follow_up_on_2", "follow_up_on_3"))
            if day is not None
        ]


class FollowUpForm(StyledForm):
    result = forms.ChoiceField(
        label=_("Is the agreement performed?"),
        choices=Performance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the agreement is performed.")},
    )
    done_on = forms.DateField(label=_("Follow-up done on"), widget=DateInput())
    note = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when it is not (fully) performed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()


class ReferForm(StyledForm):
    receiving_kind = forms.ChoiceField(label=_("Receiving body kind"), choices=ReceivingKind.choices)
    receiving_body = forms.CharField(
        label=_("Receiving body"),
        max_length=100,
        error_messages={"required": _("Name the body that receives the case.")},
        help_text=_("e.g. 东湖区人民法院, 东湖区劳动人事争议仲裁委员会."),
    )
    department = forms.ModelChoiceField(
        label=_("Department (when a government department receives it)"),
        queryset=Department.objects.none(),
        required=False,
    )
    reason = forms.CharField(label=_("Why it is referred"), widget=forms.Textarea(attrs={"rows": 4}))
    expected_version = VersionField()

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department_field: Any = self.fields["department"]
        department_field.queryset = departments


class ReferralResultForm(StyledForm):
    result = forms.ChoiceField(label=_("Result"), choices=ReferralResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the body did not accept the case: the case comes back to the community."),
    )


class MediatorForm(StyledForm):
    unstyled = (forms.CheckboxSelectMultiple,)

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=MediatorKind.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=100,
        required=False,
        help_text=_("Mediation committee, law firm, police station…"),
    )
    place = forms.ModelChoiceField(label=_("Serves (street or community)"), queryset=Place.objects.none())
    communities = forms.ModelMultipleChoiceField(
        label=_("Communities served"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("None: every community under the place above."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    dispute_types = forms.MultipleChoiceField(
        label=_("Dispute types"),
        choices=DisputeType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: any type."),
    )
    available = forms.BooleanField(label=_("Available for new cases"), required=False, initial=True)
    max_open_cases = forms.IntegerField(label=_("Most open cases at once"), min_value=1, max_value=50, initial=5)
    username = forms.CharField(
        label=_("Platform account (username)"),
        max_length=150,
        required=False,
        help_text=_("Told when a follow-up of their cases is due."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, places: QuerySet[Place], communities: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places
        place_field.label_from_instance = lambda place: place.name
        communities_field: Any = self.fields["communities"]
        communities_field.queryset = communities
        communities_field.label_from_instance = lambda place: place.name

    def clean_username(self) -> User | None:
        username = (self.cleaned_data.get("username") or "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account with this username."))
        return user

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["user"] = data.pop("username", None)
        data["communities"] = list(data.get("communities") or ())
        return data


class MediatorFilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *MediatorKind.choices], required=False)
    available = forms.ChoiceField(
        label=_("Availability"),
        choices=[("", _("Any")), ("yes", _("Available")), ("no", _("Not available"))],
        required=False,
    )
    q = forms.CharField(label=_("Name or organisation"), max_length=60, required=False)
