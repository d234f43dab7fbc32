from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Young people and cases"

    def ready(self):
        from cases import signals, worklists

        worklists.register_built_in()
        signals.connect()
