"""The young person and the people and records around them.

Every model holding personal data or policy derives from ``Tracked``: it carries provenance (where
the information came from and when) and simple-history, so each history row keeps the user, the
reason and the source of that change.
"""

from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
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


class YoungPersonPermission(StrEnum):
    """Object permission codenames on YoungPerson; never type these as bare strings."""

    ADD = "add_youngperson"
    VIEW = "view_youngperson"
    CHANGE = "change_youngperson"
    VIEW_SENSITIVE = "view_sensitive_youngperson"
    SHARE = "share_youngperson"
    ASSIGN = "assign_youngperson"

    @property
    def qualified(self) -> str:
        return f"cases.{self.value}"


class YoungPerson(Tracked):
    class Gender(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other"
        NOT_KNOWN = "U", "Not known or prefers not to say"

    class SenStatus(models.TextChoices):  # DfE SEN provision codes
        NONE = "N", "No special educational needs"
        SEN_SUPPORT = "K", "SEN support"
        EHC_PLAN = "E", "Education, health and care (EHC) plan"

    class SupportLevel(models.TextChoices):
        UNIVERSAL = "universal", "Universal"
        TARGETED = "targeted", "Targeted"
        INTENSIVE = "intensive", "Intensive"

    legal_given_name = models.CharField("given name", max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    legal_family_name = models.CharField("family name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True, help_text="The name they like to be called")
    date_of_birth = models.DateField(validators=[validators.validate_date_of_birth])
    gender = models.CharField(max_length=1, choices=Gender, default=Gender.NOT_KNOWN)
    ethnicity = models.ForeignKey(Ethnicity, on_delete=models.PROTECT, null=True, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    nationality = models.CharField(max_length=60, blank=True)
    country_of_birth = models.CharField(max_length=60, blank=True)

    address_line_1 = models.CharField(max_length=100, blank=True)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=60, blank=True)
    county = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validators.validate_postcode])
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)

    upn = models.CharField("UPN", max_length=13, blank=True, validators=[validators.validate_upn])
    uln = models.CharField("ULN", max_length=10, blank=True, validators=[validators.validate_uln])
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name="school or college attended",
    )
    fsm_eligible = models.BooleanField("eligible for free school meals", default=False)
    sen_status = models.CharField("SEN status", max_length=1, choices=SenStatus, default=SenStatus.NONE)
    has_disability = models.BooleanField("disability", default=False)
    looked_after = models.BooleanField("looked after (in care)", default=False)
    care_leaver = models.BooleanField(default=False)
    support_level = models.CharField(max_length=16, choices=SupportLevel, default=SupportLevel.UNIVERSAL)

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="young_people")
    lead_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # staff are deactivated, never deleted
        null=True,
        blank=True,
        related_name="caseload",
    )

    class Meta:
        verbose_name = "young person"
        verbose_name_plural = "young people"
        ordering = ["legal_family_name", "legal_given_name", "id"]
        permissions = [
            (
                YoungPersonPermission.VIEW_SENSITIVE.value,
                "Can view sensitive notes (health, offences, safeguarding)",
            ),
            (YoungPersonPermission.SHARE.value, "Can share the record with partner organisations"),
            (YoungPersonPermission.ASSIGN.value, "Can assign and transfer young people"),
        ]
        indexes = [
            models.Index(fields=["team", "lead_adviser"]),
            models.Index(fields=["lead_adviser", "legal_family_name"]),
            models.Index(fields=["legal_family_name", "legal_given_name"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["postcode"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["upn"],
                condition=~Q(upn=""),
                name="young_person_unique_upn",
                violation_error_message="A young person with this UPN already exists",
            ),
            models.UniqueConstraint(
                fields=["uln"],
                condition=~Q(uln="") & ~Q(uln=validators.TEMPORARY_ULN),
                name="young_person_unique_uln",
                violation_error_message="A young person with this ULN already exists",
            ),
        ]

    def __str__(self):
        return f"Young person {self.pk}"  # never a name: str() reaches logs and admin messages

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.legal_given_name, self.legal_family_name) if part)

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.legal_given_name

    @staticmethod
    def level_of_need_for(support_level: str) -> int:
        """The NCCIS level of need: 1 intensive, 2 extra (targeted), 3 minimum (universal)."""
        return {YoungPerson.SupportLevel.INTENSIVE: 1, YoungPerson.SupportLevel.TARGETED: 2}.get(
            support_level, 3
        )

    @property
    def level_of_need(self) -> int:
        return self.level_of_need_for(self.support_level)

    def age_on(self, day) -> int:
        return validators.age_on(self.date_of_birth, day)

    def clean(self):
        self.postcode = validators.normalise_postcode(self.postcode)
        self.upn = self.upn.upper()


class YoungPersonUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key grant to a user. A co-worker grant ends at ``expires_at``;
    cases/access.py refuses it from then on."""

    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "access grant to a user"


class YoungPersonGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key grant to a team's group."""

    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "access grant to a team"


class ParentCarer(Tracked):
    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER_CARER = "foster_carer", "Foster carer"
        GUARDIAN = "guardian", "Guardian"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="parents")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=16, choices=Relationship)
    has_parental_responsibility = models.BooleanField(default=True)
    is_main_contact = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validators.validate_postcode])
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        verbose_name = "parent or carer"
        verbose_name_plural = "parents and carers"
        ordering = ["-is_main_contact", "name"]

    def __str__(self):
        return f"Parent or carer {self.pk}"

    def clean(self):
        self.postcode = validators.normalise_postcode(self.postcode)


