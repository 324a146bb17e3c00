"""Staff pages of households in difficulty, at /staff/care/: the list, a household, pairs, visits."""

from django.urls import URLPattern, path

from gridwork.care import views

app_name = "care"
urlpatterns: list[URLPattern] = [
    path("", views.list_view, name="list"),
    path("export/", views.export_view, name="export"),
    path("new/", views.flag_view, name="flag"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.edit_view, name="edit"),
    path("<int:pk>/end/", views.end_view, name="end"),
    path("<int:pk>/pair/", views.pair_view, name="pair"),
    path("<int:pk>/pairings/<int:pairing_pk>/end/", views.unpair_view, name="unpair"),
    path("<int:pk>/visit/", views.visit_view, name="visit"),
    path("needs/<int:pk>/matter/", views.need_matter_view, name="need-matter"),
    path("needs/<int:pk>/wish/", views.need_wish_view, name="need-wish"),
]
