from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "gridwork.wishes"
    label = "wishes"
