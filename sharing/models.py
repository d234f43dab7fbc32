"""Information leaving the service and the DPO's work on UK GDPR rights: information-sharing
agreements, consent, disclosures (every release, and every refused attempt),
subject requests with their statutory deadlines, access bundles, and the breach register."""

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import GivenBy, Organisation, Tracked, YoungPerson
from cases.validators import validate_not_future


class SharingPermission(StrEnum):
    """Capabilities in sharing (qualified codenames, declared in the models' Meta.permissions)."""

    HANDLE_SUBJECT_REQUESTS = "sharing.change_subjectrequest"  # the DPO's
    VIEW_ACCESS_BUNDLES = "sharing.view_accessbundle"
    MAKE_DEIDENTIFIED_EXTRACT = "sharing.make_deidentified_extract"
    MAKE_STATUTORY_RETURN = "sharing.make_statutory_return"
    SEND_DESTINATION_FEEDBACK = "sharing.send_destination_feedback"


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity (names, date of birth, gender, UPN, ULN)"
    CONTACT = "contact", "Contact details (address, phone, email, parents or carers)"
    EDUCATION = "education", "Education (school, qualifications, attendance, exclusions)"
    ACTIVITY = "activity", "Activity (current situation, destinations, offers)"
    CHARACTERISTICS = (
        "characteristics",
        "Characteristics (ethnicity, SEN, free school meals, vulnerable groups)",
    )
    HEALTH = "health", "Health (special category)"
    OFFENCES = "offences", "Criminal offences (Article 10)"
    NOTES = "notes", "Contacts and notes"


SPECIAL_CATEGORIES = {DataCategory.HEALTH}
OFFENCE_CATEGORIES = {DataCategory.OFFENCES}
# While an s507B restriction is set only these may flow (docs/domain.md): name, address, date of birth and
# a parent's name and address.
S507B_FIELDS = {
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "parent_name",
    "parent_address",
    "parent_postcode",
}


class LawfulBasis(models.TextChoices):
    CONSENT = "6(1)(a)", "Article 6(1)(a) consent"
    CONTRACT = "6(1)(b)", "Article 6(1)(b) contract"
    LEGAL_OBLIGATION = "6(1)(c)", "Article 6(1)(c) legal obligation"
    VITAL_INTERESTS = "6(1)(d)", "Article 6(1)(d) vital interests"
    PUBLIC_TASK = "6(1)(e)", "Article 6(1)(e) public task"


class Article9Condition(models.TextChoices):
    EXPLICIT_CONSENT = "9(2)(a)", "Article 9(2)(a) explicit consent"
    EMPLOYMENT_SOCIAL = "9(2)(b)", "Article 9(2)(b) employment and social security"
    VITAL_INTERESTS = "9(2)(c)", "Article 9(2)(c) vital interests"
    LEGAL_CLAIMS = "9(2)(f)", "Article 9(2)(f) legal claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "9(2)(g)", "Article 9(2)(g) substantial public interest"
    HEALTH_SOCIAL_CARE = "9(2)(h)", "Article 9(2)(h) health or social care"


class Schedule1Condition(models.TextChoices):
    STATUTORY = "sch1-para6", "DPA 2018 Schedule 1 para 6: statutory and government purposes"
    EQUALITY = "sch1-para8", "DPA 2018 Schedule 1 para 8: equality of opportunity or treatment"
    SAFEGUARDING = (
        "sch1-para18",
        "DPA 2018 Schedule 1 para 18: safeguarding of children and individuals at risk",
    )
    LEGAL_CLAIMS = "sch1-para33", "DPA 2018 Schedule 1 para 33: legal claims"


