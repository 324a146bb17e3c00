from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "gridwork.contracts"
    label = "contracts"
