"""The visit log (phone-first): the list of visits, logging a visit (pick a household of one's grid by code or
address, then the form), a visit's page with its needs and what each became, a need turned into a matter (one
click), a micro-wish or a dispute case (a short form), a photo, a household's visit history and a worker's diary
(民情日记).

Reads through ``gridvisits.selectors`` (VIEW_GRID_VISITS; 404 outside the user's units), writes through
``gridvisits.services`` (RECORD_GRID_VISITS). A refused form answers 400 with the field and why.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.need_outcomes import NeedAlreadyConverted, holds_over
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.gridvisits import selectors, services
from gridwork.gridvisits.forms import CaseForm, VisitForm, WishForm, parse_month
from gridwork.gridvisits.models import GridVisit, VisitNeed
from gridwork.places.models import Place

BAD_REQUEST = 400


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Grid visits"), "url": reverse("gridvisits:visit-list")}, *extra]


def _label(user: Any, household: Place) -> str:
    return selectors.household_label(household, paths=selectors.personal_data_paths(user))


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def visit_list_view(request: HttpRequest) -> HttpResponse:
    """The visits of the user's units, newest first, searchable by the household's code or address."""
    user: Any = request.user
    q = request.GET.get("q", "")[:50]
    page, query = paginate(request, selectors.visit_list(user=user, q=q))
    paths = selectors.personal_data_paths(user)
    rows = [(visit, selectors.household_label(visit.household, paths=paths)) for visit in page.object_list]
    return render(
        request,
        "gridvisits/visit_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "query": query,
            "q": q,
            "may_record": user.has_perm_anywhere(Perm.RECORD_GRID_VISITS),
            "breadcrumbs": crumbs(),
        },
    )


@staff_view(Perm.RECORD_GRID_VISITS)
@require_http_methods(["GET", "POST"])
def visit_create_view(request: HttpRequest) -> HttpResponse:
    """Step 1 without ``household``: search the households of one's grids. Step 2: the visit form for one of them."""
    user: Any = request.user
    household_pk = request.POST.get("household") or request.GET.get("household")
    if not household_pk:
        q = request.GET.get("q", "")[:50]
        households = selectors.household_search(user=user, q=q)[: selectors.HOUSEHOLD_CHOICES] if q else []
        paths = selectors.personal_data_paths(user)
        return render(
            request,
            "gridvisits/household_pick.html",
            {
                "q": q,
                "households": [(place, selectors.household_label(place, paths=paths)) for place in households],
                "breadcrumbs": crumbs({"label": _("Log a visit"), "url": ""}),
            },
        )
    try:
        pk = int(household_pk)
    except ValueError as error:
        raise Http404 from error
    household = selectors.household_get(user=user, pk=pk, perm=Perm.RECORD_GRID_VISITS)
    corrections = selectors.correctable_visits(user=user, household=household)
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, corrections=corrections)
        if form.is_valid():
            try:
                visit = services.visit_record(
                    actor=user, values=form.to_input(household), photos=form.cleaned_data.get("photos") or []
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("gridvisits:visit-detail", pk=visit.pk)
        status = BAD_REQUEST
    else:
        form = VisitForm(initial={"visited_on": timezone.localdate()}, corrections=corrections)
    return render(
        request,
        "gridvisits/visit_form.html",
        {
            "form": form,
            "household": household,
            "household_label": _label(user, household),
            "breadcrumbs": crumbs({"label": _("Log a visit"), "url": ""}),
        },
        status=status,
    )


def _need_actions(user: Any, visit: GridVisit) -> dict[str, bool]:
    household = visit.household
    may_record = holds_over(user, Perm.RECORD_GRID_VISITS, household)
    return {
        "matter": may_record and holds_over(user, Perm.FILE_MATTERS, household),
        "wish": may_record and holds_over(user, Perm.MANAGE_PARTY, household),
        "case": may_record and holds_over(user, Perm.MANAGE_DISPUTES, household),
    }


def _visit_page(request: HttpRequest, visit: GridVisit, *, status: int = 200, error: str = "") -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "gridvisits/visit_detail.html",
        {
            "visit": visit,
            "household_label": _label(user, visit.household),
            "needs": list(visit.needs.all()),
            "photos": list(selectors.visit_photos(visit)),
            "corrections": list(visit.corrections.order_by("id")),
            "actions": _need_actions(user, visit),
            "may_record": holds_over(user, Perm.RECORD_GRID_VISITS, visit.household),
            "error": error,
            "breadcrumbs": crumbs({"label": _("Visit #%(pk)s") % {"pk": visit.pk}, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def visit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, selectors.visit_get(user=request.user, pk=pk))


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """One photo of a visit of the user's units, private to this browser."""
    photo = selectors.photo_get(user=request.user, visit_pk=pk, pk=photo_id)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=photo.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)


def _refused(request: HttpRequest, need: VisitNeed, error: Exception) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=need.visit_id)
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error) or _("You may not do this.")
    status = 403 if isinstance(error, PermissionDenied) else BAD_REQUEST
    return _visit_page(request, visit, status=status, error=text)


