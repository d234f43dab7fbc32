"""Test speed-ups on top of the real settings (chosen by pytest's DJANGO_SETTINGS_MODULE)."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("YOUTHSERVICE_LA_CODE", "882")  # the demo council's code
os.environ.setdefault("CACHE_URL", "locmemcache://")  # one process: the tests' throttles count here
os.environ.setdefault("EMAIL_URL", "consolemail://")  # replaced below by the test outbox
# each test gets a ledger of its own (tests/conftest.py); this one serves commands run outside tests
os.environ.setdefault("DESTRUCTION_LEDGER_DIR", tempfile.mkdtemp(prefix="youthservice-ledger-"))

from youthservice.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Throttling is tested on its own (tests/api); elsewhere many requests share one cache.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "100000/minute", "user": "100000/minute"}  # noqa: F405
DASHBOARD_CACHE_SECONDS = 0  # tests change data and look again; caching is tested on its own
