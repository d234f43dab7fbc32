from django.conf import settings
from django.db import models


class StaffSession(models.Model):
    """Which sessions a staff member holds, so deactivating them can end every one (Django's session
    table does not say whose a session is). Rows go at sign-out and when their sessions are ended."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Session of user {self.user_id} from {self.signed_in_at:%Y-%m-%d %H:%M}"
