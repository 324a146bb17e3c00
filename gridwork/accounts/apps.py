from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridwork.accounts"
    label = "accounts"

    def ready(self) -> None:
        from gridwork.accounts import signals

        signals.connect()
