"""Staff pages of households in difficulty, at /staff/care/: the list of the user's area with its coverage figures
and Excel export, a household's record (every opening audited) with its pairings, visits and needs, and the forms
that flag, update and end a household, pair and unpair it, record a visit, and turn a need into a matter or a
micro-wish. Reads go through ``care.selectors`` (scoped by VIEW_DIFFICULTY), writes through ``care.services``.

Household pages other than the record itself show the household masked and without its kinds, so that only the
record page, whose every opening is audited, shows who is in difficulty and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.care import selectors, services
from gridwork.care.exports import households_xlsx
from gridwork.care.forms import (
    EndForm,
    FilterForm,
    FlagForm,
    MatterForm,
    PairForm,
    RecordForm,
    VisitForm,
    WishForm,
)
from gridwork.care.models import HouseholdInDifficulty, Need, Pairing, VisitorRole
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place
from gridwork.wishes.models import WishSettings
from gridwork.wishes.services import yuan


def _crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Households in difficulty"), "url": reverse("care:list")},
        *({"label": label, "url": url} for label, url in extra),
    ]


def _user(request: HttpRequest) -> Any:
    return request.user


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A household as the list shows it to this user: masked unless they may see personal data there."""

    record: HouseholdInDifficulty
    household: str
    householder: str
    grid: str
    kinds: list[str]
    partners: int
    last_visit: date | None
    days_since_visit: int | None


def _row(record: HouseholdInDifficulty, paths: list[str], today: date) -> Row:
    household = record.household
    shown = selectors.unmasked_for(paths, household)
    people = getattr(household, "people", [])
    name, _phone = selectors.person_label(people[0] if people else None, unmasked=shown)
    grid = household.parent.parent if household.parent is not None else None
    last_visit: date | None = getattr(record, "last_visit", None)
    return Row(
        record=record,
        household=selectors.household_label(household, unmasked=shown),
        householder=name,
        grid=grid.name if grid is not None else "",
        kinds=selectors.kind_labels(record.kinds),
        partners=len(getattr(record, "open_pairings", [])),
        last_visit=last_visit,
        days_since_visit=(today - last_visit).days if last_visit is not None else None,
    )


@dataclass(frozen=True)
class Filtered:
    form: FilterForm
    community: Place | None
    records: QuerySet[HouseholdInDifficulty]
    chosen: dict[str, str]


def _filtered(request: HttpRequest, today: date) -> Filtered:
    user = _user(request)
    communities = list(selectors.household_communities(user=user))
    bound = any(request.GET.get(key) for key in FilterForm.base_fields)
    form = FilterForm(request.GET if bound else None, communities=communities)
    values = form.cleaned_data if bound and form.is_valid() else {}
    community = next((c for c in communities if c.code == values.get("community")), None)
    records = selectors.household_list(
        user=user,
        community=community,
        kind=values.get("kind", ""),
        paired=form.paired_value(),
        not_visited_days=values.get("not_visited_days"),
        ended=bool(values.get("ended")),
        today=today,
    )
    chosen = {name: str(value) for name, value in values.items() if value not in (None, "", False)}
    return Filtered(form=form, community=community, records=records, chosen=chosen)


@staff_view(Perm.VIEW_DIFFICULTY)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """包联困难户: the households in difficulty of the user's area, those visited longest ago first, with the area's
    coverage figures (paired, visited in the last 30 and 90 days)."""
    user = _user(request)
    today = timezone.localdate()
    filtered = _filtered(request, today)
    page, query = paginate(request, filtered.records)
    paths = selectors.personal_data_paths(user)
    return render(
        request,
        "care/list.html",
        {
            "form": filtered.form,
            "rows": [_row(record, paths, today) for record in page],
            "page_obj": page,
            "query": query,
            "export_query": request.GET.urlencode(),
            "coverage": selectors.coverage(user=user, community=filtered.community, today=today),
            "community": filtered.community,
            "may_flag": user.has_perm_anywhere(Perm.MANAGE_DIFFICULTY),
            "breadcrumbs": _crumbs(),
        },
        status=400 if filtered.form.is_bound and not filtered.form.is_valid() else 200,
    )


