"""Staff account writes: sessions, two-factor devices, API tokens, and the accounts themselves."""

import json
import logging
import re
from base64 import b32encode
from datetime import timedelta
from hashlib import sha256
from importlib import import_module

from axes.helpers import get_client_session_hash
from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator as token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core.models import IdempotentCreate, RoleRequest, StaffChange, StaffSession
from core.roles import Role
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


def api_tokens_end(*, user: Actor) -> int:
    ended, _ = AuthToken.objects.filter(user=user).delete()
    if ended:
        log.info("ended api tokens user=%s tokens=%d", user.pk, ended)
    return int(ended)


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
    _session_key_rotate(request, request.user)
    return True


def _session_key_rotate(request: HttpRequest, user: User) -> None:
    """A new session key once the code is accepted (one seen before it is worth nothing), carried
    to what remembers the old one: the staff session, and django-axes's access log (its sign-out)."""
    previous = request.session.session_key
    request.session.cycle_key()
    staff_session_forget(session_key=previous)
    staff_session_record(user=user, session_key=str(request.session.session_key))
    AccessLog.objects.filter(session_hash=sha256(force_bytes(previous)).hexdigest()).update(
        session_hash=get_client_session_hash(request)  # axes's hash of the key: sha256
    )


def api_token_create(*, user: Actor, days: int = 90) -> str:
    """A new API token for ``user``, valid ``days``; the token itself is shown once and stored hashed."""
    _, token = AuthToken.objects.create(user=user, expiry=timedelta(days=days))
    log.info("api token created user=%s days=%d", user.pk, days)
    return str(token)


def api_token_end(*, actor: Actor, token: AuthToken) -> None:
    """End one token at once (a leaked token, a retired integration), recorded against its account."""
    user = token.user
    token.delete()
    staff_change_record(actor=actor, user=user, change=f"API token {token.token_key} ended")


def api_token_expire_soon(*, actor: Actor, token: AuthToken, days: int = 7) -> None:
    """Rotation: the token keeps working for ``days`` more (no later than it would have), so the
    integration can switch to the new one minted on the server; recorded against its account. The
    new token is never minted here: whoever saw it could act as the account."""
    soon = timezone.now() + timedelta(days=days)
    if token.expiry is None or token.expiry > soon:
        token.expiry = soon
        token.save(update_fields=["expiry"])
    staff_change_record(
        actor=actor,
        user=token.user,
        change=f"API token {token.token_key} set to expire {token.expiry:%Y-%m-%d}",
    )


# --- Staff accounts: no one widens reach alone ---------------------------------------------------

# Roles that reach every record or every account: given only when a second system administrator agrees.
PRIVILEGED_ROLES = (Role.DATA_PROTECTION_OFFICER, Role.SERVICE_MANAGER, Role.SYSTEM_ADMINISTRATOR)
SELF_ROLES = "You cannot change your own roles: another system administrator can"
SECOND_PERSON = "A second system administrator must decide: not the one who asked, nor the account's holder"


def staff_change_record(*, actor: Actor | None, user: Actor, change: str) -> None:
    StaffChange.objects.create(actor=actor, user=user, change=change)
    log.info("staff account changed user=%s by=%s", user.pk, getattr(actor, "pk", None))


def roles_of(user: Actor) -> set[Role]:
    return {Role(name) for name in user.groups.values_list("name", flat=True) if name in set(Role)}


@transaction.atomic
def account_save(*, actor: Actor, user: User, changed: list[str], roles: set[Role]) -> list[RoleRequest]:
    """Save a staff account as the admin's form left it (``changed``: the fields it changed) with
    these roles. A new account gets no password: its owner is sent a link to set one. Roles taken
    away go at once; an ordinary role is given at once, a privileged one only asked for
    (``RoleRequest``). No one changes their own roles. Returns the requests made."""
    new = user.pk is None
    if not new and user.pk == actor.pk and roles != roles_of(user):
        raise ValidationError({"roles": SELF_ROLES})
    if new:
        user.set_unusable_password()
    user.save()
    if new:
        staff_change_record(actor=actor, user=user, change="Account created")
    elif details := [name for name in changed if name != "roles"]:
        staff_change_record(actor=actor, user=user, change=f"Changed: {', '.join(details)}")
    current, requests = roles_of(user), []
    for role in sorted(current - roles):
        user.groups.remove(Group.objects.get(name=role))
        staff_change_record(actor=actor, user=user, change=f"Role taken away: {role}")
    for role in sorted(roles - current):
        if role in PRIVILEGED_ROLES:
            request, made = RoleRequest.objects.get_or_create(
                user=user, role=role, decided_at=None, defaults={"requested_by": actor}
            )
            if made:
                staff_change_record(actor=actor, user=user, change=f"Role asked for: {role}")
            requests.append(request)
        else:
            user.groups.add(Group.objects.get(name=role))
            staff_change_record(actor=actor, user=user, change=f"Role given: {role}")
    if new and user.email:
        transaction.on_commit(lambda: account_password_link(actor=actor, user=user))
    return requests


