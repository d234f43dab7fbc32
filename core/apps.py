from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor every app builds on: staff accounts and sign-in, roles, GOV.UK form and page
    helpers, URL converters and the logging that cannot carry personal data. Imports no other app."""

    name = "core"
    verbose_name = "Staff accounts and sign-in"

    def ready(self):
        # <id:...> in every app's URLs; the sign-in and deactivation receivers.
        from core import converters, signals  # noqa: F401
