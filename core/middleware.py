"""Request-wide sign-in rules: sessions expire when idle and at an absolute age, and every signed-in
page needs a two-factor-verified session (the API checks verification itself, since token
authentication happens after middleware)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
LAST_SEEN_GRANULARITY = 60  # seconds: the session is written at most once a minute to note activity


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request):
            logout(request)
            if not request.path.startswith("/api/"):
                messages.info(request, "You were signed out to keep young people's information safe")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> bool:
        now = int(time.time())
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        idle, age = now - last_seen, now - signed_in_at
        if idle > settings.SESSION_IDLE_SECONDS or age > settings.SESSION_COOKIE_AGE:
            return True
        if idle >= LAST_SEEN_GRANULARITY or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return False


class TwoFactorRequiredMiddleware:
    """A signed-in user whose session has not passed the two-factor check reaches only the public
    pages and the two-factor pages; everything else sends them to enter (or set up) a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or _exempt(view_func):
            return None
        return redirect_to_login(request.get_full_path(), reverse("two-factor"))


def _exempt(view_func) -> bool:
    rule = getattr(view_func, "access_rule", "")
    is_api = hasattr(view_func, "cls")  # DRF's as_view() marks its views so; the API checks itself
    return rule == "public" or getattr(view_func, "before_two_factor", False) or is_api


def client_address(request) -> str:
    """The address a request came from. Behind the council's proxies (DJANGO_TRUSTED_PROXIES of them,
    each appending to X-Forwarded-For) it is the entry the outermost trusted proxy added; entries
    further left are whatever the client claimed and are ignored. Used by the sign-in lockout."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()
    ]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


class ApiTrailingSlashMiddleware:
    """An API path without its trailing slash is served as if it had one, never redirected: a client
    follows a 301 with a GET, so a POST to ``/api/v1/contacts`` listed contacts and created nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/v1/") and not request.path_info.endswith("/"):
            request.path_info += "/"
            request.path += "/"
        return self.get_response(request)


class NoStoreMiddleware:
    """No page the service makes (record pages, CSV exports, the admin, the API) is kept by a browser
    or a shared cache: ``Cache-Control: no-store, private``. Static files never reach here (WhiteNoise
    answers them first, with their own caching)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class RateLimitHeadersMiddleware:
    """Where an API client stands against its throttle (``core.throttling``), on every answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (standing := getattr(request, "rate_limit", None)) is not None:
            for name, value in zip(("Limit", "Remaining", "Reset"), standing, strict=True):
                response[f"X-RateLimit-{name}"] = str(value)
        return response
