"""Sign-in lockout (django-axes): repeated failures lock one username from one address; other users
behind the same address still sign in; the lock clears after the cool-off or when an administrator
resets it."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_until_locked(client, username="adviser"):
    """The form re-renders for each failure; the failure that reaches the limit locks (429)."""
    statuses = [
        attempt(client, username, "wrong-password").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_repeated_failures_lock_that_user_from_that_address(client, world):
    fail_until_locked(client)
    response = attempt(client, "adviser", "test-password-123")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_other_users_behind_the_same_address_still_sign_in(client, world):
    fail_until_locked(client)
    response = attempt(client, "colleague", "test-password-123")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_clears_after_the_cool_off(client, world):
    fail_until_locked(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert attempt(client, "adviser", "test-password-123").status_code == 302


def test_an_administrator_can_clear_the_lock(client, world):
    fail_until_locked(client)
    call_command("axes_reset_username", "adviser")
    assert attempt(client, "adviser", "test-password-123").status_code == 302


def attempt_from(client, username, password, forwarded_for):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_each_client_address_is_counted_apart(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [attempt_from(client, "adviser", "wrong", "203.0.113.7").status_code for _ in range(limit)]
    assert statuses[-1] == 429
    # The same person from another address (say, another office) still signs in...
    assert attempt_from(client, "adviser", "test-password-123", "198.51.100.20").status_code == 302
    client.logout()
    # ...but the locked address cannot dodge the lock by claiming another one in front of it.
    assert (
        attempt_from(client, "adviser", "test-password-123", "198.51.100.20, 203.0.113.7").status_code == 429
    )


def test_without_a_proxy_a_forwarded_header_is_ignored(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt_from(client, "adviser", "wrong", f"203.0.113.{number}")
    assert attempt_from(client, "adviser", "test-password-123", "198.51.100.20").status_code == 429