class Qualification(Tracked):
    class Type(models.TextChoices):
        GCSE = "gcse", "GCSE"
        A_LEVEL = "a_level", "A level"
        T_LEVEL = "t_level", "T level"
        BTEC = "btec", "BTEC"
        NVQ = "nvq", "NVQ"
        FUNCTIONAL_SKILLS = "functional_skills", "Functional skills"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        ENTRY = "E", "Entry level"
        L1 = "1", "Level 1"
        L2 = "2", "Level 2"
        L3 = "3", "Level 3"
        L4 = "4", "Level 4 or above"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="qualifications")
    qualification_type = models.CharField(max_length=20, choices=Type)
    subject = models.CharField(max_length=100)
    level = models.CharField(max_length=1, choices=Level)
    grade = models.CharField(max_length=10, blank=True)
    awarded_on = models.DateField(null=True, blank=True, validators=[validators.validate_not_future])

    class Meta:
        ordering = ["-awarded_on", "subject"]

    def __str__(self):
        return f"Qualification {self.pk}"


class Attendance(Tracked):
    """A school's attendance and exclusions summary for one academic year."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="attendance")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    academic_year = models.PositiveSmallIntegerField(help_text="The year the academic year starts, e.g. 2024")
    sessions_possible = models.PositiveSmallIntegerField()
    sessions_attended = models.PositiveSmallIntegerField()
    authorised_absences = models.PositiveSmallIntegerField(default=0)
    unauthorised_absences = models.PositiveSmallIntegerField(default=0)
    absence_reasons = models.TextField(blank=True)
    suspensions = models.PositiveSmallIntegerField("suspensions (fixed-term exclusions)", default=0)
    permanently_excluded = models.BooleanField(default=False)
    exclusion_reasons = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "attendance"
        ordering = ["-academic_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_attended__lte=models.F("sessions_possible")),
                name="attendance_attended_within_possible",
            ),
        ]

    def __str__(self):
        return f"Attendance {self.pk}"

    @property
    def attendance_rate(self) -> float | None:
        return self.sessions_attended / self.sessions_possible if self.sessions_possible else None

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class Contact(Tracked):
    """Every interaction with or about a young person."""

    class Method(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        GROUP = "group", "Group session"
        THIRD_PARTY = "third_party", "With another professional"

    class Purpose(models.TextChoices):
        GUIDANCE = "guidance", "Information, advice and guidance"
        REVIEW = "review", "Review of progress or action plan"
        NEET_SUPPORT = "neet_support", "Support into education, employment or training"
        TRACKING = "tracking", "Checking current activity"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        REFERRAL = "referral", "Referral to another service"
        OTHER = "other", "Other"

    class StaffRole(models.TextChoices):
        PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
        YOUTH_WORKER = "youth_worker", "Youth worker"
        COUNCIL_STAFF = "council_staff", "Other council staff"
        YOUTH_JUSTICE = "youth_justice", "Youth justice worker"
        SOCIAL_WORKER = "social_worker", "Social worker"
        TEACHER = "teacher", "School or college staff"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField(
        validators=[validators.validate_not_ancient, validators.validate_not_future]
    )
    method = models.CharField(max_length=16, choices=Method)
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    staff_role = models.CharField(max_length=20, choices=StaffRole, default=StaffRole.PERSONAL_ADVISER)
    purpose = models.CharField(max_length=16, choices=Purpose)
    notes = models.TextField()
    outcome = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["young_person", "-occurred_at"])]

    def __str__(self):
        return f"Contact {self.pk}"


class Action(Tracked):
    """An action in the young person's action plan, usually agreed at a contact."""

    class Owner(models.TextChoices):
        YOUNG_PERSON = "young_person", "Young person"
        ADVISER = "adviser", "Personal adviser"
        PARENT_CARER = "parent_carer", "Parent or carer"
        OTHER_PROFESSIONAL = "other_professional", "Another professional"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="actions")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner = models.CharField(max_length=20, choices=Owner)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True, validators=[validators.validate_not_future])
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["completed_on", "due_on", "id"]

    def __str__(self):
        return f"Action {self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < timezone.localdate()


class SensitiveNote(Tracked):
    """Special-category and offence data: seen only with ``view_sensitive_youngperson``."""

    class Category(models.TextChoices):
        HEALTH = "health", "Health (including mental health)"
        CRIMINAL_OFFENCE = "criminal_offence", "Criminal offence or conviction"
        SAFEGUARDING = "safeguarding", "Safeguarding"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="sensitive_notes")
    category = models.CharField(max_length=20, choices=Category)
    note = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Sensitive note {self.pk}"


VIEW_ACCESS_EVENTS = "cases.view_accessevent"  # the DPO's: who saw each record


class AccessEvent(models.Model):
    """One read of a young person's record: who, in which role, what, when. Itself the audit log,
    so it has no history; it is destroyed with the young person."""

    class What(models.TextChoices):
        RECORD = "record", "Viewed the record"
        EDIT = "edit", "Opened the record to edit it"
        HISTORY = "history", "Viewed the change history"
        AUDIT = "audit", "Viewed who accessed the record"
        EXPORT = "export", "Exported"
        ADMIN = "admin", "Viewed in the admin"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="access_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=200)
    what = models.CharField(max_length=16, choices=What)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["young_person", "-occurred_at"])]

    def __str__(self):
        return f"Access event {self.pk}"
