"""Information ending: retention rules as data, legal holds, the records that belong to the rules
(ESF participation, scanned paper copies), destruction records that identify no one, and the lock
that keeps purges from overlapping."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models import Team, Tracked, YoungPerson


class RetentionRule(models.Model):
    class Covers(models.TextChoices):
        WHOLE_RECORD = "whole_record", "A young person's whole record"
        PAPER_COPIES = "paper_copies", "Scanned or paper copies"
        ESF = "esf", "ESF-funded participation"

    class Trigger(models.TextChoices):
        DATE_OF_BIRTH = "date_of_birth", "Date of birth"
        UPLOAD = "upload", "Upload of the copy"
        PROJECT_END = "project_end", "End of the ESF project"

    class Action(models.TextChoices):
        DESTROY = "destroy", "Destroy"
        ANONYMISE = "anonymise", "Keep an anonymised summary, destroy the rest"

    name = models.CharField(max_length=100)
    covers = models.CharField(max_length=16, choices=Covers, unique=True)
    trigger = models.CharField(max_length=16, choices=Trigger)
    period_months = models.PositiveIntegerField(
        validators=[MinValueValidator(1, "The period must be at least a month")]
    )
    action = models.CharField(max_length=10, choices=Action, default=Action.DESTROY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["covers"]
        constraints = [
            models.CheckConstraint(condition=Q(period_months__gt=0), name="retention_period_positive")
        ]

    def __str__(self):
        return self.name


class EsfParticipation(Tracked):
    """Participation in a European Social Fund project: kept 10 years after the project ends."""

    history_permission = "retention.view_esfparticipation"  # the DPO's, in the admin: so is its history

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="esf_participations")
    project = models.CharField(max_length=200)
    project_ends_on = models.DateField()

    class Meta:
        verbose_name = "ESF participation"
        verbose_name_plural = "ESF participations"

    def __str__(self):
        return f"ESF participation {self.pk}"


class ScannedDocument(Tracked):
    """A scanned or paper copy (an action plan, a signed consent): destroyed 12 months after upload."""

    history_permission = "retention.view_scanneddocument"  # the DPO's, in the admin: so is its history

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/")
    uploaded_on = models.DateField()

    def __str__(self):
        return f"Document {self.pk}"


class LegalHold(models.Model):
    """A claim or investigation pauses destruction for a person or a whole team."""

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, null=True, blank=True, related_name="legal_holds"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.TextField(error_messages={"blank": "Give the reason for the hold"})
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    placed_on = models.DateField()
    until = models.DateField(null=True, blank=True)
    lifted_on = models.DateField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(young_person__isnull=False) | Q(team__isnull=False),
                name="hold_on_a_person_or_team",
                violation_error_message="A hold is on a young person or a team",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="hold_has_a_reason",
                violation_error_message="Give the reason for the hold",
            ),
        ]

    def __str__(self):
        return f"Legal hold {self.pk}"


class DestructionRecord(models.Model):
    """Proof that a subject was destroyed, naming no one: a keyed hash of the id, the rule or request,
    and when (the run's report counts the rows, table by table). The same goes to the destruction
    ledger outside the database (``retention.ledger``); after a restore both re-apply destructions."""

    subject_hash = models.CharField(max_length=64, db_index=True)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField(max_length=200)
    destroyed_at = models.DateTimeField()

    class Meta:
        ordering = ["-destroyed_at"]

    def __str__(self):
        return f"Destruction {self.pk}"


class JobLock(models.Model):
    """One row per running job on SQLite (PostgreSQL uses an advisory lock): a second purge finds the
    row and stops, unless the process that holds it has stopped (``retention.services._purge_lock``)."""

    name = models.CharField(max_length=50, unique=True)
    acquired_at = models.DateTimeField()
    owner = models.CharField(max_length=300, blank=True, help_text="host:process id of the holder")

    def __str__(self):
        return self.name


class AnonymisedSummary(models.Model):
    """What an 'anonymise' rule keeps of a destroyed record: nothing that identifies anyone (birth
    year, postcode district), for long-term statistics."""

    birth_year = models.PositiveSmallIntegerField()
    district = models.CharField(max_length=4, blank=True)
    gender = models.CharField(max_length=1)
    ethnicity = models.CharField(max_length=8, blank=True)
    sen_status = models.CharField(max_length=1)
    last_status = models.CharField(max_length=16, blank=True)
    last_activity_code = models.CharField(max_length=8, blank=True)
    destroyed_on = models.DateField()

    def __str__(self):
        return f"Anonymised summary {self.pk}"
