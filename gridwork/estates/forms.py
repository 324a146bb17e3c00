"""Forms of the estates pages. They check types and shapes; the rules (whose grids, one current committee, terms,
who may) are the services', whose refusals come back on the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from gridwork.common.forms import DateInput, StyledForm
from gridwork.estates.models import Committee, CommitteeKind, Estate, EstateKind, MeetingKind, MemberRole
from gridwork.estates.services import CommitteeInput, DecisionInput, EstateInput, MeetingInput, MemberInput
from gridwork.places.models import Place


class EstateForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    community = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EstateKind.choices)
    grids = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Grids"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The grids of the community the estate's buildings fall in."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    households = forms.IntegerField(label=gettext_lazy("Households"), min_value=0, initial=0)
    buildings = forms.IntegerField(label=gettext_lazy("Buildings"), min_value=0, initial=0)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, communities: QuerySet[Place], grids: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community_field: Any = self.fields["community"]
        community_field.queryset = communities
        grid_field: Any = self.fields["grids"]
        grid_field.queryset = grids

    def to_input(self) -> EstateInput:
        values = self.cleaned_data
        return EstateInput(
            name=values["name"],
            community=values["community"],
            kind=values["kind"],
            grids=list(values.get("grids") or []),
            address=values.get("address") or "",
            households=values["households"],
            buildings=values["buildings"],
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            is_active=bool(values.get("is_active")),
        )

    @staticmethod
    def initial_of(estate: Estate) -> dict[str, Any]:
        return {
            "name": estate.name,
            "community": estate.community_id,
            "kind": estate.kind,
            "grids": list(estate.grids.values_list("pk", flat=True)),
            "address": estate.address,
            "households": estate.households,
            "buildings": estate.buildings,
            "latitude": estate.latitude,
            "longitude": estate.longitude,
            "is_active": estate.is_active,
        }


class LiaisonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.organisation.name}"


class CommitteeForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CommitteeKind.choices)
    formed_on = forms.DateField(label=gettext_lazy("Formed on"), required=False, widget=DateInput())
    term_start = forms.DateField(label=gettext_lazy("Term starts"), required=False, widget=DateInput())
    term_end = forms.DateField(label=gettext_lazy("Term ends"), required=False, widget=DateInput())
    next_election_date = forms.DateField(
        label=gettext_lazy("Next election"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("When the term ends, unless you give another date."),
    )
    party_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Party organisation inside it"), queryset=Place.objects.none(), required=False
    )
    party_liaison_member = LiaisonChoiceField(
        label=gettext_lazy("Party liaison (a registered party member)"), queryset=Place.objects.none(), required=False
    )
    party_liaison_name = forms.CharField(
        label=gettext_lazy("Party liaison (name)"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Where there is no party organisation yet: the party guidance officer or liaison."),
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organisations: QuerySet[Any], members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_field: Any = self.fields["party_organisation"]
        organisation_field.queryset = organisations
        member_field: Any = self.fields["party_liaison_member"]
        member_field.queryset = members

    def to_input(self) -> CommitteeInput:
        values = self.cleaned_data
        return CommitteeInput(
            kind=values["kind"],
            formed_on=values.get("formed_on"),
            term_start=values.get("term_start"),
            term_end=values.get("term_end"),
            next_election_date=values.get("next_election_date"),
            party_organisation=values.get("party_organisation"),
            party_liaison_name=values.get("party_liaison_name") or "",
            party_liaison_member=values.get("party_liaison_member"),
            notes=values.get("notes") or "",
        )

    @staticmethod
    def initial_of(committee: Committee) -> dict[str, Any]:
        return {
            "kind": committee.kind,
            "formed_on": committee.formed_on,
            "term_start": committee.term_start,
            "term_end": committee.term_end,
            "next_election_date": committee.next_election_date,
            "party_organisation": committee.party_organisation_id,
            "party_liaison_member": committee.party_liaison_member_id,
            "party_liaison_name": committee.party_liaison_name,
            "notes": committee.notes,
        }


class CommitteeCreateForm(CommitteeForm):
    elected = forms.BooleanField(
        label=gettext_lazy("Elected already (active)"),
        required=False,
        help_text=gettext_lazy("Leave unticked for a committee still being formed (筹备)."),
    )


class MoveForm(StyledForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class MemberForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    is_party_member = forms.BooleanField(label=gettext_lazy("Party member"), required=False)
    is_community_leader = forms.BooleanField(
        label=gettext_lazy("Community leader (社区两委) — cross-membership"), required=False
    )
    staff_user = forms.ModelChoiceField(
        label=gettext_lazy("Staff account"), queryset=Place.objects.none(), required=False
    )
    term_start = forms.DateField(label=gettext_lazy("Term starts"), required=False, widget=DateInput())
    term_end = forms.DateField(label=gettext_lazy("Term ends"), required=False, widget=DateInput())

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field: Any = self.fields["staff_user"]
        staff_field.queryset = staff
        staff_field.label_from_instance = lambda user: user.full_name or user.username

    def to_input(self) -> MemberInput:
        values = self.cleaned_data
        return MemberInput(
            name=values["name"],
            role=values["role"],
            phone=values.get("phone") or "",
            is_party_member=bool(values.get("is_party_member")),
            is_community_leader=bool(values.get("is_community_leader")),
            staff_user=values.get("staff_user"),
            term_start=values.get("term_start"),
            term_end=values.get("term_end"),
        )


class DecisionForm(StyledForm):
    text = forms.CharField(label=gettext_lazy("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    votes_for = forms.IntegerField(label=gettext_lazy("For"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=gettext_lazy("Against"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0, initial=0)

    def to_input(self) -> DecisionInput:
        values = self.cleaned_data
        return DecisionInput(
            text=values["text"],
            votes_for=values["votes_for"],
            votes_against=values["votes_against"],
            votes_abstain=values["votes_abstain"],
        )


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DateInput())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    attendance = forms.IntegerField(label=gettext_lazy("Attendance"), min_value=0, initial=0)
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decision_text = forms.CharField(
        label=gettext_lazy("Decision (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_votes_for = forms.IntegerField(label=gettext_lazy("For"), min_value=0, required=False)
    decision_votes_against = forms.IntegerField(label=gettext_lazy("Against"), min_value=0, required=False)
    decision_votes_abstain = forms.IntegerField(label=gettext_lazy("Abstain"), min_value=0, required=False)

    def to_input(self) -> MeetingInput:
        values = self.cleaned_data
        decisions = []
        if (values.get("decision_text") or "").strip():
            decisions.append(
                DecisionInput(
                    text=values["decision_text"],
                    votes_for=values.get("decision_votes_for") or 0,
                    votes_against=values.get("decision_votes_against") or 0,
                    votes_abstain=values.get("decision_votes_abstain") or 0,
                )
            )
        return MeetingInput(
            held_on=values["held_on"],
            kind=values["kind"],
            topic=values["topic"],
            attendance=values["attendance"],
            minutes=values.get("minutes") or "",
            decisions=decisions,
        )


class NoticeForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    published_on = forms.DateField(label=gettext_lazy("Published on"), widget=DateInput())
