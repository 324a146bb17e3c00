"""The community's public board of contracts (亮约), at /board/: open to everyone, signed in or not.

It names the parties by their community, party organisation and unit, and shows the clauses, the term, how each
clause was performed (done on time, late, overdue) and the scores; never a person: no names, no phones, no signers,
no performance notes or evidence (they may show people). Phone numbers typed into a clause's wording are taken out.
A signed-in resident of the community may rate a contract being evaluated or closed, once.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import public_view, signed_in_view
from gridwork.contracts import selectors, services
from gridwork.contracts.forms import RatingForm
from gridwork.contracts.models import Contract, ContractState


@public_view
@require_GET
def community_view(request: HttpRequest, code: str) -> HttpResponse:
    """A community's published contracts."""
    community = selectors.public_community_get(code=code)
    contracts = list(selectors.public_contract_list(community=community))
    for contract in contracts:
        contract.title = selectors.without_phones(contract.title)
    return render(request, "contracts/public/community.html", {"community": community, "contracts": contracts})


def _may_rate(request: HttpRequest, contract: Contract) -> bool:
    return (
        contract.state in (ContractState.EVALUATING, ContractState.CLOSED)
        and services.resident_of(user=request.user, community=contract.community)
        and selectors.resident_rating_of(user=request.user, contract=contract) is None
    )


def _page(
    request: HttpRequest, contract: Contract, *, form: RatingForm | None = None, status: int = 200
) -> HttpResponse:
    contract.title = selectors.without_phones(contract.title)
    return render(
        request,
        "contracts/public/detail.html",
        {
            "contract": contract,
            "rows": selectors.clause_rows(contract, with_records=False, public=True),
            "scores": selectors.contract_scores(contract),
            "rating_form": form or (RatingForm() if _may_rate(request, contract) else None),
            "rated": selectors.resident_rating_of(user=request.user, contract=contract) is not None,
        },
        status=status,
    )


@public_view
@require_GET
def detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """A published contract: parties, term, clauses with how they were performed, and the scores."""
    return _page(request, selectors.public_contract_get(number=number))


@signed_in_view
@require_POST
def rate_view(request: HttpRequest, number: str) -> HttpResponse:
    """A resident of the community rates the contract, 1–5 stars, once."""
    contract = selectors.public_contract_get(number=number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, contract, form=form, status=400)
    try:
        services.contract_rate(
            actor=request.user,
            contract=contract,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, contract, form=form, status=400)
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return _page(request, contract, form=form, status=403)
    messages.success(request, _("Thank you: your rating is saved."))
    return redirect("public_contracts:detail", number=contract.number)
