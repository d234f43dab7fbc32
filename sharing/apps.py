from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing and data protection"

    def ready(self):
        from cases import extensions
        from sharing import selectors

        extensions.register_panel(selectors.disclosures_panel)