@staff_view(Perm.VIEW_DIFFICULTY)
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The list with its filters as .xlsx, masked like the page; every export is recorded in the audit log."""
    user = _user(request)
    filtered = _filtered(request, timezone.localdate())
    if filtered.form.is_bound and not filtered.form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in filtered.form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    about: list[tuple[Any, Any]] = [
        *((filtered.form.fields[name].label or name, value) for name, value in filtered.chosen.items()),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    workbook = households_xlsx(
        filtered.records.iterator(chunk_size=2000),
        unmasked_paths=selectors.personal_data_paths(user),
        about=about,
    )
    services.households_exported(
        actor=user, rows=workbook.rows, unmasked=workbook.unmasked, filters=filtered.chosen, request=request
    )
    today = timezone.localdate()
    return xlsx_response(
        workbook.content,
        ascii_name=f"households-in-difficulty-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Households in difficulty')}-{today:%Y%m%d}.xlsx",
    )


# --- flagging ---------------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def flag_view(request: HttpRequest) -> HttpResponse:
    """Flag a household of the user's communities as in difficulty: find it by code, name or address, then say why."""
    user = _user(request)
    search = request.GET.get("q", "").strip()[:100]
    chosen_code = request.POST.get("household", "") if request.method == "POST" else request.GET.get("household", "")
    household = selectors.flaggable_household(user=user, code=chosen_code) if chosen_code else None
    form = FlagForm(request.POST or None, initial={"household": household.code if household else ""})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if household is None:
                form.add_error(None, _("Choose a household of your communities."))
            else:
                try:
                    record = services.household_flag(
                        actor=user,
                        household=household,
                        kinds=form.cleaned_data["kinds"],
                        since=form.cleaned_data["since"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The household is recorded as in difficulty."))
                    return redirect("care:detail", pk=record.pk)
    return render(
        request,
        "care/flag.html",
        {
            "form": form,
            "search": search,
            "candidates": selectors.household_candidates(user=user, search=search),
            "household": household,
            "breadcrumbs": _crumbs((_("Flag a household"), "")),
        },
        status=status,
    )


# --- the record ---------------------------------------------------------------------------------------------------


def _visit_form(request: HttpRequest, record: HouseholdInDifficulty, data: Any = None) -> VisitForm:
    user = _user(request)
    return VisitForm(
        data,
        pairings=selectors.visit_pairing_choices(user=user, record=record),
        unmasked=selectors.unmasked_for(selectors.personal_data_paths(user), record.household),
        initial={"visited_on": timezone.localdate()},
    )


def _pair_form(request: HttpRequest, record: HouseholdInDifficulty, data: Any = None) -> PairForm:
    user = _user(request)
    return PairForm(
        data,
        members=selectors.member_choices(record=record),
        leaders=selectors.leader_choices(record=record),
        unmasked=selectors.unmasked_for(selectors.personal_data_paths(user), record.household),
    )


@staff_view(Perm.VIEW_DIFFICULTY)
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A household's record: who lives there, its kinds, pairings, visits and the needs found. Every opening is
    written to the audit log."""
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk)
    services.household_opened(actor=user, record=record, request=request)
    shown = selectors.unmasked_for(selectors.personal_data_paths(user), record.household)
    people = selectors.household_people(record)
    householder_name, householder_phone = selectors.person_label(people[0] if people else None, unmasked=shown)
    pairings = selectors.record_pairings(record)
    may_manage = selectors.may_manage(user=user, record=record)
    return render(
        request,
        "care/detail.html",
        {
            "record": record,
            "unmasked": shown,
            "household": selectors.household_label(record.household, unmasked=shown),
            "householder_name": householder_name,
            "householder_phone": householder_phone,
            "people_count": len(people),
            "kinds": selectors.kind_labels(record.kinds),
            "pairings": [(p, selectors.partner_label(p, unmasked=shown)) for p in pairings],
            "visits": [
                (visit, selectors.partner_label(visit.pairing, unmasked=shown) if visit.pairing else "")
                for visit in selectors.record_visits(record)
            ],
            "staff_role": VisitorRole.STAFF,
            "may_manage": may_manage and record.is_open,
            "may_file_matter": selectors.may_file_matter(user=user, record=record),
            "may_post_wish": selectors.may_post_wish(user=user, record=record),
            "visit_form": _visit_form(request, record) if record.is_open else None,
            "pair_form": _pair_form(request, record) if may_manage and record.is_open else None,
            "end_form": EndForm() if may_manage and record.is_open else None,
            "breadcrumbs": _crumbs((_("Household #%(id)s") % {"id": record.pk}, "")),
        },
    )


def _form_page(
    request: HttpRequest,
    record: HouseholdInDifficulty,
    *,
    form: Any,
    title: str,
    submit: str,
    status: int,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    """A form about one household, shown masked and without its kinds (only the audited record page shows them)."""
    return render(
        request,
        "care/form.html",
        {
            "record": record,
            "household": selectors.household_label(record.household, unmasked=False),
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "danger": danger,
            "breadcrumbs": _crumbs(
                (_("Household #%(id)s") % {"id": record.pk}, reverse("care:detail", args=[record.pk])), (title, "")
            ),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk, perm=Perm.MANAGE_DIFFICULTY)
    form = RecordForm(request.POST or None, initial={"kinds": record.kinds, "since": record.since, "note": record.note})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.household_update(
                    actor=user,
                    record=record,
                    kinds=form.cleaned_data["kinds"],
                    since=form.cleaned_data["since"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The household's record is updated."))
                return redirect("care:detail", pk=record.pk)
    return _form_page(request, record, form=form, title=_("Update the record"), submit=_("Save"), status=status)


@staff_view(Perm.MANAGE_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk, perm=Perm.MANAGE_DIFFICULTY)
    form = EndForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.household_end(
                    actor=user,
                    record=record,
                    reason=form.cleaned_data["reason"],
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The household is no longer in difficulty; its pairings have ended."))
                return redirect("care:detail", pk=record.pk)
    return _form_page(
        request,
        record,
        form=form,
        title=_("No longer in difficulty"),
        submit=_("End the record"),
        intro=_("The record and its open pairings end; its visits stay."),
        danger=True,
        status=status,
    )


@staff_view(Perm.MANAGE_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def pair_view(request: HttpRequest, pk: int) -> HttpResponse:
    """包联: pair the household with a registered member of its community or a leader."""
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk, perm=Perm.MANAGE_DIFFICULTY)
    form = _pair_form(request, record, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.pairing_create(
                    actor=user,
                    record=record,
                    member=form.cleaned_data.get("member"),
                    leader=form.cleaned_data.get("leader"),
                    since=form.cleaned_data.get("since"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The household is paired."))
                return redirect("care:detail", pk=record.pk)
    return _form_page(request, record, form=form, title=_("Pair the household"), submit=_("Pair"), status=status)


@staff_view(Perm.MANAGE_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def unpair_view(request: HttpRequest, pk: int, pairing_pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk, perm=Perm.MANAGE_DIFFICULTY)
    pairing: Pairing = selectors.pairing_get(user=user, record=record, pk=pairing_pk)
    form = EndForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.pairing_end(
                    actor=user,
                    pairing=pairing,
                    reason=form.cleaned_data["reason"],
                    ended_on=form.cleaned_data["ended_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The pairing has ended."))
                return redirect("care:detail", pk=record.pk)
    return _form_page(
        request, record, form=form, title=_("End the pairing"), submit=_("End the pairing"), danger=True, status=status
    )


@staff_view(Perm.VIEW_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def visit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """走访: record a visit, its notes and the needs found (one per line)."""
    user = _user(request)
    record = selectors.household_get(user=user, pk=pk)
    form = _visit_form(request, record, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.visit_record(
                    actor=user,
                    record=record,
                    visited_on=form.cleaned_data["visited_on"],
                    notes=form.cleaned_data["notes"],
                    needs=form.need_lines(),
                    pairing=form.cleaned_data.get("pairing"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("care:detail", pk=record.pk)
    return _form_page(request, record, form=form, title=_("Record a visit"), submit=_("Record"), status=status)


# --- needs --------------------------------------------------------------------------------------------------------


def _need_page(
    request: HttpRequest, need: Need, *, form: Any, title: str, submit: str, status: int, intro: str = ""
) -> HttpResponse:
    record = need.visit.record
    return render(
        request,
        "care/need_form.html",
        {
            "need": need,
            "record": record,
            "household": selectors.household_label(record.household, unmasked=False),
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "breadcrumbs": _crumbs(
                (_("Household #%(id)s") % {"id": record.pk}, reverse("care:detail", args=[record.pk])), (title, "")
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def need_matter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """File a need as a matter at the household's building, in one step (FILE_MATTERS over the household)."""
    user = _user(request)
    need = selectors.need_get(user=user, pk=pk)
    form = MatterForm(request.POST or None, initial={"text": need.text})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                matter = services.need_file_matter(
                    actor=user, need=need, text=form.cleaned_data["text"], kind=form.cleaned_data["kind"]
                )
            except services.NeedAlreadyConverted as taken:
                form.add_error(None, str(taken))
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The need is filed as matter %(number)s.") % {"number": matter.number})
                return redirect("care:detail", pk=need.visit.record_id)
    return _need_page(
        request,
        need,
        form=form,
        title=_("File as a matter"),
        submit=_("File the matter"),
        intro=_("The matter is filed at the household's building; it names neither the household nor its difficulty."),
        status=status,
    )


@staff_view(Perm.VIEW_DIFFICULTY)
@require_http_methods(["GET", "POST"])
def need_wish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a need as a micro-wish on the household's behalf (代发), in one step; the wish then awaits review."""
    user = _user(request)
    need = selectors.need_get(user=user, pk=pk)
    record = need.visit.record
    shown = selectors.unmasked_for(selectors.personal_data_paths(user), record.household)
    people = selectors.household_people(record)
    form = WishForm(
        request.POST or None,
        initial={
            "title": need.text[:60],
            "beneficiary_name": people[0].name if people and shown else "",
            "beneficiary_phone": people[0].phone if people and shown else "",
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.need_post_wish(actor=user, need=need, **form.cleaned_data)
            except services.NeedAlreadyConverted as taken:
                form.add_error(None, str(taken))
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The need is posted as a micro-wish; it awaits the community's review."))
                return redirect("care:detail", pk=record.pk)
    return _need_page(
        request,
        need,
        form=form,
        title=_("Post as a micro-wish"),
        submit=_("Post the wish"),
        intro=_("A wish is worth at most %(cap)s yuan; it is published after the community's review.")
        % {"cap": yuan(WishSettings.current().value_cap)},
        status=status,
    )
