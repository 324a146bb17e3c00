"""Staff pages of points, at /staff/points/: the rules (list, make, end, delete an unused one), the rewards catalogue
(scoped list, make, edit, withdraw), the queue of exchange requests (approve, reject with a reason), and members'
accounts (list, ledger, Excel export).

Lists and details need VIEW_PARTY and show only what lies under the user's posts (the selectors); writing needs
MANAGE_PARTY, and the services check the scope of each object (rules: a city post). A refused move shows its message
(409 when someone decided first, or the points or stock ran out); bad input shows beside its field (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place
from gridwork.points import exchanges as exchange_services
from gridwork.points import rewards as reward_services
from gridwork.points import rules as rule_services
from gridwork.points import selectors
from gridwork.points.exports import XLSX_TYPE, accounts_xlsx
from gridwork.points.flows import EVENT_LABELS, EXCHANGE_FLOW, ExchangeAction
from gridwork.points.forms import DecisionForm, RewardForm, RuleEndForm, RuleForm
from gridwork.points.models import ExchangeState, PointRule, Reward

LEDGER_PAGE_SIZE = 50
ACCOUNTS_PAGE_SIZE = 100


def _crumbs(*items: tuple[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "url": url} for label, url in items]


def _rules_crumb() -> tuple[str, str]:
    return (_("Points rules"), reverse("points:rule-list"))


def _rewards_crumb() -> tuple[str, str]:
    return (_("Rewards"), reverse("points:reward-list"))


# --- rules ------------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def rule_list_view(request: HttpRequest) -> HttpResponse:
    """The rules, by basis: which is in force today, which are to come, which have ended."""
    today = timezone.localdate()
    return render(
        request,
        "points/staff/rule_list.html",
        {
            "rules": selectors.point_rule_list(),
            "today": today,
            "may_manage": selectors.point_rules_may_manage(user=request.user),
            "breadcrumbs": _crumbs((_("Points rules"), "")),
        },
    )


def _require_rule_manager(request: HttpRequest) -> None:
    if not selectors.point_rules_may_manage(user=request.user):
        raise PermissionDenied(_("Points rules are set by the city's staff."))


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def rule_create_view(request: HttpRequest) -> HttpResponse:
    _require_rule_manager(request)
    status = 200
    if request.method == "POST":
        form = RuleForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                rule = rule_services.point_rule_create(
                    actor=request.user,
                    basis=data["basis"],
                    points=data["points"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    note=data["note"],
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(
                    request,
                    _("The rule is made: %(points)d points %(span)s.")
                    % {"points": rule.points, "span": rule_services.rule_span(rule)},
                )
                return redirect("points:rule-list")
    else:
        form = RuleForm(initial={"valid_from": timezone.localdate()})
    return render(
        request,
        "points/staff/rule_form.html",
        {"form": form, "breadcrumbs": _crumbs(_rules_crumb(), (_("New rule"), ""))},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def rule_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_rule_manager(request)
    rule = selectors.point_rule_get(pk)
    status = 200
    if request.method == "POST":
        form = RuleEndForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                rule_services.point_rule_end(actor=request.user, rule=rule, valid_to=form.cleaned_data["valid_to"])
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("The rule now ends on %(day)s.") % {"day": form.cleaned_data["valid_to"]})
                return redirect("points:rule-list")
    else:
        form = RuleEndForm(initial={"valid_to": rule.valid_to or timezone.localdate()})
    return render(
        request,
        "points/staff/rule_end.html",
        {
            "rule": rule,
            "span": rule_services.rule_span(rule),
            "last_paid": rule_services.point_rule_last_paid_day(rule),
            "form": form,
            "breadcrumbs": _crumbs(_rules_crumb(), (_("End a rule"), "")),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_rule_manager(request)
    rule: PointRule = selectors.point_rule_get(pk)
    try:
        rule_services.point_rule_delete(actor=request.user, rule=rule)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("The rule is deleted."))
    return redirect("points:rule-list")


# --- rewards ----------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def reward_list_view(request: HttpRequest) -> HttpResponse:
    """The rewards offered by the user's units (editable where they hold MANAGE_PARTY), and those their communities
    get from above (read-only)."""
    show_withdrawn = request.GET.get("withdrawn") == "1"
    rewards = list(selectors.reward_list(user=request.user, show_withdrawn=show_withdrawn))
    return render(
        request,
        "points/staff/reward_list.html",
        {
            "own": [reward for reward in rewards if not getattr(reward, "from_above", False)],
            "above": [reward for reward in rewards if getattr(reward, "from_above", False)],
            "show_withdrawn": show_withdrawn,
            "may_create": selectors.reward_places(user=request.user).exists(),
            "breadcrumbs": _crumbs((_("Rewards"), "")),
        },
    )


def _reward_values(form: RewardForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "cost": data["cost"],
        "stock": data["stock"],
    }


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def reward_create_view(request: HttpRequest) -> HttpResponse:
    places = selectors.reward_places(user=request.user)
    status = 200
    if request.method == "POST":
        form = RewardForm(request.POST, places=places)
        status = 400
        if form.is_valid():
            place = places.filter(code=form.cleaned_data["place"]).first()
            if place is None:
                form.add_error("place", _("Choose a place from the list."))
            else:
                try:
                    reward = reward_services.reward_create(actor=request.user, place=place, **_reward_values(form))
                except ValidationError as invalid:
                    add_service_errors(form, invalid)
                else:
                    messages.success(request, _("“%(reward)s” is offered.") % {"reward": reward.name})
                    return redirect("points:reward-list")
    else:
        only = places[:2]
        form = RewardForm(places=places, initial={"place": only[0].code if len(only) == 1 else ""})
    return render(
        request,
        "points/staff/reward_form.html",
        {"form": form, "reward": None, "breadcrumbs": _crumbs(_rewards_crumb(), (_("New reward"), ""))},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def reward_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    reward: Reward = selectors.reward_get_to_manage(user=request.user, pk=pk)
    status = 200
    if request.method == "POST":
        form = RewardForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                reward_services.reward_update(
                    actor=request.user,
                    reward=reward,
                    stock_was=form.cleaned_data["stock_was"],
                    **_reward_values(form),
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
                reward.refresh_from_db()
                data = request.POST.copy()
                data["stock_was"] = "" if reward.stock is None else str(reward.stock)
                form.data = data
            else:
                messages.success(request, _("“%(reward)s” is saved.") % {"reward": reward.name})
                return redirect("points:reward-list")
    else:
        form = RewardForm(
            initial={
                "name": reward.name,
                "description": reward.description,
                "cost": reward.cost,
                "stock": reward.stock,
                "stock_was": "" if reward.stock is None else str(reward.stock),
            }
        )
    return render(
        request,
        "points/staff/reward_form.html",
        {"form": form, "reward": reward, "breadcrumbs": _crumbs(_rewards_crumb(), (reward.name, ""))},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def reward_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_get_to_manage(user=request.user, pk=pk)
    reward_services.reward_withdraw(actor=request.user, reward=reward)
    messages.success(
        request,
        _("“%(reward)s” is no longer offered; its open requests are rejected.") % {"reward": reward.name},
    )
    return redirect("points:reward-list")


# --- exchanges --------------------------------------------------------------------------------------------------------


def _state_filter(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in ExchangeState.values else ""


@staff_view(Perm.VIEW_PARTY)
@require_GET
def exchange_list_view(request: HttpRequest) -> HttpResponse:
    """The queue: requests waiting for a decision first (as they came), then the decided ones."""
    state = _state_filter(request)
    page, query = paginate(request, selectors.exchange_queue(user=request.user, state=state))
    return render(
        request,
        "points/staff/exchange_list.html",
        {
            "page_obj": page,
            "query": query,
            "states": ExchangeState.choices,
            "state": state,
            "breadcrumbs": _crumbs((_("Exchange requests"), "")),
        },
    )


def _decide(request: HttpRequest, exchange: Any) -> tuple[int, str, DecisionForm | None]:
    """Apply the posted decision; (0, "", None) when done, else the status, the refusal and the form with errors."""
    action = request.POST.get("action", "")
    form = DecisionForm(request.POST)
    if action not in (ExchangeAction.APPROVE, ExchangeAction.REJECT) or not form.is_valid():
        return 400, _("The page's version is missing. Reload the page."), None
    version = form.cleaned_data["expected_version"]
    try:
        if action == ExchangeAction.APPROVE:
            exchange_services.exchange_approve(actor=request.user, exchange=exchange, expected_version=version)
        else:
            exchange_services.exchange_reject(
                actor=request.user, exchange=exchange, reason=form.cleaned_data["reason"], expected_version=version
            )
    except (StaleState, MoveRefused, exchange_services.ExchangeRefused) as refused:
        return 409, str(refused), None
    except ValidationError as invalid:
        add_service_errors(form, invalid)
        return 400, "", form
    return 0, "", None


def _events(events: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": EVENT_LABELS.get(event.action, event.action),
            "at": event.at,
            "who": event.actor_name,
            "note": event.note,
        }
        for event in events
    ]


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def exchange_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: who asked for what, the member's balance now, its events, and approve / reject."""
    exchange = selectors.exchange_get(user=request.user, pk=pk)
    status, refusal, failed = 200, "", None
    if request.method == "POST":
        status, refusal, failed = _decide(request, exchange)
        if status == 0:
            messages.success(
                request, _("The request is now “%(state)s”.") % {"state": EXCHANGE_FLOW.state_label(exchange.state)}
            )
            return redirect("points:exchange-detail", pk=exchange.pk)
        exchange = selectors.exchange_get(user=request.user, pk=pk)
    member = exchange.account.member
    may_decide = exchange_services.exchange_may_decide(user=request.user, exchange=exchange)
    allowed = EXCHANGE_FLOW.allowed(exchange.state) if may_decide else []
    return render(
        request,
        "points/staff/exchange_detail.html",
        {
            "exchange": exchange,
            "member": member,
            "account": exchange.account,
            "events": _events(selectors.exchange_events(exchange)),
            "form": failed if failed is not None else DecisionForm(initial={"expected_version": exchange.version}),
            "refusal": refusal,
            "may_approve": ExchangeAction.APPROVE in allowed,
            "may_reject": ExchangeAction.REJECT in allowed,
            "breadcrumbs": _crumbs(
                (_("Exchange requests"), reverse("points:exchange-list")), (_("Exchange request"), "")
            ),
        },
        status=status,
    )


