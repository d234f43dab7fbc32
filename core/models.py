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


class RoleRequest(models.Model):
    """A role that widens reach (DPO, service manager, system administrator) asked for an account:
    it takes effect only when a second system administrator, neither the asker nor the account's
    holder, approves it (``core.services.role_request_decide``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True, help_text="Empty while it waits for a decision")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(decided_at=None), name="one_open_request_a_role"
            )
        ]

    def __str__(self):
        return f"Role request {self.pk}"


class StaffChange(models.Model):
    """Every change to a staff account, who made it and when: roles given, asked for, approved or
    taken away, details changed, a set-password link sent, an authenticator removed, deactivation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    change = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"Staff change {self.pk}"


class IdempotentCreate(models.Model):
    """A create sent to the API with an ``Idempotency-Key``: a retry (the same key from the same user)
    answers with the record the first made, never a second. Holds hashes of the key and the body and
    the new record's id: nothing a client wrote. Kept ``IDEMPOTENCY_KEEP_HOURS``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)
    path = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    record_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key_hash"], name="one_create_per_key")]

    def __str__(self):
        return f"Create at {self.path} by user {self.user_id}"