@staff_view(Perm.RECORD_GRID_VISITS)
@require_POST
def need_matter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the need becomes a matter filed at the household's building, with the need's words."""
    need = selectors.need_get(user=request.user, pk=pk)
    try:
        matter = services.need_file_matter(actor=request.user, need=need)
    except (ValidationError, NeedAlreadyConverted, PermissionDenied) as error:
        return _refused(request, need, error)
    messages.success(request, _("Filed as matter %(number)s.") % {"number": matter.number})
    return redirect("gridvisits:visit-detail", pk=need.visit_id)


def _need_form_page(request: HttpRequest, need: VisitNeed, form: Any, *, title: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "gridvisits/need_form.html",
        {
            "need": need,
            "form": form,
            "title": title,
            "breadcrumbs": crumbs(
                {
                    "label": _("Visit #%(pk)s") % {"pk": need.visit_id},
                    "url": reverse("gridvisits:visit-detail", args=[need.visit_id]),
                },
                {"label": title, "url": ""},
            ),
        },
        status=status,
    )


@staff_view(Perm.RECORD_GRID_VISITS)
@require_http_methods(["GET", "POST"])
def need_wish_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk)
    title = _("Post as a micro-wish")
    if request.method == "POST":
        form = WishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                wish = services.need_post_wish(
                    actor=request.user,
                    need=need,
                    title=data["title"],
                    value=data.get("value"),
                    beneficiary_name=data["beneficiary_name"],
                    beneficiary_phone=data.get("beneficiary_phone") or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (NeedAlreadyConverted, PermissionDenied) as error:
                form.add_error(None, str(error) or _("You may not do this."))
            else:
                messages.success(request, _("Posted as micro-wish #%(pk)s.") % {"pk": wish.pk})
                return redirect("gridvisits:visit-detail", pk=need.visit_id)
        return _need_form_page(request, need, form, title=title, status=BAD_REQUEST)
    form = WishForm(initial={"title": need.text[:60]})
    return _need_form_page(request, need, form, title=title)


@staff_view(Perm.RECORD_GRID_VISITS)
@require_http_methods(["GET", "POST"])
def need_case_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk)
    title = _("Register as a dispute case")
    if request.method == "POST":
        form = CaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.need_register_case(
                    actor=request.user,
                    need=need,
                    title=data["title"],
                    dispute_type=data["dispute_type"],
                    risk=data["risk"],
                    applicant=data["applicant"],
                    respondent=data.get("respondent") or "",
                )
            except ValidationError as error:
                add_service_errors(form, _party_errors_on_fields(error))
            except (NeedAlreadyConverted, PermissionDenied) as error:
                form.add_error(None, str(error) or _("You may not do this."))
            else:
                messages.success(request, _("Registered as dispute case %(number)s.") % {"number": case.number})
                return redirect("gridvisits:visit-detail", pk=need.visit_id)
        return _need_form_page(request, need, form, title=title, status=BAD_REQUEST)
    form = CaseForm(initial={"title": need.text[:80]})
    return _need_form_page(request, need, form, title=title)


def _party_errors_on_fields(error: ValidationError) -> ValidationError:
    """The case service names the parties' problems under ``parties``: the form shows them at the respondent."""
    if not hasattr(error, "error_dict") or "parties" not in error.error_dict:
        return error
    errors = {name: list(messages) for name, messages in error.message_dict.items()}
    errors.setdefault("respondent", []).extend(errors.pop("parties"))
    return ValidationError(errors)


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def household_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A household's visit history: every visit to it, newest first, with its needs."""
    user: Any = request.user
    household = selectors.household_get(user=user, pk=pk)
    label = _label(user, household)
    return render(
        request,
        "gridvisits/household.html",
        {
            "household": household,
            "household_label": label,
            "visits": selectors.household_visits(user=user, household=household),
            "may_record": holds_over(user, Perm.RECORD_GRID_VISITS, household),
            "breadcrumbs": crumbs({"label": label, "url": ""}),
        },
    )


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def diary_view(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    """民情日记: a worker's visits in the order they happened, month by month (one's own without ``user_id``)."""
    user: Any = request.user
    author = selectors.diary_author(user=user, pk=user.pk if user_id is None else user_id)
    year, month = parse_month(request.GET.get("month"))
    paths = selectors.personal_data_paths(user)
    visits = [
        (visit, selectors.household_label(visit.household, paths=paths))
        for visit in selectors.diary(user=user, author=author, month=(year, month))
    ]
    return render(
        request,
        "gridvisits/diary.html",
        {
            "author": author,
            "visits": visits,
            "month": f"{year:04d}-{month:02d}",
            "is_own": author.pk == user.pk,
            "breadcrumbs": crumbs({"label": _("Diary"), "url": ""}),
        },
    )
