from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing and data protection"

    def ready(self):
        from cases import extensions
        from sharing import services

        extensions.register_panel(services.disclosures_panel)
