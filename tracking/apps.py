from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking and NEET"

    def ready(self):
        from tracking import signals, worklists

        signals.connect()
        worklists.register_work_lists()
