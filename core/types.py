"""Who a service or selector acts for. AUTH_USER_MODEL is Django's own User."""

from django.contrib.auth.models import AnonymousUser, User

Actor = User  # the staff member making a change (history names them)
Viewer = User | AnonymousUser  # whoever asks for a read: scoped to nothing when signed out
