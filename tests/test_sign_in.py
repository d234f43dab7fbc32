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
