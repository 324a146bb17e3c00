"""Staff pages of an organisation's members: add, edit, record that a member left. MANAGE_ACTORS over the
organisation (404 outside the user's units); a refused form answers 400 with the field and why."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.socialorgs import selectors, services
from gridwork.socialorgs.forms import LeaveForm, MemberForm
from gridwork.socialorgs.models import MemberRole
from gridwork.socialorgs.views.common import BAD_REQUEST, organisation_crumbs


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    organisation = selectors.organisation_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    status = 200
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                member = services.member_add(actor=user, organisation=organisation, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s added.") % {"name": member.name})
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = MemberForm(initial={"role": MemberRole.MEMBER, "joined_on": timezone.localdate()})
    title = _("New member")
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "back": organisation_crumbs(organisation)[-1]["url"],
            "testid": "member-form",
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def member_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    member = selectors.member_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    organisation = member.organisation
    masked = not selectors.sees_personal_data(user, organisation)
    status = 200
    if request.method == "POST":
        form = MemberForm(request.POST, phone_on_record=member.phone, masked=masked)
        if form.is_valid():
            try:
                services.member_update(actor=user, member=member, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Member saved."))
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = MemberForm(initial=MemberForm.initial_of(member, masked=masked))
    title = _("Edit the member")
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "back": organisation_crumbs(organisation)[-1]["url"],
            "testid": "member-form",
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def member_leave_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    member = selectors.member_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    organisation = member.organisation
    status = 200
    if request.method == "POST":
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                services.member_leave(actor=user, member=member, left_on=form.cleaned_data["left_on"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is recorded as having left.") % {"name": member.name})
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = LeaveForm(initial={"left_on": timezone.localdate()})
    title = _("%(name)s leaves") % {"name": member.name}
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "back": organisation_crumbs(organisation)[-1]["url"],
            "testid": "leave-form",
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )
