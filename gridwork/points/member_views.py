"""A member's points, mobile pages at /member/points/: the balance and points earned in all, the ledger (newest
first), the rewards offered to the member's community, asking for one, and the member's requests (withdraw one
while it waits).

Every page is the signed-in member's own (``member_view`` gives ``request.member``): a request is always made for
``request.member``, whatever the form says, and another member's request is not found.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.pagination import paginate
from gridwork.party.access import member_view
from gridwork.points import exchanges as exchange_services
from gridwork.points import selectors
from gridwork.points.flows import EVENT_LABELS, EXCHANGE_FLOW, ExchangeAction
from gridwork.points.forms import VersionForm
from gridwork.points.models import Exchange, ExchangeState, Reward

LEDGER_PAGE_SIZE = 20
OPEN_SHOWN = 5


def _member(request: HttpRequest) -> Any:
    return request.member  # type: ignore[attr-defined]


@member_view
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """我的积分: balance, earned in all, the requests waiting, and the ledger."""
    member = _member(request)
    page, query = paginate(request, selectors.member_ledger(member=member), per_page=LEDGER_PAGE_SIZE)
    waiting = list(selectors.member_exchanges(member=member).filter(state=ExchangeState.REQUESTED)[:OPEN_SHOWN])
    return render(
        request,
        "points/member/home.html",
        {
            "balance": selectors.member_balance(member=member),
            "page_obj": page,
            "query": query,
            "waiting": waiting,
            "reward_count": selectors.rewards_for_member(member=member).count(),
        },
    )


def _reward_rows(rewards: list[Reward], balance: int) -> list[dict[str, Any]]:
    return [
        {
            "reward": reward,
            "out_of_stock": reward.stock == 0,
            "short": max(reward.cost - balance, 0),
        }
        for reward in rewards
    ]


@member_view
@require_GET
def rewards_view(request: HttpRequest) -> HttpResponse:
    """The rewards offered to my community, by cost; which I can have now."""
    member = _member(request)
    balance = selectors.member_balance(member=member)
    rewards = list(selectors.rewards_for_member(member=member))
    return render(
        request,
        "points/member/rewards.html",
        {"balance": balance, "rows": _reward_rows(rewards, balance.balance)},
    )


@member_view
@require_http_methods(["GET", "POST"])
def reward_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One reward and the request form (a confirmation button); the request is always the signed-in member's."""
    member = _member(request)
    reward = selectors.reward_for_member_get(member=member, pk=pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            exchange_services.exchange_request(actor=request.user, member=member, reward=reward)
        except ValidationError as refused:
            error, status = " ".join(refused.messages), 400
        else:
            messages.success(
                request,
                _("Your request for “%(reward)s” is sent. The community will answer it.") % {"reward": reward.name},
            )
            return redirect("member_points:exchanges")
    balance = selectors.member_balance(member=member)
    [row] = _reward_rows([reward], balance.balance)
    return render(
        request,
        "points/member/reward.html",
        {"balance": balance, "row": row, "reward": reward, "error": error},
        status=status,
    )


def _exchange_rows(exchanges: list[Exchange]) -> list[dict[str, Any]]:
    rows = []
    for exchange in exchanges:
        rows.append(
            {
                "exchange": exchange,
                "may_withdraw": ExchangeAction.WITHDRAW in EXCHANGE_FLOW.allowed(exchange.state),
                "events": [
                    {"label": EVENT_LABELS.get(event.action, event.action), "at": event.at, "note": event.note}
                    for event in exchange.events.all()
                ],
            }
        )
    return rows


def _exchanges(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    member = _member(request)
    page, query = paginate(
        request, selectors.member_exchanges(member=member).prefetch_related("events"), per_page=LEDGER_PAGE_SIZE
    )
    return render(
        request,
        "points/member/exchanges.html",
        {
            "rows": _exchange_rows(list(page)),
            "page_obj": page,
            "query": query,
            "refusal": refusal,
            "balance": selectors.member_balance(member=member),
        },
        status=status,
    )


@member_view
@require_GET
def exchanges_view(request: HttpRequest) -> HttpResponse:
    """My exchange requests: those waiting first, with what the community answered."""
    return _exchanges(request)


@member_view
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = selectors.member_exchange_get(member=_member(request), pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _exchanges(request, refusal=_("The page's version is missing. Reload the page."), status=400)
    try:
        exchange_services.exchange_withdraw(
            actor=request.user, exchange=exchange, expected_version=form.cleaned_data["expected_version"]
        )
    except (StaleState, MoveRefused) as refused:
        return _exchanges(request, refusal=str(refused), status=409)
    messages.success(request, _("Your request is withdrawn."))
    return redirect("member_points:exchanges")