@transaction.atomic
def role_request_decide(*, actor: Actor, request: RoleRequest, approve: bool) -> RoleRequest:
    """A second system administrator approves or refuses a privileged role."""
    request = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if request.decided_at is not None:
        raise ValidationError("This request has already been decided")
    if actor.pk in (request.requested_by_id, request.user_id):
        raise ValidationError(SECOND_PERSON)
    request.decided_by, request.decided_at, request.approved = actor, timezone.now(), approve
    request.save()
    if approve:
        request.user.groups.add(Group.objects.get(name=request.role))
    verb = "approved" if approve else "refused"
    staff_change_record(actor=actor, user=request.user, change=f"Role {verb}: {request.role}")
    return request


def account_password_link(*, actor: Actor, user: User) -> None:
    """Email the account's owner a one-time link to set their password (no one else sets it). The
    link stops working once used, when the password changes, or after PASSWORD_RESET_TIMEOUT."""
    if not user.email:
        raise ValidationError("The account has no email address to send the link to")
    path = reverse(
        "set-password", args=[urlsafe_base64_encode(force_bytes(user.pk)), token_generator.make_token(user)]
    )
    send_mail(
        subject="Set your Youthservice password",
        message=(
            f"Use this link to set the password for your account ({user.username}):\n\n"
            f"{settings.SITE_URL.rstrip('/')}{path}\n\n"
            f"It works once, for {settings.PASSWORD_RESET_TIMEOUT // 3600} hours. "
            "If you did not expect it, tell your system administrator."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    staff_change_record(actor=actor, user=user, change="Set-password link sent to the account's email")


def authenticator_remove(*, actor: Actor, device: TOTPDevice) -> None:
    """A lost phone: the account's authenticator goes, and the next sign-in sets up a new one."""
    user = device.user
    device.delete()
    staff_change_record(actor=actor, user=user, change="Authenticator app removed (lost phone)")


# --- Idempotent creates through the API ----------------------------------------------------------

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces (as UUIDs are)


class IdempotencyKeyReusedError(Exception):
    """The key was sent before with another request (another body, or another endpoint)."""


def _digest(value: str) -> str:
    return sha256(value.encode()).hexdigest()


def idempotent_create_claim(*, user: Actor, key: str, path: str, body: object) -> IdempotentCreate:
    """Claim ``key`` for this create, inside the request's transaction: a new claim (``record_id``
    None) means go ahead and make the record; a claim with a ``record_id`` is a retry of a create
    that was made, to be answered with that record. A concurrent retry waits on the first's row and
    then reads it. Claims older than ``IDEMPOTENCY_KEEP_HOURS`` are let go first. Raises ValueError
    for a malformed key and IdempotencyKeyReusedError for the same key with a different request."""
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValueError("An Idempotency-Key is 1 to 255 printable characters without spaces")
    kept_since = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    IdempotentCreate.objects.filter(user=user, created_at__lt=kept_since).delete()
    body_hash = _digest(json.dumps(body, sort_keys=True, default=str))
    key_hash = _digest(key)
    try:
        with transaction.atomic():
            return IdempotentCreate.objects.create(
                user=user, key_hash=key_hash, path=path, body_hash=body_hash
            )
    except IntegrityError:
        claim = IdempotentCreate.objects.get(user=user, key_hash=key_hash)
    if (claim.path, claim.body_hash) != (path, body_hash):
        raise IdempotencyKeyReusedError
    return claim


def idempotent_create_made(*, claim: IdempotentCreate, record_id: int | None) -> None:
    """The create behind ``claim`` made ``record_id``; None: it made nothing (refused), so the key is
    free for a corrected retry."""
    if record_id is None:
        claim.delete()
    else:
        claim.record_id = record_id
        claim.save(update_fields=["record_id"])
