"""The run modes: embedded (eager Celery, SQLite) and production-like (broker, PostgreSQL)."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from youthservice.celery import app


def test_celery_runs_in_process_without_a_broker_and_reaches_the_broker_when_one_is_set():
    if not settings.CELERY_BROKER_URL:
        assert app.conf.task_always_eager is True
        return
    assert app.conf.task_always_eager is False
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)  # raises if the broker is down: CI must not pass then


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "youthservice.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
