from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "gridwork.party"
    label = "party"
