"""A member's points, at /member/points/: balance, ledger, rewards, exchange requests."""

from django.urls import URLPattern, path

from gridwork.points import member_views

app_name = "member_points"
urlpatterns: list[URLPattern] = [
    path("", member_views.home_view, name="home"),
    path("rewards/", member_views.rewards_view, name="rewards"),
    path("rewards/<int:pk>/", member_views.reward_view, name="reward"),
    path("exchanges/", member_views.exchanges_view, name="exchanges"),
    path("exchanges/<int:pk>/withdraw/", member_views.withdraw_view, name="withdraw"),
]
