"""What the staff's and the unit's contract pages share: the contract page with the moves a side may make now, a
clause's form, recording performance, evaluating, and streaming evidence to those who may see the contract.

The two sides differ by ``Side``: which party the user acts for, the template they extend, the URL names their pages
link to, and how the history names people (the unit's contacts are masked for staff without VIEW_PERSONAL_DATA).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.contracts import selectors, services
from gridwork.contracts.flows import CONTRACT_FLOW, RENEWABLE_STATES, ContractAction
from gridwork.contracts.forms import (
    ClauseForm,
    CommentForm,
    EvaluateForm,
    PerformForm,
    ReasonForm,
    TermsForm,
    VersionForm,
)
from gridwork.contracts.models import PUBLIC_STATES, Clause, Contract, ContractParty, Evidence, EvidenceKind


@dataclass(frozen=True)
class Side:
    """Whose pages: the party the user acts for, the base template, and the URL names the pages link to."""

    party: str
    audience: str
    base: str
    namespace: str
    title: Any

    def url(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    # The URL names the templates reverse (``{% url side.detail_url contract.pk %}``).
    @property
    def list_url(self) -> str:
        return self.url("list")

    @property
    def detail_url(self) -> str:
        return self.url("detail")

    @property
    def clause_new_url(self) -> str:
        return self.url("clause-new")

    @property
    def clause_edit_url(self) -> str:
        return self.url("clause-edit")

    @property
    def perform_url(self) -> str:
        return self.url("clause-perform")

    @property
    def evaluate_url(self) -> str:
        return self.url("evaluate")

    @property
    def evidence_url(self) -> str:
        return self.url("evidence")


STAFF = Side(
    ContractParty.COMMUNITY, "staff", "staff/base.html", "contracts", gettext_lazy("Co-construction contracts")
)
UNIT = Side(ContractParty.UNIT, "unit", "resident/base.html", "unit_contracts", gettext_lazy("Our contracts"))


def perform(form: forms.Form, move: Callable[[], Any]) -> tuple[int, str]:
    """Apply ``move`` for a valid ``form``: (0, "") when done; else the status and, for a refused or stale move, the
    message for the page (a wrong field's message goes on the form)."""
    if not form.is_valid():
        return 400, ""
    try:
        move()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, ""
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this.")
    except (StaleState, MoveRefused) as error:
        return 409, str(error)
    return 0, ""


def evidence_response(evidence: Evidence) -> HttpResponse:
    """The evidence's bytes, private to this user's browser: photos shown inline, documents only downloaded."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    photo = evidence.kind == EvidenceKind.PHOTO and evidence.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=evidence.content_type or "application/octet-stream",
        as_attachment=not photo,
        filename=evidence.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)


def crumbs(side: Side, contract: Contract | None = None, label: str = "") -> list[dict[str, str]]:
    """The staff pages' breadcrumbs (the unit's mobile pages show a link back instead)."""
    found = [{"label": str(side.title), "url": reverse(side.url("list"))}]
    if contract is not None:
        found.append({"label": contract.number, "url": reverse(side.url("detail"), args=[contract.pk])})
    if label:
        found.append({"label": label, "url": ""})
    return found


# --- the contract page ------------------------------------------------------------------------------------------------

ACTION_FORMS: dict[str, type[forms.Form]] = {
    "terms": TermsForm,
    "comment": CommentForm,
    "sign": VersionForm,
    "reopen": ReasonForm,
    "cancel": ReasonForm,
    "publish": VersionForm,
    "start_evaluation": ReasonForm,
    "close": ReasonForm,
    "renew": VersionForm,
}
COMMUNITY_ONLY = frozenset({"terms", "cancel", "publish", "start_evaluation", "close", "renew"})


def allowed_actions(user: Any, contract: Contract, side: Side) -> list[str]:
    """The page's moves ``user`` may make now for ``side``: what the flow table allows from the contract's state,
    narrowed to what the side does."""
    if not services.acts_for(user=user, contract=contract, side=side.party):
        return []
    flow = set(CONTRACT_FLOW.allowed(contract.state))
    own_signature = contract.community_signed_at if side.party == ContractParty.COMMUNITY else contract.unit_signed_at
    candidates = {
        "terms": ContractAction.EDIT in flow,
        "comment": ContractAction.COMMENT in flow,
        "sign": ContractAction.SIGN in flow or (ContractAction.COUNTERSIGN in flow and own_signature is None),
        "reopen": ContractAction.REOPEN in flow,
        "cancel": ContractAction.CANCEL in flow,
        "publish": ContractAction.PUBLISH in flow,
        "start_evaluation": ContractAction.START_EVALUATION in flow,
        "close": ContractAction.CLOSE in flow
        and selectors.evaluation_of(contract, ContractParty.COMMUNITY) is not None
        and selectors.evaluation_of(contract, ContractParty.UNIT) is None,
        "renew": contract.state in RENEWABLE_STATES and services.renewal_of(contract) is None,
    }
    return [
        action
        for action, possible in candidates.items()
        if possible and (side.party == ContractParty.COMMUNITY or action not in COMMUNITY_ONLY)
    ]


def _initial(action: str, contract: Contract) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": contract.version}
    if action == "terms":
        initial.update(title=contract.title, term_start=contract.term_start, term_end=contract.term_end)
    return initial


def _move(request: HttpRequest, side: Side, action: str, contract: Contract, form: forms.Form) -> Any:
    user: Any = request.user
    data = form.cleaned_data
    version: Any = data.get("version")
    party = side.party
    if action == "terms":
        return services.contract_edit(
            actor=user,
            contract=contract,
            title=data["title"],
            term_start=data.get("term_start"),
            term_end=data.get("term_end"),
            expected_version=version,
        )
    if action == "comment":
        return services.contract_comment(actor=user, contract=contract, side=party, note=data["note"])
    if action == "sign":
        return services.contract_sign(actor=user, contract=contract, side=party, expected_version=version)
    if action == "reopen":
        return services.contract_reopen(
            actor=user, contract=contract, side=party, reason=data.get("reason", ""), expected_version=version
        )
    if action == "cancel":
        return services.contract_cancel(
            actor=user, contract=contract, reason=data.get("reason", ""), expected_version=version
        )
    if action == "publish":
        return services.contract_publish(actor=user, contract=contract, expected_version=version)
    if action == "start_evaluation":
        return services.contract_start_evaluation(
            actor=user, contract=contract, reason=data.get("reason", ""), expected_version=version
        )
    if action == "close":
        return services.contract_close(
            actor=user, contract=contract, reason=data.get("reason", ""), expected_version=version
        )
    if action == "renew":
        return services.contract_renew(actor=user, contract=contract)
    raise AssertionError(action)


class ClauseRemoveForm(VersionForm):
    clause = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


DONE = {
    "terms": gettext_lazy("The terms are saved."),
    "comment": gettext_lazy("Your comment is added."),
    "sign": gettext_lazy("Signed."),
    "reopen": gettext_lazy("The signature is withdrawn; the contract is under negotiation again."),
    "cancel": gettext_lazy("The negotiation is abandoned."),
    "publish": gettext_lazy("The contract is published on the community's board."),
    "start_evaluation": gettext_lazy("The evaluation has started."),
    "close": gettext_lazy("The contract is closed."),
    "renew": gettext_lazy("The renewal is drafted; check its clauses and term."),
    "remove_clause": gettext_lazy("The clause is removed."),
}


def contract_page(
    request: HttpRequest,
    pk: int,
    *,
    side: Side,
    find: Callable[[int], Contract],
    more_context: Callable[[Contract], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A contract with its clauses, performance, scores and history, and the forms of the moves the user may make."""
    user: Any = request.user
    contract = find(pk)
    failed: forms.Form | None = None
    failed_action = ""
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "remove_clause":
            form: forms.Form = ClauseRemoveForm(request.POST, prefix=action)
            status, refusal = perform(
                form,
                lambda: services.clause_remove(
                    actor=user,
                    contract=contract,
                    clause=form.cleaned_data["clause"],
                    side=side.party,
                    expected_version=form.cleaned_data["version"],
                ),
            )
            if status == 400 and not refusal:
                refusal = "; ".join(str(message) for errors in form.errors.values() for message in errors)
        elif action in ACTION_FORMS:
            # Also a move the page did not offer (a forged or stale form): the services say why it is refused.
            form = ACTION_FORMS[action](request.POST, prefix=action)
            result: list[Any] = []
            status, refusal = perform(form, lambda: result.append(_move(request, side, action, contract, form)))
            if status == 0 and action == "renew":
                messages.success(request, str(DONE[action]))
                return redirect(side.url("detail"), pk=result[0].pk)
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        if status == 0:
            messages.success(request, str(DONE[action]))
            return redirect(side.url("detail"), pk=contract.pk)
        failed, failed_action = form, action
        contract = find(pk)
    action_forms: dict[str, forms.Form] = {}
    for action in allowed_actions(user, contract, side):
        if failed is not None and failed_action == action and not refusal:
            action_forms[action] = failed
        else:
            action_forms[action] = ACTION_FORMS[action](prefix=action, initial=_initial(action, contract))
    flow = set(CONTRACT_FLOW.allowed(contract.state))
    acts = services.acts_for(user=user, contract=contract, side=side.party)
    unmasked = side.audience == "staff" and services.contract_personal_data_visible(user=user, contract=contract)
    context = {
        "side": side,
        "contract": contract,
        "rows": selectors.clause_rows(contract),
        "scores": selectors.contract_scores(contract),
        "evaluated": selectors.evaluation_of(contract, side.party) is not None,
        "timeline": selectors.contract_timeline(contract=contract, audience=side.audience, unmasked=unmasked),
        "signers": {
            "community": selectors.signer_label(contract, ContractParty.COMMUNITY, audience=side.audience),
            "unit": selectors.signer_label(contract, ContractParty.UNIT, audience=side.audience, unmasked=unmasked),
        },
        "renewal": services.renewal_of(contract),
        "forms": action_forms,
        "may_add_clause": acts and ContractAction.ADD_CLAUSE in flow,
        "may_edit_clause": acts and side.party == ContractParty.COMMUNITY and ContractAction.EDIT_CLAUSE in flow,
        "may_remove_clause": acts and ContractAction.REMOVE_CLAUSE in flow,
        "may_perform": acts and ContractAction.PERFORM in flow,
        "may_evaluate": acts
        and ContractAction.EVALUATE in flow
        and selectors.evaluation_of(contract, side.party) is None,
        "sign_problems": services.sign_errors(contract, today=timezone.localdate()) if "sign" in action_forms else [],
        "refusal": refusal,
        "public": contract.state in PUBLIC_STATES,
        "breadcrumbs": crumbs(side, None, contract.number),
        **(more_context(contract) if more_context is not None else {}),
    }
    return render(request, "contracts/detail.html", context, status=status or 200)


