"""Sign-in and account receivers: record each staff session, forget it at sign-out, end every
session and API token of an account the moment it is deactivated, and its API tokens when its
password changes (its other sessions end by Django's session hash); and mark the cached permissions
out of date when who holds what changes (core.backends)."""

import time

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from core import services
from core.backends import permissions_changed
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


@receiver(pre_save, sender=get_user_model())
def _password_changing(sender, instance, **kwargs):
    if instance.pk:
        stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
        instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=get_user_model())
def _deactivated(sender, instance, **kwargs):
    if not instance.is_active:
        services.staff_sessions_end(user=instance)
    elif getattr(instance, "_password_changed", False):  # a new password: every API token goes too
        services.api_tokens_end(user=instance)


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
@receiver(post_migrate)
def _permissions_changed(sender, **kwargs):
    permissions_changed()
