"""Staff pages of owners' committees (业委会 / 物管会), at /staff/estates/committees/: recording an estate's committee,
its page (term, next election, party leadership, members with phones masked, meetings, duty notices, history),
editing it, moving its status (compare-and-set: 409 on a stale page), members joining and leaving, meetings with
their decisions, and publishing or withdrawing duty notices (履职公示).

VIEW_ACTORS reads (404 outside the user's units), MANAGE_ACTORS writes; refused forms answer 400 with the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.estates import selectors, services
from gridwork.estates.flows import ACTION_LABELS, COMMITTEE_FLOW
from gridwork.estates.forms import (
    CommitteeCreateForm,
    CommitteeForm,
    DecisionForm,
    MeetingForm,
    MemberForm,
    MoveForm,
    NoticeForm,
)
from gridwork.estates.models import Committee
from gridwork.estates.views.estates import estate_crumbs

BAD_REQUEST = 400
CONFLICT = 409


def committee_crumbs(committee: Committee, *extra: dict[str, str]) -> list[dict[str, str]]:
    return estate_crumbs(
        committee.estate,
        {"label": committee.get_kind_display(), "url": reverse("estates:committee-detail", args=[committee.pk])},
        *extra,
    )


def _form_page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def committee_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    estate = selectors.estate_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    choices = {
        "organisations": selectors.party_organisation_choices(estate),
        "members": selectors.party_member_choices(estate),
    }
    status = 200
    if request.method == "POST":
        form = CommitteeCreateForm(request.POST, **choices)
        if form.is_valid():
            try:
                committee = services.committee_create(
                    actor=user, estate=estate, values=form.to_input(), elected=bool(form.cleaned_data.get("elected"))
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Committee recorded: add its members."))
                return redirect("estates:committee-detail", pk=committee.pk)
        status = BAD_REQUEST
    else:
        form = CommitteeCreateForm(**choices)
    title = _("New committee")
    return _form_page(
        request,
        "estates/committee_form.html",
        {
            "form": form,
            "estate": estate,
            "title": title,
            "breadcrumbs": estate_crumbs(estate, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def committee_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk)
    may_manage = services.manages_estate(user, committee.estate)
    return render(
        request,
        "estates/committee_detail.html",
        {
            "committee": committee,
            "members": selectors.member_rows(committee, full_phones=selectors.may_see_phones(user, committee.estate)),
            "meetings": selectors.committee_meetings(committee),
            "notices": selectors.committee_notices(committee),
            "history": [
                {
                    "event": event,
                    "label": ACTION_LABELS.get(event.action, event.action),
                    "state": COMMITTEE_FLOW.state_label(event.to_state),
                }
                for event in selectors.committee_history(committee)
            ],
            "moves": [
                (action, COMMITTEE_FLOW.action_label(action)) for action in COMMITTEE_FLOW.allowed(committee.state)
            ]
            if may_manage
            else [],
            "may_manage": may_manage,
            "is_current": committee.state in ("forming", "active"),
            "breadcrumbs": committee_crumbs(committee),
        },
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def committee_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    choices = {
        "organisations": selectors.party_organisation_choices(committee.estate),
        "members": selectors.party_member_choices(committee.estate),
    }
    status = 200
    if request.method == "POST":
        form = CommitteeForm(request.POST, **choices)
        if form.is_valid():
            try:
                services.committee_update(actor=user, committee=committee, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Committee saved."))
                return redirect("estates:committee-detail", pk=committee.pk)
        status = BAD_REQUEST
    else:
        form = CommitteeForm(initial=CommitteeForm.initial_of(committee), **choices)
    title = _("Edit the committee")
    return _form_page(
        request,
        "estates/committee_form.html",
        {
            "form": form,
            "estate": committee.estate,
            "committee": committee,
            "title": title,
            "breadcrumbs": committee_crumbs(committee, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def committee_move_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A status move; a stale page (someone moved it first) answers 409, a move not in the table 400."""
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Reload the page and try again."), status=BAD_REQUEST, content_type="text/plain")
    try:
        services.committee_move(
            actor=user,
            committee=committee,
            action=action,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data.get("note") or "",
        )
    except StaleState as error:
        return HttpResponse(str(error), status=CONFLICT, content_type="text/plain; charset=utf-8")
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=BAD_REQUEST, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Committee: %(state)s.") % {"state": committee.get_state_display()})
    return redirect("estates:committee-detail", pk=committee.pk)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def member_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    staff = services.community_staff(committee.estate.community)
    status = 200
    if request.method == "POST":
        form = MemberForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                services.member_add(actor=user, committee=committee, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Member added."))
                return redirect("estates:committee-detail", pk=committee.pk)
        status = BAD_REQUEST
    else:
        form = MemberForm(staff=staff)
    title = _("New member")
    return _form_page(
        request,
        "estates/simple_form.html",
        {
            "form": form,
            "title": title,
            "testid": "member-form",
            "back": reverse("estates:committee-detail", args=[committee.pk]),
            "breadcrumbs": committee_crumbs(committee, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def member_leave_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    member = selectors.member_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    try:
        services.member_leave(actor=user, member=member)
    except StaleState as error:
        return HttpResponse(str(error), status=CONFLICT, content_type="text/plain; charset=utf-8")
    messages.success(request, _("%(name)s has left the committee.") % {"name": member.name})
    return redirect("estates:committee-detail", pk=member.committee_id)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_record(actor=user, committee=committee, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Meeting recorded."))
                return redirect("estates:meeting-detail", pk=meeting.pk)
        status = BAD_REQUEST
    else:
        form = MeetingForm(initial={"held_on": timezone.localdate()})
    title = _("New meeting")
    return _form_page(
        request,
        "estates/simple_form.html",
        {
            "form": form,
            "title": title,
            "testid": "meeting-form",
            "back": reverse("estates:committee-detail", args=[committee.pk]),
            "breadcrumbs": committee_crumbs(committee, {"label": title, "url": ""}),
        },
        status=status,
    )


def _meeting_page(request: HttpRequest, meeting: Any, form: DecisionForm, *, status: int = 200) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "estates/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": meeting.decisions.order_by("pk"),
            "form": form,
            "may_manage": services.manages_estate(user, meeting.committee.estate),
            "breadcrumbs": committee_crumbs(meeting.committee, {"label": meeting.topic, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def meeting_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting with its decisions and their votes; a manager's form to add a decision."""
    user: Any = request.user
    return _meeting_page(request, selectors.meeting_get(user=user, pk=pk), DecisionForm())


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def decision_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    meeting = selectors.meeting_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_add(actor=user, meeting=meeting, values=form.to_input())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("estates:meeting-detail", pk=meeting.pk)
    return _meeting_page(request, meeting, form, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def notice_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    committee = selectors.committee_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            values = form.cleaned_data
            try:
                services.notice_publish(
                    actor=user,
                    committee=committee,
                    title=values["title"],
                    body=values["body"],
                    published_on=values["published_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Notice published."))
                return redirect("estates:committee-detail", pk=committee.pk)
        status = BAD_REQUEST
    else:
        form = NoticeForm(initial={"published_on": timezone.localdate()})
    title = _("New duty notice")
    return _form_page(
        request,
        "estates/simple_form.html",
        {
            "form": form,
            "title": title,
            "testid": "notice-form",
            "back": reverse("estates:committee-detail", args=[committee.pk]),
            "breadcrumbs": committee_crumbs(committee, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def notice_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    notice = selectors.notice_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    try:
        services.notice_withdraw(actor=user, notice=notice)
    except StaleState as error:
        return HttpResponse(str(error), status=CONFLICT, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Notice withdrawn from the public page."))
    return redirect("estates:committee-detail", pk=notice.committee_id)