class InformationSharingAgreement(models.Model):
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField(Organisation, related_name="sharing_agreements")
    purpose = models.TextField()
    article_6_basis = models.CharField("Article 6 basis", max_length=8, choices=LawfulBasis)
    article_9_condition = models.CharField(
        "Article 9 condition",
        max_length=8,
        choices=Article9Condition,
        blank=True,
        help_text="Needed when health data is covered",
    )
    schedule_1_condition = models.CharField(
        "Schedule 1 condition",
        max_length=12,
        choices=Schedule1Condition,
        blank=True,
        help_text="Needed with Article 9(2)(g) and for offences",
    )
    article_10_condition = models.CharField(
        "Article 10 condition",
        max_length=200,
        blank=True,
        help_text="The authority for sharing criminal offence data",
    )
    categories = models.JSONField(default=list, help_text="The data categories the agreement covers")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    document_reference = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        unknown = set(self.categories) - set(DataCategory.values)
        if unknown:
            raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}"})
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date"})
        if set(self.categories) & SPECIAL_CATEGORIES and not self.article_9_condition:
            raise ValidationError({"article_9_condition": "Health data needs an Article 9 condition"})
        if (
            self.article_9_condition == Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST
            and not self.schedule_1_condition
        ):
            raise ValidationError({"schedule_1_condition": "Article 9(2)(g) needs a Schedule 1 condition"})
        if set(self.categories) & OFFENCE_CATEGORIES and not (
            self.article_10_condition and self.schedule_1_condition
        ):
            raise ValidationError(
                {"article_10_condition": "Offence data needs an Article 10 and a Schedule 1 condition"}
            )

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Consent(Tracked):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="consents")
    category = models.CharField(max_length=16, choices=DataCategory)
    purpose = models.CharField(max_length=200)
    given_by = models.CharField(max_length=16, choices=GivenBy)
    given_on = models.DateField(validators=[validate_not_future])
    withdrawn_on = models.DateField(null=True, blank=True, validators=[validate_not_future])

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self):
        return f"Consent {self.pk}"

    def is_active_on(self, day) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)


class Disclosure(models.Model):
    """Every release of personal data, and every refused attempt (with its reason). Rows about a
    person are destroyed with them; the file hash proves what left without keeping a copy."""

    # The release itself is kept for accountability; when a person it covered is destroyed, their
    # names and identifiers are removed from its text (retention.services.purge_people).
    purge_redact_path = "young_people"
    purge_redact = (
        "recipient_name",
        "purpose",
        "override_justification",
        "refusal_reason",
        "trimmed",
        "carried_despite_restriction",
    )

    class Outcome(models.TextChoices):
        RELEASED = "released", "Released"
        REFUSED = "refused", "Refused"

    class Override(models.TextChoices):
        LEGAL_DUTY = "legal_duty", "Legal duty"
        SAFEGUARDING = "safeguarding", "Safeguarding"

    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(max_length=200, blank=True, help_text="When the recipient is a person")
    young_people = models.ManyToManyField(YoungPerson, through="DisclosedPerson", related_name="disclosures")
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=300)
    agreement = models.ForeignKey(
        InformationSharingAgreement, on_delete=models.PROTECT, null=True, blank=True
    )
    override = models.CharField(max_length=16, choices=Override, blank=True)
    override_condition = models.CharField(max_length=12, choices=Schedule1Condition, blank=True)
    override_justification = models.TextField(blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome)
    refusal_reason = models.TextField(blank=True)
    trimmed = models.TextField(blank=True, help_text="What was left out because of restrictions or consent")
    carried_despite_restriction = models.TextField(
        blank=True,
        help_text="Records a statutory return carried although restricted, and the law that requires it "
        "(docs/adr/0010-statutory-returns-and-restrictions.md)",
    )
    file_format = models.CharField(max_length=8, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-id"]
        permissions = [
            ("make_deidentified_extract", "Can make de-identified extracts for research and planning"),
            ("make_statutory_return", "Can generate the monthly NCCIS return to the DfE"),
            ("send_destination_feedback", "Can send schools their former pupils' destinations"),
        ]

    def __str__(self):
        return f"Disclosure {self.pk}"


class DisclosedPerson(models.Model):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "young_person"], name="one_row_per_person")
        ]
        verbose_name = "disclosed person"
        verbose_name_plural = "disclosed people"

    def __str__(self):
        return f"Disclosure {self.disclosure_id} of record {self.young_person_id}"


