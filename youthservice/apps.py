from django.apps import AppConfig


class YouthserviceConfig(AppConfig):
    name = "youthservice"
    verbose_name = "Staff accounts and sign-in"

    def ready(self):
        # <id:...> in every app's URLs; the sign-in and deactivation receivers.
        from youthservice import converters, signals  # noqa: F401
