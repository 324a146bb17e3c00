"""Staff pages of the results of star ratings (评定结果), at /staff/ratings/results/: the index of rounds with their
share at the goal, a round's league table, its shares of stars against the year's goal (overall and by street), a
secretaries' round's pay grades by stars (以星定酬), the star history of a kind of target across rounds, one target's
history, and an Excel workbook of each.

Reads only, through ``ratings.results`` (VIEW_RATINGS, scoped by place: a target outside the user's scope is 404).
A filter that is wrong is shown beside its field and ignored on a page; an export refuses it with 400 naming the field,
since a file cannot show the error. An export with a secretary's name unmasked is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.audit.services import audit_record
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place
from gridwork.ratings import results
from gridwork.ratings.exports import history_xlsx, league_xlsx, pay_xlsx, shares_xlsx
from gridwork.ratings.models import Round
from gridwork.ratings.selectors import round_get
from gridwork.schemes.models import TargetKind

# --- filters --------------------------------------------------------------------------------------------------------


class UnderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class ResultsFilterForm(forms.Form):
    """Narrow a round's results to a unit (a district or street in the user's scope); the league table may show only
    the targets whose stars are set."""

    under = UnderField(
        label=gettext_lazy("Within"), queryset=Place.objects.none(), required=False, empty_label=gettext_lazy("All")
    )
    final = forms.BooleanField(label=gettext_lazy("Stars set only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        under = self.fields["under"]
        assert isinstance(under, forms.ModelChoiceField)
        under.queryset = results.under_choices(user=user)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-select form-select-sm"
            field.widget.attrs.setdefault("class", css)


class HistoryFilterForm(ResultsFilterForm):
    kind = forms.ChoiceField(label=gettext_lazy("Targets"), choices=TargetKind.choices, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["final"]
        self.fields["kind"].widget.attrs.setdefault("class", "form-select form-select-sm")
        self.order_fields(["kind", "under"])


def _bind(request: HttpRequest, form_class: type[ResultsFilterForm]) -> tuple[ResultsFilterForm, dict[str, Any]]:
    """The filter form, bound when the query names any of its fields, and its valid values (the wrong ones dropped:
    the page shows their errors)."""
    bound = any(request.GET.get(name) for name in form_class.base_fields)
    form = form_class(request.GET if bound else None, user=request.user)
    if not bound:
        return form, {}
    if form.is_valid():
        return form, dict(form.cleaned_data)
    return form, {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def _refusal(form: forms.Form) -> HttpResponse:
    text = "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Star ratings"), "url": reverse("ratings:round-list")},
        {"label": _("Results"), "url": reverse("ratings:results")},
        *extra,
    ]


def _round_crumbs(round_: Round, label: str) -> list[dict[str, str]]:
    return _crumbs(
        {"label": round_.name, "url": reverse("ratings:results-league", args=[round_.pk])}, {"label": label, "url": ""}
    )


def _about(request: HttpRequest, round_: Round | None, values: dict[str, Any]) -> list[tuple[str | Promise, Any]]:
    user: Any = request.user
    lines: list[tuple[str | Promise, Any]] = []
    if round_ is not None:
        lines += [
            (gettext_lazy("Round"), round_.name),
            (gettext_lazy("Scheme"), f"{round_.scheme_version.scheme.name} v{round_.scheme_version.number}"),
            (gettext_lazy("Period"), f"{round_.period_start:%Y-%m-%d} – {round_.period_end:%Y-%m-%d}"),
            (
                gettext_lazy("The year's goal"),
                _("%(share)s %% of targets at %(stars)d stars or more")
                % {"share": round_.star_goal, "stars": round_.goal_stars},
            ),
        ]
    if values.get("kind"):
        lines.append((gettext_lazy("Targets"), str(TargetKind(values["kind"]).label)))
    if values.get("under") is not None:
        lines.append((gettext_lazy("Within"), values["under"].name))
    if values.get("final"):
        lines.append((gettext_lazy("Stars set only"), _("Yes")))
    lines += [(gettext_lazy("Exported at"), timezone.now()), (gettext_lazy("Exported by"), str(user))]
    return lines


def _audit_unmasked(request: HttpRequest, *, export: str, rows: int, unmasked: int, round_: Round | None) -> None:
    if not unmasked:
        return
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="ratings.results_export_unmasked",
            target=round_,
            detail={"export": export, "rows": rows, "unmasked": unmasked},
            request=request,
        )


def _download(content: bytes, *, slug: str, title: str) -> HttpResponse:
    today = timezone.localdate()
    return xlsx_response(content, ascii_name=f"{slug}-{today:%Y%m%d}.xlsx", display_name=f"{title}-{today:%Y%m%d}.xlsx")


# --- pages ----------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def index_view(request: HttpRequest) -> HttpResponse:
    """评定结果: every round with the share of the user's targets at the goal's stars against the goal."""
    user: Any = request.user
    lines = [
        (round_, results.star_shares(user=user, round_=round_).whole)
        for round_ in results.round_results_list(user=user)
    ]
    return render(
        request,
        "ratings/results/index.html",
        {"lines": lines, "breadcrumbs": [*_crumbs()[:1], {"label": _("Results"), "url": ""}]},
    )


def _round_context(round_: Round, form: forms.Form, active: str) -> dict[str, Any]:
    return {
        "round": round_,
        "form": form,
        "active": active,
        "is_secretary_round": results.round_kind(round_) == TargetKind.SECRETARY,
    }


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def league_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's league table: rank, target, the total at the deciding level, stars, vetoes."""
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    table = results.league_table(
        user=user, round_=round_, under=values.get("under"), final_only=bool(values.get("final"))
    )
    return render(
        request,
        "ratings/results/league.html",
        {
            **_round_context(round_, form, "league"),
            "table": table,
            "export_query": request.GET.urlencode(),
            "breadcrumbs": _round_crumbs(round_, _("League table")),
        },
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def league_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    if form.errors:
        return _refusal(form)
    table = results.league_table(
        user=user, round_=round_, under=values.get("under"), final_only=bool(values.get("final"))
    )
    content = league_xlsx(table, about=_about(request, round_, values))
    _audit_unmasked(
        request,
        export="league",
        rows=len(table.rows),
        unmasked=sum(1 for row in table.rows if row.unmasked),
        round_=round_,
    )
    return _download(content, slug=f"league-table-{round_.pk}", title=f"{round_.name}-{_('League table')}")


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def stars_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's shares of targets at each number of stars, and the share at the goal's stars against the goal,
    overall and by street."""
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    del form.fields["final"]
    shares = results.star_shares(user=user, round_=round_, under=values.get("under"))
    return render(
        request,
        "ratings/results/stars.html",
        {
            **_round_context(round_, form, "stars"),
            "shares": shares,
            "export_query": request.GET.urlencode(),
            "breadcrumbs": _round_crumbs(round_, _("Stars against the goal")),
        },
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def stars_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    if form.errors:
        return _refusal(form)
    shares = results.star_shares(user=user, round_=round_, under=values.get("under"))
    content = shares_xlsx(shares, about=_about(request, round_, values))
    return _download(content, slug=f"star-shares-{round_.pk}", title=f"{round_.name}-{_('Stars against the goal')}")


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def pay_view(request: HttpRequest, pk: int) -> HttpResponse:
    """以星定酬: a secretaries' round's pay grades by stars, beside the grades held now."""
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    del form.fields["final"]
    rows = results.pay_table(user=user, round_=round_, under=values.get("under"))
    return render(
        request,
        "ratings/results/pay.html",
        {
            **_round_context(round_, form, "pay"),
            "rows": rows,
            "export_query": request.GET.urlencode(),
            "breadcrumbs": _round_crumbs(round_, _("Pay grades by stars")),
        },
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def pay_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round_ = round_get(user=user, pk=pk)
    form, values = _bind(request, ResultsFilterForm)
    if form.errors:
        return _refusal(form)
    rows = results.pay_table(user=user, round_=round_, under=values.get("under"))
    content = pay_xlsx(rows, about=_about(request, round_, values))
    _audit_unmasked(
        request, export="pay", rows=len(rows), unmasked=sum(1 for row in rows if row.unmasked), round_=round_
    )
    return _download(content, slug=f"pay-by-stars-{round_.pk}", title=f"{round_.name}-{_('Pay grades by stars')}")


def _history(request: HttpRequest) -> tuple[ResultsFilterForm, dict[str, Any], results.StarHistory]:
    form, values = _bind(request, HistoryFilterForm)
    kind = values.get("kind") or TargetKind.COMMUNITY
    values["kind"] = kind
    history = results.star_history(user=request.user, kind=kind, under=values.get("under"))
    return form, values, history


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def history_view(request: HttpRequest) -> HttpResponse:
    """The stars of every target of a kind across its rounds, side by side."""
    form, values, history = _history(request)
    return render(
        request,
        "ratings/results/history.html",
        {
            "form": form,
            "history": history,
            "kind_label": TargetKind(values["kind"]).label,
            "export_query": request.GET.urlencode(),
            "breadcrumbs": _crumbs({"label": _("Star history"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def history_export_view(request: HttpRequest) -> HttpResponse:
    form, values, history = _history(request)
    if form.errors:
        return _refusal(form)
    content = history_xlsx(history, about=_about(request, None, values))
    _audit_unmasked(
        request,
        export="history",
        rows=len(history.rows),
        unmasked=sum(1 for row in history.rows if row.unmasked),
        round_=None,
    )
    return _download(
        content, slug=f"star-history-{values['kind']}", title=f"{_('Star history')}-{TargetKind(values['kind']).label}"
    )


@staff_view(Perm.VIEW_RATINGS)
@require_GET
def target_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One target's stars across the rounds of its kind: each acceptance, higher review and lowering, with reasons."""
    history = results.target_history(user=request.user, pk=pk)
    return render(
        request,
        "ratings/results/target.html",
        {
            "history": history,
            "breadcrumbs": _crumbs(
                {"label": _("Star history"), "url": f"{reverse('ratings:results-history')}?kind={history.target.kind}"},
                {"label": history.label, "url": ""},
            ),
        },
    )
