"""The dispute cases' pages (/staff/mediation/cases/…), spliced into ``mediation.urls``."""

from django.urls import URLPattern, path

from gridwork.mediation.views import cases

urlpatterns: list[URLPattern] = [
    path("cases/", cases.case_list_view, name="case-list"),
    path("cases/new/", cases.case_create_view, name="case-create"),
    path("cases/<int:pk>/", cases.case_detail_view, name="case-detail"),
    path("cases/<int:pk>/assign/", cases.case_assign_view, name="case-assign"),
    path("cases/<int:pk>/recuse/", cases.case_recuse_view, name="case-recuse"),
    path("cases/<int:pk>/session/", cases.case_session_view, name="case-session"),
    path("cases/<int:pk>/conclude/", cases.case_conclude_view, name="case-conclude"),
    path("cases/<int:pk>/close/", cases.case_close_view, name="case-close"),
    path("cases/<int:pk>/parties/", cases.case_party_add_view, name="case-party-add"),
    path("cases/<int:pk>/edit/", cases.case_edit_view, name="case-edit"),
    path("parties/<int:pk>/reveal/", cases.party_reveal_view, name="party-reveal"),
    path("from-matter/<int:pk>/", cases.case_from_matter_view, name="case-from-matter"),
]