# --- a clause: draft, change, perform ---------------------------------------------------------------------------------


def _acting(request: HttpRequest, contract: Contract, side: Side) -> None:
    """The form pages are for those who act for the side (others who may see the contract get 403)."""
    if not services.acts_for(user=request.user, contract=contract, side=side.party):
        raise PermissionDenied


def clause_page(
    request: HttpRequest, pk: int, *, side: Side, find: Callable[[int], Contract], clause_pk: int | None = None
) -> HttpResponse:
    """Draft (or propose) a clause, or change one (the community), while negotiating."""
    user: Any = request.user
    contract = find(pk)
    _acting(request, contract, side)
    clause = Clause.objects.filter(contract=contract, pk=clause_pk).first() if clause_pk is not None else None
    if clause_pk is not None and clause is None:
        raise Http404
    initial: dict[str, Any] = {"version": contract.version, "done_by": side.party}
    if clause is not None:
        initial.update(ClauseForm.initial_of(clause))
    form = ClauseForm(request.POST or None, initial=initial)
    status = 200
    refusal = ""
    if request.method == "POST":

        def move() -> Any:
            if clause is None:
                return services.clause_add(
                    actor=user,
                    contract=contract,
                    side=side.party,
                    values=form.values(),
                    expected_version=form.cleaned_data["version"],
                )
            return services.clause_edit(
                actor=user,
                contract=contract,
                clause=clause,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
            )

        status, refusal = perform(form, move)
        if status == 0:
            messages.success(request, _("The clause is saved."))
            return redirect(side.url("detail"), pk=contract.pk)
    return render(
        request,
        "contracts/clause_form.html",
        {
            "side": side,
            "contract": contract,
            "clause": clause,
            "form": form,
            "refusal": refusal,
            "breadcrumbs": crumbs(side, contract, _("Clause")),
            "heading": _("Change clause %(position)d") % {"position": clause.position}
            if clause is not None
            else (_("Propose a clause") if side.party == ContractParty.UNIT else _("Add a clause")),
        },
        status=status or 200,
    )


