from django.apps import AppConfig


class YouthserviceConfig(AppConfig):
    name = "youthservice"
    verbose_name = "Staff accounts and sign-in"

    def ready(self):
        from youthservice import signals  # noqa: F401 - connects the sign-in and deactivation receivers
