"""Staff pages of points, at /staff/points/: rules, rewards, exchanges to approve, accounts."""

from django.urls import URLPattern, path

from gridwork.points import views

app_name = "points"
urlpatterns: list[URLPattern] = [
    path("rules/", views.rule_list_view, name="rule-list"),
    path("rules/new/", views.rule_create_view, name="rule-create"),
    path("rules/<int:pk>/end/", views.rule_end_view, name="rule-end"),
    path("rules/<int:pk>/delete/", views.rule_delete_view, name="rule-delete"),
    path("rewards/", views.reward_list_view, name="reward-list"),
    path("rewards/new/", views.reward_create_view, name="reward-create"),
    path("rewards/<int:pk>/edit/", views.reward_edit_view, name="reward-edit"),
    path("rewards/<int:pk>/withdraw/", views.reward_withdraw_view, name="reward-withdraw"),
    path("exchanges/", views.exchange_list_view, name="exchange-list"),
    path("exchanges/<int:pk>/", views.exchange_detail_view, name="exchange-detail"),
    path("accounts/", views.account_list_view, name="account-list"),
    path("accounts/export.xlsx", views.account_export_view, name="account-export"),
    path("accounts/<int:pk>/", views.account_detail_view, name="account-detail"),
]
