from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: synthetic councils and demo data, built through every app below. Nothing
    imports it; production could leave it out of INSTALLED_APPS."""

    name = "demo"
    verbose_name = "Demo data and synthetic councils"
