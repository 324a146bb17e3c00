"""Staff pages of party-building alliances (党建联盟), at /staff/alliances/: the list (by place and year, those short
of joint meetings flagged) and its Excel export; an alliance with its members, chair now and before, meetings,
joint projects and history; the forms that form, edit, add members, record a member leaving, set the chair order,
hand the chair over, record a joint meeting and dissolve.

Reads go through ``alliances.selectors`` (VIEW_PARTY over the organising place or a member community); every form
takes its alliance from ``alliance_get_managed`` (MANAGE_PARTY over the organising place), so anyone else gets 404
for the form and for its POST. Writes go through ``alliances.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.alliances import services
from gridwork.alliances.exports import alliances_xlsx
from gridwork.alliances.forms import (
    AllianceForm,
    DissolveForm,
    HandOverForm,
    JoinForm,
    LeaveForm,
    ListFilterForm,
    MeetingForm,
    OrderForm,
)
from gridwork.alliances.models import Alliance, AllianceMember, AllianceState
from gridwork.alliances.rotation import full_order, next_chair
from gridwork.alliances.selectors import (
    MEETINGS_A_YEAR,
    alliance_get,
    alliance_get_managed,
    alliance_list,
    alliance_managed_by,
    alliance_meeting_get,
    alliance_meetings,
    alliance_members,
    alliance_place_choices,
    alliance_projects,
    alliance_rotation,
    alliance_timeline,
    chairs_now,
    meetings_in_year,
    member_community_choices,
    member_dates,
    member_unit_choices,
    spell_rows,
)
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Party-building alliances"), "url": reverse("alliances:list")}, *extra]


def _alliance_crumbs(alliance: Alliance, *extra: dict[str, str]) -> list[dict[str, str]]:
    return _crumbs({"label": alliance.name, "url": reverse("alliances:detail", args=[alliance.pk])}, *extra)


def _perform(form: forms.Form, write: Callable[[], Any]) -> tuple[int, str, Any]:
    """Apply ``write`` for a valid ``form``: (0, "", result) when done; else the status and, for a refusal that is
    not about a field, the message for the page (a wrong field's message goes on the form)."""
    if not form.is_valid():
        return 400, "", None
    try:
        result = write()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, "", None
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this."), None
    except (StaleState, MoveRefused) as error:
        return 409, str(error), None
    return 0, "", result


def _form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    title: str,
    crumbs: list[dict[str, str]],
    cancel: str,
    submit: str,
    intro: str = "",
    status: int = 200,
    refusal: str = "",
    template: str = "alliances/form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit,
        "cancel": cancel,
        "refusal": refusal,
        "breadcrumbs": [*crumbs, {"label": title, "url": ""}],
        **(extra or {}),
    }
    return render(request, template, context, status=status or 200)


