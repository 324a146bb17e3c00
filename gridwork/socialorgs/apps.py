from django.apps import AppConfig


class SocialorgsConfig(AppConfig):
    name = "gridwork.socialorgs"
    label = "socialorgs"
