"""Sign-in and account receivers: record each staff session, forget it at sign-out, and end every
session and API token of an account the moment it is deactivated."""

import time

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from core import services
from core.middleware import LAST_SEEN, SIGNED_IN_AT


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = now  # the session's lifetimes start
    services.staff_session_record(user=user, session_key=request.session.session_key)


@receiver(user_logged_out)
def _session_ended(sender, request, user, **kwargs):
    if user is not None:
        services.staff_session_forget(session_key=request.session.session_key)


@receiver(post_save, sender=get_user_model())
def _deactivated(sender, instance, **kwargs):
    if not instance.is_active:
        services.staff_sessions_end(user=instance)
