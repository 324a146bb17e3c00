"""A resident unit's contacts' mobile pages of the contracts, at /unit/contracts/: their units' contracts; a contract
with its clauses (propose clauses and comment while negotiating), signing for the unit, recording the performance of
the unit's clauses with evidence, and the unit's evaluation. A contract of another unit is not found (404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.contracts import selectors
from gridwork.contracts.views.common import (
    UNIT,
    clause_page,
    contract_page,
    evaluate_page,
    evidence_response,
    perform_page,
)
from gridwork.party.access import unit_contact_view


def _find(request: HttpRequest) -> Any:
    return lambda pk: selectors.unit_contract_get(user=request.user, pk=pk)


@unit_contact_view
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """共建契约: the contracts of the units the user speaks for."""
    return render(
        request,
        "contracts/unit/list.html",
        {
            "side": UNIT,
            "units": list(request.units),  # type: ignore[attr-defined]
            "contracts": list(selectors.unit_contract_list(user=request.user)),
            "today": timezone.localdate(),
        },
    )


@unit_contact_view
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_page(request, pk, side=UNIT, find=_find(request))


@unit_contact_view
@require_http_methods(["GET", "POST"])
def clause_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    return clause_page(request, pk, side=UNIT, find=_find(request))


@unit_contact_view
@require_http_methods(["GET", "POST"])
def perform_view(request: HttpRequest, pk: int, clause_pk: int) -> HttpResponse:
    return perform_page(request, pk, clause_pk, side=UNIT, find=_find(request))


@unit_contact_view
@require_http_methods(["GET", "POST"])
def evaluate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return evaluate_page(request, pk, side=UNIT, find=_find(request))


@unit_contact_view
@require_GET
def evidence_view(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    contract = selectors.unit_contract_get(user=request.user, pk=pk)
    return evidence_response(selectors.evidence_get(contract=contract, pk=evidence_pk))
