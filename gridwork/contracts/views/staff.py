"""Staff pages of the contracts, at /staff/contracts/: the list of the user's communities' contracts (by state,
community, unit, terms ending soon) and its Excel export, starting a contract, a contract with its clauses, history
and the moves the user may make for the community, a clause's form, performance, evaluation, evidence, and drafting a
clause from a match of the three lists. Reads go through ``contracts.selectors`` (scoped by VIEW_PARTY), writes
through ``contracts.services`` (MANAGE_PARTY over the community)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
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
from gridwork.contracts import selectors, services
from gridwork.contracts.exports import contracts_xlsx
from gridwork.contracts.forms import ContractForm, FilterForm, FromMatchForm
from gridwork.contracts.models import ClauseMenu, ContractParty
from gridwork.contracts.views.common import (
    STAFF,
    clause_page,
    contract_page,
    evaluate_page,
    evidence_response,
    perform,
    perform_page,
)


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Co-construction contracts"), "url": reverse("contracts:list")}, *extra]


def _find(request: HttpRequest) -> Any:
    return lambda pk: selectors.contract_get(user=request.user, pk=pk)


def _filtered(request: HttpRequest) -> tuple[FilterForm, Any]:
    user: Any = request.user
    bound = any(request.GET.get(key) for key in FilterForm.base_fields)
    form = FilterForm(request.GET if bound else None, communities=selectors.contract_community_choices(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    contracts = selectors.contract_list(
        user=user,
        state=values.get("state", ""),
        stage=values.get("stage", ""),
        community=values.get("community"),
        unit=(values.get("unit") or "").strip(),
        expiring=bool(values.get("expiring")),
    )
    return form, contracts


@staff_view(Perm.VIEW_PARTY)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """契约化共建: the contracts of the user's communities, newest first, with their clauses' progress."""
    user: Any = request.user
    form, contracts = _filtered(request)
    page, query = paginate(request, contracts)
    return render(
        request,
        "contracts/staff/list.html",
        {
            "form": form,
            "page_obj": page,
            "contracts": list(page),
            "query": query,
            "export_query": request.GET.urlencode(),
            "may_start": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The list with its filters as .xlsx: contracts and their clauses (no personal data)."""
    user: Any = request.user
    form, contracts = _filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    chosen = {name: value for name, value in form.cleaned_data.items() if value} if form.is_bound else {}
    about: list[tuple[Any, Any]] = [
        *((form.fields[name].label or name, str(value)) for name, value in chosen.items()),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    ledger = contracts_xlsx(contracts.select_related("renewed_from"), about=about)
    today = timezone.localdate()
    return xlsx_response(
        ledger.content,
        ascii_name=f"contracts-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Co-construction contracts')}-{today:%Y%m%d}.xlsx",
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """谈约 begins: a community the user manages and a unit sitting in it or in its street."""
    user: Any = request.user
    form = ContractForm(
        request.POST or None,
        communities=selectors.contract_community_choices(user=user, perm=Perm.MANAGE_PARTY),
        units=selectors.contract_unit_choices(user=user),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contract = services.contract_start(
                    actor=user,
                    community=form.cleaned_data["community"],
                    unit=form.cleaned_data["unit"],
                    title=form.cleaned_data["title"],
                    term_start=form.cleaned_data.get("term_start"),
                    term_end=form.cleaned_data.get("term_end"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error("community", str(error))
                status = 403
            else:
                messages.success(
                    request, _("Contract %(number)s is drafted; add its clauses.") % {"number": contract.number}
                )
                return redirect("contracts:detail", pk=contract.pk)
    return render(
        request,
        "contracts/staff/new.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("Start a contract"), "url": ""})},
        status=status,
    )


def _detail_extra(contract: Any) -> dict[str, Any]:
    return {"board_url": reverse("public_contracts:detail", args=[contract.number])}


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract: parties, term, signatures, clauses with their performance and scores, history, and the moves the
    user may make for the community now."""
    return contract_page(request, pk, side=STAFF, find=_find(request), more_context=_detail_extra)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def clause_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    return clause_page(request, pk, side=STAFF, find=_find(request))


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def clause_edit_view(request: HttpRequest, pk: int, clause_pk: int) -> HttpResponse:
    return clause_page(request, pk, side=STAFF, find=_find(request), clause_pk=clause_pk)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def perform_view(request: HttpRequest, pk: int, clause_pk: int) -> HttpResponse:
    return perform_page(request, pk, clause_pk, side=STAFF, find=_find(request))


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def evaluate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return evaluate_page(request, pk, side=STAFF, find=_find(request))


@staff_view(Perm.VIEW_PARTY)
@require_GET
def evidence_view(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return evidence_response(selectors.evidence_get(contract=contract, pk=evidence_pk))


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def from_match_view(request: HttpRequest, match_pk: int) -> HttpResponse:
    """A match (need × resource) becomes a clause: of a contract under negotiation between the need's community and
    the resource's unit, or of a new one. The clause is drafted from the need and the resource."""
    user: Any = request.user
    match = selectors.match_get(user=user, pk=match_pk)
    need, resource = match.need, match.resource
    contracts = selectors.match_contract_choices(user=user, match=match)
    due = need.wanted_by or timezone.localdate() + timedelta(days=90)
    initial = {
        "contract": contracts.first(),
        "title": _("Co-construction of %(community)s and %(unit)s")
        % {"community": need.community.name, "unit": resource.unit.name},
        "menu": ClauseMenu.RESOURCE,
        "done_by": ContractParty.UNIT,
        "content": _("%(resource)s, for: %(need)s") % {"resource": resource.title, "need": need.title},
        "due_on": due,
        "measure": "",
        "field": need.field,
    }
    form = FromMatchForm(request.POST or None, contracts=contracts, initial=initial)
    status, refusal = 200, ""
    if request.method == "POST":
        created: list[Any] = []

        def move() -> None:
            contract = form.cleaned_data.get("contract")
            created.append(
                services.contract_clause_from_match(
                    actor=user,
                    match=match,
                    contract=contract,
                    title=form.cleaned_data.get("title", ""),
                    values=form.values(),
                    expected_version=contract.version if contract is not None else None,
                )
            )

        status, refusal = perform(form, move)
        if status == 0:
            clause = created[0]
            messages.success(
                request,
                _("Clause %(position)d of contract %(number)s is drafted from the match.")
                % {"position": clause.position, "number": clause.contract.number},
            )
            return redirect("contracts:detail", pk=clause.contract_id)
    return render(
        request,
        "contracts/staff/from_match.html",
        {
            "form": form,
            "match": match,
            "need": need,
            "resource": resource,
            "refusal": refusal,
            "unit_fits": services.unit_may_contract_with(resource.unit, need.community),
            "breadcrumbs": _crumbs({"label": _("A clause from a match"), "url": ""}),
        },
        status=status or 200,
    )
