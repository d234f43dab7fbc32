"""The permission checks behind every page: Django's model backend, with each account's permissions
kept in the shared cache instead of read by two queries on every request (a third of a simple page's
database work).

A change to who holds what (an account's groups or own permissions, a group's permissions, a group or
permission deleted, a migration) replaces the cache's generation token (core.signals), so the next
request reads the permissions afresh: a role removed takes effect at once. Superuser status, which
lives on the account's row, is checked against what was kept."""

from uuid import uuid4

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

GENERATION = "permissions:generation"
KEEP_SECONDS = 300  # a bound on anything the generation could miss (the token evicted, say)


def _key(user) -> str:
    return f"permissions:user:{user.pk}"


def permissions_changed() -> None:
    """Every account's kept permissions are out of date: now, for what this transaction reads next,
    and again when it commits, for what another request read meanwhile from the rows before it."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION, uuid4().hex, timeout=None)


def _generation(stored: dict) -> str:
    if (generation := stored.get(GENERATION)) is None:
        cache.add(GENERATION, uuid4().hex, timeout=None)  # a token that matches nothing kept before
        generation = cache.get(GENERATION)
    return generation


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            stored = cache.get_many([GENERATION, _key(user_obj)])
            stamp = (_generation(stored), user_obj.is_superuser)
            kept = stored.get(_key(user_obj))
            if kept is not None and kept[0] == stamp:
                user_obj._perm_cache = kept[1]
            else:
                user_obj._perm_cache = super().get_all_permissions(user_obj)
                cache.set(_key(user_obj), (stamp, user_obj._perm_cache), KEEP_SECONDS)
        return user_obj._perm_cache
