from django.apps import AppConfig


class LapseguardConfig(AppConfig):
    name = "lapseguard_django"
    verbose_name = "lapseguard"
