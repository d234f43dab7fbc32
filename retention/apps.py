from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention"

    def ready(self):
        from cases import extensions
        from retention import selectors, services
        from sharing.services import register_erasure_handler

        register_erasure_handler(services.erase)
        extensions.register_panel(selectors.retention_panel)
