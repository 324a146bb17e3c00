from django.apps import AppConfig


class KeytasksConfig(AppConfig):
    name = "gridwork.keytasks"
    label = "keytasks"
