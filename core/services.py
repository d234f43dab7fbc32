"""Staff account writes: sessions, two-factor devices and API tokens."""

import logging
from base64 import b32encode
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core.models import StaffSession
from core.types import Actor

log = logging.getLogger(__name__)
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def staff_session_record(*, user: Actor, session_key: str) -> None:
    """Remember the session, and forget this user's sessions that have outlived any lifetime."""
    StaffSession.objects.filter(
        user=user, signed_in_at__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    StaffSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    log.info("signed in user=%s", user.pk)


def staff_session_forget(*, session_key: str | None) -> None:
    StaffSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def staff_sessions_end(*, user: Actor) -> int:
    """End every session and API token the user holds (on deactivation). Returns how many ended."""
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    StaffSession.objects.filter(user=user).delete()
    tokens, _ = AuthToken.objects.filter(user=user).delete()
    if keys or tokens:
        log.info("ended sessions user=%s sessions=%d tokens=%d", user.pk, len(keys), tokens)
    return len(keys) + int(tokens)


def two_factor_device(user: Actor) -> TOTPDevice:
    """The user's authenticator-app device: the confirmed one, or one waiting to be confirmed."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def two_factor_secret(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app (base32, in groups of four)."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def two_factor_verify(request: HttpRequest, *, code: str) -> bool:
    """Check a code from the signed-in user's app; on success the session is verified (and a device
    being set up is confirmed). Wrong codes count towards django-otp's growing delay."""
    if not isinstance(request.user, User):
        return False
    device = two_factor_device(request.user)
    if not device.verify_is_allowed()[0] or not device.verify_token(code.replace(" ", "")):
        log.info("two-factor code refused user=%s", request.user.pk)
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def api_token_create(*, user: Actor, days: int = 90) -> str:
    """A new API token for ``user``, valid ``days``; the token itself is shown once and stored hashed."""
    _, token = AuthToken.objects.create(user=user, expiry=timedelta(days=days))
    log.info("api token created user=%s days=%d", user.pk, days)
    return str(token)
