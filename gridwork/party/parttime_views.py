"""Staff pages of part-time members (兼职委员) at /staff/party/part-time/: the list of terms (in term, ending within 60
days, not started, over, ended early) with its Excel export, appointing, one term with ending it early and renewing
it. Lists and terms are scoped (VIEW_PARTY over the organisation's place); changing needs MANAGE_PARTY there, and a
term outside it is not found."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party import parttime, parttime_selectors
from gridwork.party.models import PartTimeMember
from gridwork.party.parttime_exports import part_time_xlsx
from gridwork.party.parttime_forms import AppointForm, EndForm, RenewForm, TermFilterForm
from gridwork.party.parttime_selectors import TermStatus, term_status


def _crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Part-time members"), "url": reverse("party:parttime-list") if extra else ""},
        *({"label": label, "url": url} for label, url in extra),
    ]


def _filtered(request: HttpRequest) -> tuple[TermFilterForm, Any, dict[str, Any]]:
    user: Any = request.user
    organisations = parttime_selectors.part_time_list_organisations(user=user)
    form = TermFilterForm(request.GET or None, organisations=organisations)
    values: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = values.get("status") or TermStatus.CURRENT
    organisation = organisations.filter(code=values.get("organisation") or "").first()
    terms = parttime_selectors.part_time_list(
        user=user, status=status, organisation=organisation, search=values.get("q", "")
    )
    return form, terms, {"status": status, "organisation": organisation}


@staff_view(Perm.VIEW_PARTY)
@require_GET
def parttime_list_view(request: HttpRequest) -> HttpResponse:
    """The terms on the 大工委 and 大党委 of the user's area: in term by default, or ending soon, over, ended early."""
    user: Any = request.user
    form, terms, chosen = _filtered(request)
    page, query = paginate(request, terms)
    today = timezone.localdate()
    return render(
        request,
        "party/parttime_list.html",
        {
            "form": form,
            "rows": [(term, term_status(term, today)) for term in page],
            "page_obj": page,
            "query": query,
            "status": chosen["status"],
            "export_query": request.GET.urlencode(),
            "may_appoint": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def parttime_export_view(request: HttpRequest) -> HttpResponse:
    """The list with its filter as .xlsx (names of committee members are published; no phone numbers)."""
    user: Any = request.user
    form, terms, chosen = _filtered(request)
    today = timezone.localdate()
    status_label = dict(form.fields["status"].choices).get(chosen["status"], chosen["status"])  # type: ignore[attr-defined]
    about: list[tuple[Any, Any]] = [
        (gettext_lazy("Terms"), str(status_label)),
        (gettext_lazy("Organisation"), chosen["organisation"].name if chosen["organisation"] else _("All")),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    content, _rows = part_time_xlsx(terms.iterator(chunk_size=2000), about=about, today=today, viewer=user)
    return xlsx_response(
        content,
        ascii_name=f"part-time-members-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Part-time members')}-{today:%Y%m%d}.xlsx",
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def parttime_create_view(request: HttpRequest) -> HttpResponse:
    """聘任兼职委员: a unit's party leader onto a 大工委 or 大党委 of the user's area (?organisation=code&unit=pk
    preselect)."""
    user: Any = request.user
    organisations = parttime_selectors.part_time_organisations(user=user)
    units = parttime_selectors.part_time_units(user=user)
    initial = {"organisation": request.GET.get("organisation", ""), "unit": request.GET.get("unit", "")}
    form = AppointForm(request.POST or None, initial=initial, organisations=organisations, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                term = parttime.part_time_appoint(
                    actor=user,
                    organisation=form.chosen_organisation(),
                    unit=form.cleaned_data["unit"],
                    name=form.cleaned_data["name"],
                    position=form.cleaned_data["position"],
                    term_start=form.cleaned_data["term_start"],
                    term_end=form.cleaned_data["term_end"],
                    duties=form.cleaned_data["duties"],
                    request=request,
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("%(name)s is appointed.") % {"name": term.name})
                return redirect("party:parttime-detail", pk=term.pk)
    return render(
        request,
        "party/parttime_form.html",
        {
            "form": form,
            "title": _("Appoint a part-time member"),
            "breadcrumbs": _crumbs((_("Appoint"), "")),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def parttime_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    term = parttime_selectors.part_time_get(user=user, pk=pk)
    status = term_status(term)
    renewal = parttime_selectors.part_time_renewal(term)
    may_manage = parttime_selectors.part_time_may_manage(user=user, term=term)
    return render(
        request,
        "party/parttime_detail.html",
        {
            "term": term,
            "status": status,
            "status_label": TermStatus(status).label,
            "renewal": renewal,
            "may_end": may_manage and term.ended_on is None and status != TermStatus.EXPIRED,
            "may_renew": may_manage and term.ended_on is None and renewal is None,
            "breadcrumbs": _crumbs((term.name, "")),
        },
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def parttime_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """提前结束任期: the last day in office and the reason."""
    user: Any = request.user
    term = parttime_selectors.part_time_for_change(user=user, pk=pk)
    form = EndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                parttime.part_time_end(
                    actor=user,
                    term=term,
                    ended_on=form.cleaned_data["ended_on"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("The term of %(name)s has ended.") % {"name": term.name})
                return redirect("party:parttime-detail", pk=term.pk)
    return render(
        request,
        "party/parttime_end.html",
        {
            "form": form,
            "term": term,
            "breadcrumbs": _crumbs(
                (term.name, reverse("party:parttime-detail", args=[term.pk])), (_("End the term early"), "")
            ),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def parttime_renew_view(request: HttpRequest, pk: int) -> HttpResponse:
    """续聘: a new term of the same person after this one, its dates, position and duties first as they were."""
    user: Any = request.user
    term: PartTimeMember = parttime_selectors.part_time_for_change(user=user, pk=pk)
    form = RenewForm(request.POST or None, initial=parttime.renewal_defaults(term))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                renewal = parttime.part_time_renew(
                    actor=user,
                    term=term,
                    term_start=form.cleaned_data["term_start"],
                    term_end=form.cleaned_data["term_end"],
                    position=form.cleaned_data["position"],
                    duties=form.cleaned_data["duties"],
                    request=request,
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("The term of %(name)s is renewed.") % {"name": term.name})
                return redirect("party:parttime-detail", pk=renewal.pk)
    return render(
        request,
        "party/parttime_form.html",
        {
            "form": form,
            "term": term,
            "title": _("Renew the term of %(name)s") % {"name": term.name},
            "breadcrumbs": _crumbs((term.name, reverse("party:parttime-detail", args=[term.pk])), (_("Renew"), "")),
        },
        status=status,
    )