# --- accounts ---------------------------------------------------------------------------------------------------------


def _accounts_filter(request: HttpRequest) -> tuple[list[Place], Place | None, str]:
    communities = list(selectors.account_communities(user=request.user))
    code = request.GET.get("community", "")
    order = "balance" if request.GET.get("order") == "balance" else ""
    return communities, next((c for c in communities if c.code == code), None), order


@staff_view(Perm.VIEW_PARTY)
@require_GET
def account_list_view(request: HttpRequest) -> HttpResponse:
    """The members of the user's communities with their balance and points earned in all."""
    communities, community, order = _accounts_filter(request)
    members = selectors.account_list(user=request.user, community=community, order=order)
    page, query = paginate(request, members, per_page=ACCOUNTS_PAGE_SIZE)
    return render(
        request,
        "points/staff/account_list.html",
        {
            "page_obj": page,
            "query": query,
            "communities": communities,
            "community": community.code if community else "",
            "order": order,
            "total": page.paginator.count,
            "breadcrumbs": _crumbs((_("Points accounts"), "")),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def account_export_view(request: HttpRequest) -> HttpResponse:
    """The accounts of the page's filter as an .xlsx; an export with unmasked names is audited."""
    _communities, community, order = _accounts_filter(request)
    members = selectors.account_list(user=request.user, community=community, order=order)
    about: list[tuple[str, Any]] = [
        (_("Community"), community.name if community else _("All my communities")),
        (_("Exported at"), timezone.now()),
        (_("Exported by"), str(request.user)),
    ]
    workbook = accounts_xlsx(members.iterator(chunk_size=2000), about=about)
    if workbook.unmasked:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="point_account.export_unmasked",
                detail={
                    "rows": workbook.rows,
                    "unmasked": workbook.unmasked,
                    "community": community.code if community else "",
                },
                request=request,
            )
    today = timezone.localdate()
    response = HttpResponse(workbook.content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="points-accounts-{today:%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(Perm.VIEW_PARTY)
@require_GET
def account_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's account: balance, earned, and the ledger, newest first."""
    member = selectors.account_get(user=request.user, pk=pk)
    page, query = paginate(request, selectors.member_ledger(member=member), per_page=LEDGER_PAGE_SIZE)
    return render(
        request,
        "points/staff/account_detail.html",
        {
            "member": member,
            "page_obj": page,
            "query": query,
            "exchanges": selectors.member_exchanges(member=member)[:20],
            "breadcrumbs": _crumbs((_("Points accounts"), reverse("points:account-list")), (_("Account"), "")),
        },
    )
