"""Data exchange: files from schools, colleges and other councils (each an import batch, checked
whole before anything is saved), the rows matching could not decide (the review queue), and the
single-use links a young person answers to tell us what they are doing."""

from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from cases.models import Organisation, Team, YoungPerson
from tracking.models import Activity


class ExchangePermission(StrEnum):
    """Capabilities in data exchange (qualified codenames): the service managers' (imports match rows
    against every record)."""

    IMPORT = "exchange.add_importbatch"
    VIEW_IMPORTS = "exchange.view_importbatch"
    RESOLVE_REVIEW = "exchange.resolve_reviewitem"


class ImportBatch(models.Model):
    """One uploaded file from a school, college or another council. The file itself is kept only
    until the batch is applied or rejected; the hash makes a second upload of it change nothing."""

    class Format(models.TextChoices):
        SCHOOL_ROLL = "school_roll", "School roll or Year 11 leavers"
        ENROLMENTS = "enrolments", "College and training provider enrolments"
        COUNCIL_LEAVERS = "council_leavers", "Leavers from another council"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking every row"
        APPLYING = "applying", "Matching and saving"
        APPLIED = "applied", "Imported"
        REJECTED = "rejected", "Rejected: nothing was imported"

    file_format = models.CharField(max_length=16, choices=Format)
    source_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", help_text="Where new young people are placed"
    )
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True, editable=False)
    # An unfinished batch's file that names a person the retention purge destroys is dropped, as the
    # nightly expiry drops a stale one (cases.registry.stored_files).
    purge_file_field = "content"
    purge_file_dropped = {
        "state": "rejected",
        "progress": 100,
        "errors": [[0, "the file named a person whose record was destroyed: it was removed"]],
    }
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=State, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    to_review = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, help_text="[line, reason] for the first 1,000 bad rows; no values"
    )
    error_rows = models.PositiveIntegerField(default=0, help_text="Every bad row, listed or not")
    finished_at = models.DateTimeField(null=True, blank=True)
    via_api = models.BooleanField(default=False, help_text="Rows sent to the API's upsert, not a file")
    outcomes = models.JSONField(
        default=list,
        help_text="API batches: [line, outcome, record id] for each row; cleared with the file's days",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "import batches"
        constraints = [
            models.UniqueConstraint(
                fields=["file_format", "file_sha256"],
                condition=~models.Q(state="rejected"),
                name="one_import_of_each_file",
            )
        ]

    def __str__(self):
        return f"Import {self.pk}"

    @property
    def rows_to_fix(self) -> int:
        """Every bad row (batches rejected before error_rows was kept: the rows listed)."""
        return self.error_rows or len(self.errors)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.APPLIED, self.State.REJECTED)

    def stuck(self, now: datetime) -> bool:
        """Unfinished long after any run of it would have been killed (its worker died and the message
        was lost): a service manager may start it again."""
        limit = timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
        return not self.finished and now - self.uploaded_at > limit


class ReviewItem(models.Model):
    """An imported row the matching could not decide: no confident match, several, or a provider
    that is not on file. A manager links it to a record or creates one; the row's values are
    cleared once it is resolved."""

    # A waiting row is about someone, with no link to them: the retention purge deletes those whose
    # identifiers, or names and date of birth, are a destroyed person's
    # (cases.registry.identifying_conditions).
    purge_identified_by = (
        {"upn": "row__upn"},
        {"uln": "row__uln"},
        {
            "legal_given_name": "row__given_name__iexact",
            "legal_family_name": "row__family_name__iexact",
            "date_of_birth": "row__date_of_birth",
        },
    )

    class Kind(models.TextChoices):
        POSSIBLE_MATCH = "possible_match", "Possible match"
        SEVERAL_MATCHES = "several_matches", "Several possible matches"
        IDENTIFIER_CONFLICT = "identifier_conflict", "Identifier on file, with other details"
        TWIN = "twin", "Possibly a twin or sibling"
        PROVIDER_NOT_FOUND = "provider_not_found", "Provider not found"

    class Outcome(models.TextChoices):
        OPEN = "open", "Waiting for review"
        LINKED = "linked", "Linked to an existing record"
        CREATED = "created", "New record created"
        DISMISSED = "dismissed", "Dismissed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="review_items")
    line = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind)
    reason = models.CharField(max_length=200)
    row = models.JSONField(encoder=DjangoJSONEncoder, help_text="The row as checked; cleared when resolved")
    candidates = models.ManyToManyField(YoungPerson, related_name="+", blank=True)
    weight = models.FloatField(null=True, help_text="The best candidate's match weight (log2 odds)")
    evidence = models.JSONField(
        default=list, help_text="How each field compared with the best candidate, and its weight"
    )
    outcome = models.CharField(max_length=16, choices=Outcome, default=Outcome.OPEN)
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="review_items"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["outcome", "batch"])]
        permissions = [("resolve_reviewitem", "Can resolve imported rows waiting for review")]

    def __str__(self):
        return f"Review item {self.pk}"


class IgnoredIdentifier(models.Model):
    """A UPN or ULN that identifies nobody: the ESFA's temporary ULN 9999999999 (seeded), or a
    placeholder a school or college sends. Matching never uses it, a file may carry it on many rows,
    and it is not stored on a record."""

    class Kind(models.TextChoices):
        UPN = "upn", "UPN"
        ULN = "uln", "ULN"

    kind = models.CharField(max_length=3, choices=Kind)
    value = models.CharField(max_length=13)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_entry_per_identifier")]

    def __str__(self):
        return f"Ignored {self.get_kind_display()} {self.pk}"


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    SHOWN = "shown", "Shown to the adviser to pass on"


class Delivery(models.TextChoices):
    NOT_SENT = "not-sent", "Not sent"
    QUEUED = "queued", "Waiting to be sent"
    NO_ADDRESS = "no-address", "Not sent: no phone number or email address"
    SENT_LOCALLY = "sent-locally", "Sent from this machine (no delivery report)"
    REFUSED = "refused", "Not sent: GOV.UK Notify refused the number or address"
    CREATED = "created", "Handed to GOV.UK Notify"
    SENDING = "sending", "Sending"
    PENDING = "pending", "Waiting for the phone network"
    SENT = "sent", "Sent abroad (no delivery report)"
    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "Not delivered: the number or address is not in use"
    TEMPORARY_FAILURE = "temporary-failure", "Not delivered: the phone was off or the inbox full"
    TECHNICAL_FAILURE = "technical-failure", "Not delivered: a technical problem at GOV.UK Notify"


# Statuses that can still change, and so are checked with Notify again; those that mean it never came.
DELIVERY_IN_FLIGHT = (Delivery.CREATED, Delivery.SENDING, Delivery.PENDING)
DELIVERY_FAILED = (
    Delivery.NO_ADDRESS,
    Delivery.REFUSED,
    Delivery.PERMANENT_FAILURE,
    Delivery.TEMPORARY_FAILURE,
    Delivery.TECHNICAL_FAILURE,
)


class SelfUpdateLink(models.Model):
    """A single-use link for a young person to tell us what they are doing. Only a hash of the token
    is stored; the page it opens shows nothing about them beyond their first name."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="self_update_links")
    token_sha256 = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel, default=Channel.SHOWN)
    # What became of the message: ours until it is handed over, then Notify's own status words.
    notification_id = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=24, choices=Delivery, default=Delivery.NOT_SENT)
    delivery_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "self-update link"
        indexes = [models.Index(fields=["delivery", "sent_at"])]

    def __str__(self):
        return f"Self-update link {self.pk}"

    @property
    def undelivered(self) -> bool:
        return self.delivery in DELIVERY_FAILED
