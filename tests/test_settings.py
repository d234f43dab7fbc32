"""The run modes: embedded (eager Celery, SQLite) and production-like (broker, PostgreSQL)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from youthservice.celery import app


def test_celery_runs_in_process_without_a_broker_and_reaches_the_broker_when_one_is_set():
    if not settings.CELERY_BROKER_URL:
        assert app.conf.task_always_eager is True
        return
    assert app.conf.task_always_eager is False
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)  # raises if the broker is down: CI must not pass then


KEY = {"DJANGO_SECRET_KEY": "k8Jd2-synthetic-only"}
LA = {**KEY, "YOUTHSERVICE_LA_CODE": "882"}
MAIL = {**LA, "EMAIL_URL": "smtp://mail.invalid:25"}
CACHE = {**MAIL, "CACHE_URL": "redis://r:6379/1"}
LA_REFUSED = "YOUTHSERVICE_LA_CODE must be the council's 3-digit DfE code"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        (KEY, "YOUTHSERVICE_LA_CODE"),
        *(({**KEY, "YOUTHSERVICE_LA_CODE": bad}, LA_REFUSED) for bad in ("88", "8820", "ABC", "200")),
        (LA, "EMAIL_URL"),
        (MAIL, "CACHE_URL"),
        (CACHE, "DESTRUCTION_LEDGER_DIR"),
    ],
)
def test_production_settings_refuse_to_start_without_what_they_must_be_given(given, missing):
    """No secret key, no council LA code (the return's LA) or a malformed one, no console email (it would
    print young people's addresses and links), no per-process cache (a throttle would count per
    gunicorn worker), no destruction ledger."""
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "youthservice.settings", **given}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    """`manage.py check --deploy` with the environment docker-compose.yml gives the web container."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "youthservice.settings",
        "DJANGO_SECRET_KEY": "k8Jd2-synthetic-only-" + "x7Qp" * 12,
        "DJANGO_ALLOWED_HOSTS": "youthservice.example.gov.uk",
        "DJANGO_BEHIND_PROXY": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_HSTS_SECONDS": "31536000",
        "DESTRUCTION_LEDGER_DIR": "/var/lib/youthservice/ledger",
        "EMAIL_URL": "smtp+tls://user:password@smtp.example.gov.uk:587",
        "CACHE_URL": "redis://redis:6379/1",
        "YOUTHSERVICE_LA_CODE": "882",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.postgresql
@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_and_plan_cursors_for_every_row():
    """Pages' short queries never pay for JIT compilation (it took 25 ms of a work-list count), and
    cursors, which are always read to the end here, are planned for it (a filter menu's EXISTS
    planned for its first rows took 250 ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "1"
