"""A resident unit's contacts' pages of the contracts, at /unit/contracts/: the unit's side of 谈约, 签约,
履约 and 评约."""

from django.urls import URLPattern, path

from gridwork.contracts.views import unit

app_name = "unit_contracts"
urlpatterns: list[URLPattern] = [
    path("", unit.list_view, name="list"),
    path("<int:pk>/", unit.detail_view, name="detail"),
    path("<int:pk>/clauses/new/", unit.clause_new_view, name="clause-new"),
    path("<int:pk>/clauses/<int:clause_pk>/perform/", unit.perform_view, name="clause-perform"),
    path("<int:pk>/evaluate/", unit.evaluate_view, name="evaluate"),
    path("<int:pk>/evidence/<int:evidence_pk>/", unit.evidence_view, name="evidence"),
]