def perform_page(
    request: HttpRequest, pk: int, clause_pk: int, *, side: Side, find: Callable[[int], Contract]
) -> HttpResponse:
    """履约: record the performance of a clause the side is responsible for, with evidence."""
    user: Any = request.user
    contract = find(pk)
    _acting(request, contract, side)
    clause = Clause.objects.filter(contract=contract, pk=clause_pk).first()
    if clause is None:
        raise Http404
    form = PerformForm(request.POST or None, request.FILES or None, initial={"performed_on": timezone.localdate()})
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal = perform(
            form,
            lambda: services.clause_perform(
                actor=user,
                contract=contract,
                clause=clause,
                side=side.party,
                performed_on=form.cleaned_data["performed_on"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data.get("evidence") or [],
                completes=bool(form.cleaned_data.get("completes")),
            ),
        )
        if status == 0:
            messages.success(
                request, _("The performance of clause %(position)d is recorded.") % {"position": clause.position}
            )
            return redirect(side.url("detail"), pk=contract.pk)
    row = next(row for row in selectors.clause_rows(contract) if row.clause.pk == clause.pk)
    return render(
        request,
        "contracts/perform.html",
        {
            "side": side,
            "contract": contract,
            "row": row,
            "form": form,
            "refusal": refusal,
            "breadcrumbs": crumbs(side, contract, _("Record performance")),
        },
        status=status or 200,
    )


def evaluate_page(request: HttpRequest, pk: int, *, side: Side, find: Callable[[int], Contract]) -> HttpResponse:
    """评约 of the side: the whole and each clause, 0–100, once."""
    user: Any = request.user
    contract = find(pk)
    _acting(request, contract, side)
    clauses = list(Clause.objects.filter(contract=contract).order_by("position", "id"))
    form = EvaluateForm(request.POST or None, clauses=clauses)
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal = perform(
            form,
            lambda: services.contract_evaluate(
                actor=user,
                contract=contract,
                side=side.party,
                score=form.cleaned_data["score"],
                clause_scores=form.clause_scores(),
                comment=form.cleaned_data.get("comment", ""),
            ),
        )
        if status == 0:
            messages.success(request, _("Your evaluation is saved."))
            return redirect(side.url("detail"), pk=contract.pk)
    return render(
        request,
        "contracts/evaluate.html",
        {
            "side": side,
            "contract": contract,
            "pairs": [
                (row, form[f"clause_{row.clause.pk}"]) for row in selectors.clause_rows(contract, with_records=False)
            ],
            "form": form,
            "refusal": refusal,
            "evaluation": selectors.evaluation_of(contract, side.party),
            "breadcrumbs": crumbs(side, contract, _("Evaluate")),
        },
        status=status or 200,
    )
