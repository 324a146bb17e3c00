"""Staff pages of the contracts, at /staff/contracts/: list, export, start, a contract and its clauses, performance,
evaluation, evidence, and a clause from a match of the three lists."""

from django.urls import URLPattern, path

from gridwork.contracts.views import staff

app_name = "contracts"
urlpatterns: list[URLPattern] = [
    path("", staff.list_view, name="list"),
    path("new/", staff.new_view, name="new"),
    path("export/", staff.export_view, name="export"),
    path("from-match/<int:match_pk>/", staff.from_match_view, name="clause-from-match"),
    path("<int:pk>/", staff.detail_view, name="detail"),
    path("<int:pk>/clauses/new/", staff.clause_new_view, name="clause-new"),
    path("<int:pk>/clauses/<int:clause_pk>/", staff.clause_edit_view, name="clause-edit"),
    path("<int:pk>/clauses/<int:clause_pk>/perform/", staff.perform_view, name="clause-perform"),
    path("<int:pk>/evaluate/", staff.evaluate_view, name="evaluate"),
    path("<int:pk>/evidence/<int:evidence_pk>/", staff.evidence_view, name="evidence"),
]
