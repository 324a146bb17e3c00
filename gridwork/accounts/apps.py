from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridwork.accounts"
    label = "accounts"

    def ready(self) -> None:
        from gridwork.accounts import (
            signals,
            twofactor,  # noqa: F401  (registers the second factor's deployment check)
        )

        signals.connect()
