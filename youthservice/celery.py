"""The Celery app. Tasks are thin: they take ids and call services (docs/architecture.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthservice.settings")

app = Celery("youthservice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
