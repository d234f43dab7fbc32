"""Middleware of the access path."""

from cases import access


class ReachOncePerRequest:
    """Each request reads a user's managed teams and co-worker grants once (``access.reach_read_once``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with access.reach_read_once():
            return self.get_response(request)
