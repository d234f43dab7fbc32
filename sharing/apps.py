from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing and data protection"

    def ready(self):
        from cases import extensions
        from sharing import services

        extensions.register_write_guard(services.guard_restricted_writes)
        extensions.register_notices(services.restriction_notices)
        extensions.register_panel(services.disclosures_panel)
