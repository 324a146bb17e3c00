from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridwork.accounts"
    label = "accounts"