class SubjectRequest(Tracked):
    # The request is kept (the DPO's record of handling it) naming no one: when its person is
    # destroyed, their names and identifiers are removed from its text and its history's.
    purge_redact_path = "young_person"
    purge_redact = ("requester_name", "extension_reason", "outcome")
    # Handled by the DPO in the admin: its history shows on the record's History tab to them alone.
    history_permission = "sharing.view_subjectrequest"

    class Kind(models.TextChoices):
        ACCESS = "access", "Access (Article 15)"
        RECTIFICATION = "rectification", "Rectification (Article 16)"
        ERASURE = "erasure", "Erasure (Article 17)"
        RESTRICTION = "restriction", "Restriction (Article 18)"
        PORTABILITY = "portability", "Portability (Article 20)"
        OBJECTION = "objection", "Objection (Article 21)"

    class Relationship(models.TextChoices):
        SELF = "self", "The young person"
        PARENT = "parent", "A parent, for a child not mature enough to act"
        REPRESENTATIVE = "representative", "A representative with authority"

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        AWAITING_ID = "awaiting_id", "Awaiting proof of identity"
        AWAITING_CLARIFICATION = "awaiting_clarification", "Awaiting clarification"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_requests"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    requester_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=16, choices=Relationship)
    received_on = models.DateField(validators=[validate_not_future])
    identity_verified_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    clarification_received_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extension_told_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(editable=False)
    state = models.CharField(max_length=24, choices=State, default=State.RECEIVED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"Subject request {self.pk}"


class AccessBundle(models.Model):
    """Everything held about the person, built by a Celery task for the DPO's review before release."""

    purge_path = "request__young_person"  # a copy of one person's data: the retention purge destroys it

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready for review"
        RELEASED = "released", "Released"
        FAILED = "failed", "Failed"

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="bundles")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    content_json = models.TextField(blank=True)
    third_party_names = models.JSONField(
        default=list, help_text="Names to review for redaction before release"
    )
    withheld_names = models.JSONField(
        default=list, help_text="Third parties' names the DPO withholds from the released bundle"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Access bundle {self.pk}"


class Breach(models.Model):
    class Type(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", "Confidentiality (disclosed or accessed)"
        INTEGRITY = "integrity", "Integrity (altered)"
        AVAILABILITY = "availability", "Availability (lost or destroyed)"

    class Risk(models.TextChoices):
        UNLIKELY = "unlikely", "Unlikely to result in a risk to people"
        RISK = "risk", "A risk to people's rights and freedoms"
        HIGH = "high", "A high risk: tell the people affected"

    aware_at = models.DateTimeField("became aware at")
    what_happened = models.TextField()
    breach_type = models.CharField(max_length=16, choices=Type)
    young_people = models.ManyToManyField(YoungPerson, blank=True, related_name="breaches")
    records_affected = models.PositiveIntegerField(default=0)
    risk = models.CharField(max_length=10, choices=Risk)
    risk_assessment = models.TextField()
    ico_notified_at = models.DateTimeField("ICO notified at", null=True, blank=True)
    ico_reference = models.CharField("ICO reference", max_length=50, blank=True)
    people_told_on = models.DateField(null=True, blank=True)
    actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-aware_at"]
        verbose_name_plural = "breaches"

    def __str__(self):
        return f"Breach {self.pk}"

    @property
    def ico_due_at(self):
        return self.aware_at + timedelta(hours=72)

    @property
    def ico_overdue(self) -> bool:
        return (
            self.risk != self.Risk.UNLIKELY
            and self.ico_notified_at is None
            and timezone.now() > self.ico_due_at
        )
