from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Data exchange: imports from schools, colleges and other councils, matching each row to the
    records on file, the review queue for what matching cannot decide, and self-update links."""

    name = "exchange"
    verbose_name = "Data exchange"

    def ready(self):
        from cases import extensions
        from exchange import selectors

        extensions.register_panel(selectors.self_update_panel)