# --- list -------------------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[ListFilterForm, int, Any]:
    user: Any = request.user
    bound = any(request.GET.get(key) for key in ListFilterForm.base_fields)
    form = ListFilterForm(request.GET if bound else None, places=alliance_place_choices(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    year = values.get("year") or timezone.localdate().year
    alliances = alliance_list(
        user=user,
        year=year,
        place=values.get("place"),
        short_only=bool(values.get("short")),
        state=values.get("state", ""),
    )
    return form, year, alliances


@staff_view(Perm.VIEW_PARTY)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """党建联盟: the alliances of the user's area that existed in the chosen year (this year by default), with the
    year's joint meetings; those short of two meetings flagged and first."""
    user: Any = request.user
    form, year, alliances = _filtered(request)
    page, query = paginate(request, alliances)
    chairs = chairs_now(list(page))
    return render(
        request,
        "alliances/list.html",
        {
            "form": form,
            "year": year,
            "rows": [(alliance, chairs.get(alliance.pk)) for alliance in page],
            "page_obj": page,
            "query": query,
            "export_query": request.GET.urlencode(),
            "meetings_a_year": MEETINGS_A_YEAR,
            "may_create": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The list with its filters as .xlsx."""
    user: Any = request.user
    form, year, alliances = _filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    chosen = {name: value for name, value in form.cleaned_data.items() if value} if form.is_bound else {}
    about: list[tuple[Any, Any]] = [
        (gettext_lazy("Year"), year),
        *((form.fields[name].label or name, str(value)) for name, value in chosen.items() if name != "year"),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    content = alliances_xlsx(alliances, year=year, about=about)
    today = timezone.localdate()
    return xlsx_response(
        content,
        ascii_name=f"alliances-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Party-building alliances')}-{today:%Y%m%d}.xlsx",
    )


# --- one alliance -----------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An alliance: its members now and before, the chair now (and next) and every chair before, its joint meetings
    (this year's count against the two a year), its joint projects and its history."""
    user: Any = request.user
    alliance = alliance_get(user=user, pk=pk)
    today = timezone.localdate()
    members = alliance_members(alliance=alliance)
    rotation = alliance_rotation(alliance=alliance, members=members, today=today)
    by_pk = {member.pk: member for member in members}
    current = rotation.current
    chair = by_pk.get(current.member) if current is not None and current.member is not None else None
    following = None
    if current is not None and rotation.last_change is not None and alliance.state == AllianceState.ACTIVE:
        dates = member_dates(members)
        order = full_order(rotation.last_change.order, dates)
        upcoming = next_chair(order, current.member, on=current.ends_on, members=dates)
        following = by_pk.get(upcoming) if upcoming is not None else None
    count = meetings_in_year(alliance=alliance, year=today.year)
    return render(
        request,
        "alliances/detail.html",
        {
            "alliance": alliance,
            "current_members": [member for member in members if member.left_on is None],
            "past_members": [member for member in members if member.left_on is not None],
            "order": [by_pk[pk] for pk in rotation.order],
            "chair": chair,
            "spell": current,
            "following": following,
            "history": spell_rows(rotation=rotation, members=members, today=today),
            "meetings": alliance_meetings(alliance=alliance),
            "meetings_this_year": count,
            "short": alliance.state == AllianceState.ACTIVE and count < MEETINGS_A_YEAR,
            "meetings_a_year": MEETINGS_A_YEAR,
            "year": today.year,
            "projects": alliance_projects(alliance=alliance),
            "timeline": alliance_timeline(alliance=alliance),
            "may_manage": alliance_managed_by(user=user, alliance=alliance) and alliance.state == AllianceState.ACTIVE,
            "breadcrumbs": _crumbs({"label": alliance.name, "url": ""}),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def meeting_view(request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
    """A joint meeting: when, where, topic, chair, members present, minutes and decisions."""
    alliance = alliance_get(user=request.user, pk=pk)
    meeting = alliance_meeting_get(alliance=alliance, meeting_id=meeting_id)
    return render(
        request,
        "alliances/meeting.html",
        {
            "alliance": alliance,
            "meeting": meeting,
            "breadcrumbs": _alliance_crumbs(alliance, {"label": meeting.topic, "url": ""}),
        },
    )


# --- forms ------------------------------------------------------------------------------------------------------------


def _done(request: HttpRequest, alliance: Alliance, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("alliances:detail", pk=alliance.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """组建: form an alliance organised by a street or community the user manages, with its first members."""
    user: Any = request.user
    form = AllianceForm(
        request.POST or None,
        places=alliance_place_choices(user=user, perm=Perm.MANAGE_PARTY),
        communities=member_community_choices(user=user),
        units=member_unit_choices(user=user),
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, alliance = _perform(
            form,
            lambda: services.alliance_create(
                actor=user,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                place=form.cleaned_data["place"],
                started_on=form.cleaned_data["started_on"],
                term_months=form.cleaned_data["term_months"],
                communities=list(form.cleaned_data["communities"]),
                units=list(form.cleaned_data["units"]),
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The alliance is formed."))
    return _form_page(
        request,
        form=form,
        title=_("Form an alliance"),
        intro=_("The first member chosen chairs first; the others follow in the order listed, each for a term."),
        crumbs=_crumbs(),
        cancel=reverse("alliances:list"),
        submit=_("Form the alliance"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    initial = {
        "name": alliance.name,
        "purpose": alliance.purpose,
        "place": alliance.place,
        "started_on": alliance.started_on,
        "term_months": alliance.term_months,
        "version": alliance.version,
    }
    form = AllianceForm(
        request.POST or None, initial=initial, places=alliance_place_choices(user=user, perm=Perm.MANAGE_PARTY)
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_update(
                actor=user,
                alliance=alliance,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                place=form.cleaned_data["place"],
                started_on=form.cleaned_data["started_on"],
                term_months=form.cleaned_data["term_months"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The alliance is saved."))
    return _form_page(
        request,
        form=form,
        title=_("Edit the alliance"),
        intro=_("A new term length applies from the next turn of the chair; the running term is kept."),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Save"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def join_view(request: HttpRequest, pk: int) -> HttpResponse:
    """加入: communities and resident units of the user's area join; they come last in the chair order."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    current = alliance.members.filter(left_on__isnull=True)
    form = JoinForm(
        request.POST or None,
        initial={"version": alliance.version},
        communities=member_community_choices(user=user).exclude(
            pk__in=current.filter(community__isnull=False).values("community")
        ),
        units=member_unit_choices(user=user).exclude(pk__in=current.filter(unit__isnull=False).values("unit")),
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_members_add(
                actor=user,
                alliance=alliance,
                communities=list(form.cleaned_data["communities"]),
                units=list(form.cleaned_data["units"]),
                joined_on=form.cleaned_data["joined_on"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The members joined."))
    return _form_page(
        request,
        form=form,
        title=_("Add members"),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Add"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def leave_view(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """退出: record a member leaving; if it chairs then, the next member takes the chair that day."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    member = AllianceMember.objects.filter(alliance=alliance, pk=member_id, left_on__isnull=True).first()
    if member is None:
        raise Http404
    form = LeaveForm(request.POST or None, initial={"version": alliance.version})
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_member_leave(
                actor=user,
                alliance=alliance,
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            return _done(request, alliance, _("%(member)s has left the alliance.") % {"member": member.name})
    return _form_page(
        request,
        form=form,
        title=_("%(member)s leaves the alliance") % {"member": member.name},
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Record the leaving"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def order_view(request: HttpRequest, pk: int) -> HttpResponse:
    """轮值顺序: number the current members in the order they chair, from the next turn on."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    members = alliance_members(alliance=alliance)
    rotation = alliance_rotation(alliance=alliance, members=members)
    by_pk = {member.pk: member for member in members}
    form = OrderForm(
        request.POST or None,
        initial={"version": alliance.version},
        members=[by_pk[pk] for pk in rotation.order],
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_chair_order(
                actor=user, alliance=alliance, order=form.order(), expected_version=form.cleaned_data["version"]
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The chair order is saved."))
    return _form_page(
        request,
        form=form,
        title=_("Chair order"),
        intro=_(
            "Number the members in the order they chair the alliance. The running term is kept; the new order "
            "applies from the next turn. Members who join later come last."
        ),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Save the order"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def hand_over_view(request: HttpRequest, pk: int) -> HttpResponse:
    """提前交接: the chair passes to another member before its term ends, with the reason recorded."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    rotation = alliance_rotation(alliance=alliance)
    members = alliance.members.filter(left_on__isnull=True).select_related("community", "unit").order_by("id")
    form = HandOverForm(request.POST or None, initial={"version": alliance.version}, members=members)
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_chair_hand_over(
                actor=user,
                alliance=alliance,
                to=form.cleaned_data["to"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The chair is handed over."))
    current = rotation.current
    chair = members.filter(pk=current.member).first() if current is not None and current.member else None
    return _form_page(
        request,
        form=form,
        title=_("Hand over the chair"),
        intro=(
            _("%(member)s chairs now, until %(day)s.") % {"member": chair.name, "day": f"{current.ends_on:%Y-%m-%d}"}
            if chair is not None and current is not None
            else ""
        ),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Hand over"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def meeting_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    """联席会议: record a joint meeting with its minutes."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    members = alliance.members.select_related("community", "unit").order_by("left_on", "id")
    form = MeetingForm(request.POST or None, initial={"version": alliance.version}, members=members)
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, meeting = _perform(
            form,
            lambda: services.alliance_meeting_record(
                actor=user,
                alliance=alliance,
                held_on=form.cleaned_data["held_on"],
                venue=form.cleaned_data["venue"],
                topic=form.cleaned_data["topic"],
                attendees=list(form.cleaned_data["attendees"]),
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            messages.success(request, _("The joint meeting is recorded."))
            return redirect("alliances:meeting", pk=alliance.pk, meeting_id=meeting.pk)
    return _form_page(
        request,
        form=form,
        title=_("Record a joint meeting"),
        intro=_("A meeting is kept as recorded: check the minutes before saving."),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Save the meeting"),
        status=status,
        refusal=refusal,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def dissolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Dissolve the alliance: every member still in it leaves that day."""
    user: Any = request.user
    alliance = alliance_get_managed(user=user, pk=pk)
    form = DissolveForm(request.POST or None, initial={"version": alliance.version})
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, _result = _perform(
            form,
            lambda: services.alliance_dissolve(
                actor=user,
                alliance=alliance,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            return _done(request, alliance, _("The alliance is dissolved."))
    return _form_page(
        request,
        form=form,
        title=_("Dissolve the alliance"),
        intro=_("Every member still in the alliance leaves on that day. This cannot be undone."),
        crumbs=_alliance_crumbs(alliance),
        cancel=reverse("alliances:detail", args=[alliance.pk]),
        submit=_("Dissolve"),
        status=status,
        refusal=refusal,
    )
