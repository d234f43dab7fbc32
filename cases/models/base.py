"""Provenance and history for every model, DfE code tables, organisations and teams."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases import validators


class Source(models.TextChoices):
    """Where a piece of information came from (shown beside each value on the record)."""

    YOUNG_PERSON = "young_person", "Young person"
    PARENT_CARER = "parent_carer", "Parent or carer"
    SCHOOL = "school", "School"
    COLLEGE = "college", "College or training provider"
    OTHER_COUNCIL = "other_council", "Another council"
    DWP = "dwp", "Department for Work and Pensions"
    APPRENTICESHIP_SERVICE = "apprenticeship_service", "National Apprenticeship Service"
    OTHER_AGENCY = "other_agency", "Other agency (health, police, youth justice)"
    ADVISER = "adviser", "Personal adviser"
    IMPORT = "import", "Bulk import"


class Tracked(models.Model):
    """Provenance plus history: the base of every model with personal data or policy."""

    source = models.CharField(max_length=32, choices=Source, default=Source.ADVISER)
    source_date = models.DateField(
        default=timezone.localdate,
        validators=[validators.validate_not_future],
        help_text="When the source gave us this information",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])

    class Meta:
        abstract = True


class CodeTable(models.Model):
    """A DfE code list: codes change between years, so each code has valid-from / valid-to dates."""

    code = models.CharField(max_length=8, unique=True)
    label = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["label"]

    def __str__(self):
        return f"{self.label} ({self.code})"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Ethnicity(CodeTable):
    """DfE school census ethnicity codes (WBRI, BAFR, ...)."""

    class Meta(CodeTable.Meta):
        verbose_name_plural = "ethnicities"


class Organisation(Tracked):
    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        COLLEGE = "college", "College"
        TRAINING_PROVIDER = "training_provider", "Training provider"
        EMPLOYER = "employer", "Employer"
        COUNCIL = "council", "Council"
        DFE = "dfe", "Department for Education"
        DWP = "dwp", "Department for Work and Pensions"
        HMRC = "hmrc", "HM Revenue and Customs"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        HOUSING = "housing", "Housing"
        VOLUNTARY = "voluntary", "Voluntary organisation"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind)
    urn = models.CharField("URN", max_length=7, blank=True, help_text="DfE unique reference number")
    ukprn = models.CharField("UKPRN", max_length=8, blank=True, help_text="UK provider reference number")
    la_code = models.CharField("LA code", max_length=3, blank=True, help_text="DfE local authority code")
    establishment_number = models.CharField(max_length=7, blank=True, help_text="LA code + DfE number")
    postcode = models.CharField(max_length=8, blank=True, validators=[validators.validate_postcode])
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["urn"], condition=~Q(urn=""), name="organisation_unique_urn"),
            models.UniqueConstraint(
                fields=["ukprn"], condition=~Q(ukprn=""), name="organisation_unique_ukprn"
            ),
        ]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A team of advisers. Its Django group holds the people with team-wide reach (its managers):
    ``cases.services.assign`` grants the group object permissions on every member's case."""

    name = models.CharField(max_length=100, unique=True)
    area = models.CharField(max_length=200, blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
