"""The results pages of star ratings (league tables, star shares, history, pay grades), under the ratings namespace."""

from django.urls import URLPattern, path

from gridwork.ratings import views_results

urlpatterns: list[URLPattern] = [
    path("results/", views_results.index_view, name="results"),
    path("results/history/", views_results.history_view, name="results-history"),
    path("results/history/export/", views_results.history_export_view, name="results-history-export"),
    path("results/targets/<int:pk>/", views_results.target_view, name="results-target"),
    path("results/rounds/<int:pk>/", views_results.league_view, name="results-league"),
    path("results/rounds/<int:pk>/export/", views_results.league_export_view, name="results-league-export"),
    path("results/rounds/<int:pk>/stars/", views_results.stars_view, name="results-stars"),
    path("results/rounds/<int:pk>/stars/export/", views_results.stars_export_view, name="results-stars-export"),
    path("results/rounds/<int:pk>/pay/", views_results.pay_view, name="results-pay"),
    path("results/rounds/<int:pk>/pay/export/", views_results.pay_export_view, name="results-pay-export"),
]
