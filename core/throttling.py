"""The API's throttles, saying where a client stands: each answer under a throttle carries
``X-RateLimit-Limit`` (requests allowed in the window), ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset`` (seconds until the oldest counted request leaves the window), added by
``core.middleware.RateLimitHeadersMiddleware``; a 429 also says ``Retry-After`` (DRF's)."""

from rest_framework import throttling


class Reporting:
    """A SimpleRateThrottle that notes its standing on the request for the headers."""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        history = getattr(self, "history", None)
        if history is not None:  # this throttle applies to the request (an anonymous one, or a user's)
            reset = history[-1] + self.duration - self.now if history else self.duration
            remaining = max(self.num_requests - len(history), 0)
            request._request.rate_limit = (self.num_requests, remaining, max(int(reset), 0))
        return allowed


class AnonRateThrottle(Reporting, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(Reporting, throttling.UserRateThrottle):
    pass
