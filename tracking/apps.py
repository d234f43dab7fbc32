from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking and NEET"

    def ready(self):
        from cases import extensions
        from tracking import selectors, signals, worklists

        signals.connect()
        worklists.register_work_lists()
        extensions.register_notices(selectors.merge_notices)
        extensions.register_panel(selectors.merges_panel)
        extensions.register_facts(selectors.key_facts)
        extensions.register_column(selectors.STATUS_COLUMN)
