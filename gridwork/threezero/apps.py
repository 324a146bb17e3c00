from django.apps import AppConfig


class ThreeZeroConfig(AppConfig):
    name = "gridwork.threezero"
    label = "threezero"
