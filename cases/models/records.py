"""What advisers record about a young person, and every read of their record."""

from enum import StrEnum

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases import validators
from cases.models.base import Organisation, Tracked
from cases.models.people import YoungPerson


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


class CaseloadFacts(models.Model):
    """Derived from a person's contacts and actions, kept in step by ``cases.signals`` on every save
    and delete: the work lists and people tables read one row per person instead of probing each
    person's contacts and actions (a team manager's work-list counts read every member of the team).
    No history: it is a cache, rebuilt from the records themselves."""

    young_person = models.OneToOneField(
        YoungPerson, on_delete=models.CASCADE, primary_key=True, related_name="caseload_facts"
    )
    last_contact_at = models.DateTimeField(null=True)
    next_action_due = models.DateField(null=True)  # the earliest open action's

    class Meta:
        verbose_name = "caseload facts"
        verbose_name_plural = "caseload facts"

    def __str__(self):
        return f"Caseload facts of young person {self.young_person_id}"


class WorkListEntry(models.Model):
    """One person on one registered work list (``cases.worklists``) for the day ``WorkListDay`` names,
    with the record's team and lead adviser copied beside it, so the caseload's counts are an index
    range per team or adviser instead of a pass over every person in reach. A cache without history:
    ``services.work_lists_refresh`` keeps a person's rows in step with every write that can move
    them (contacts, actions, statuses, the record's team, adviser and level of support), and the
    nightly rebuild moves everyone to the new day."""

    # each key's first column is indexed by the constraint or an index below
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=40)
    team = models.ForeignKey("cases.Team", on_delete=models.CASCADE, related_name="+", db_index=False)
    lead_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )

    derived = True  # cases.registry: worked out again after a merge, never moved

    class Meta:
        verbose_name_plural = "work list entries"
        constraints = [models.UniqueConstraint(fields=["young_person", "key"], name="one_entry_per_list")]
        indexes = [
            models.Index(fields=["team", "key"], name="worklist_team_key"),
            models.Index(fields=["lead_adviser", "key"], name="worklist_adviser_key"),
        ]

    def __str__(self):
        return f"Young person {self.young_person_id} on {self.key}"


class WorkListDay(models.Model):
    """The day the work-list entries are for (one row): the caseload reads its counts from them only
    on that day, and counts the records themselves otherwise (before the night's rebuild has run, or
    after contact intervals change)."""

    day = models.DateField(null=True)
    generation = models.PositiveIntegerField(default=0)  # each change of intervals adds one

    def __str__(self):
        return f"Work lists built for {self.day}"


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


class CasesPermission(StrEnum):
    """Service-wide capabilities in cases (qualified codenames); object permissions on one record are
    ``YoungPersonPermission``. Never type these as bare strings."""

    VIEW_ACCESS_EVENTS = "cases.view_accessevent"  # the DPO's: who saw each record
    CHANGE_RESTRICTED = "cases.change_restriction"  # the DPO's: may change a restricted record


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


class IdentifierClash(models.Model):
    """A UPN or ULN given for one record while another record, out of the giver's reach, holds it.
    The record is saved without it, and the giver is never told whose it is (saying "this UPN exists"
    would confirm that a child is known to the service); a service manager, who sees both records,
    decides. The value is not copied here: it is the holder's."""

    class Field(models.TextChoices):
        UPN = "upn", "UPN"
        ULN = "uln", "ULN"

    class Outcome(models.TextChoices):
        OPEN = "open", "Waiting for a service manager"
        SAME_PERSON = "same_person", "The same young person: the records are being merged"
        CORRECTED = "corrected", "Corrected on one of the records"
        TYPED_IN_ERROR = "typed_in_error", "Typed in error: the adviser has been told"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="identifier_clashes")
    holder = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="+", help_text="The record that holds it"
    )
    field = models.CharField(max_length=3, choices=Field)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome, default=Outcome.OPEN)
    note = models.CharField(max_length=500, blank=True, validators=[validators.validate_plain_text])

    history = HistoricalRecords()
    # Its history names the holder: on a record's History tab only for those who decide clashes.
    history_permission = "cases.view_identifierclash"

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name_plural = "identifier clashes"

    def __str__(self):
        return f"Identifier clash {self.pk}"


class ContactInterval(Tracked):
    """How often someone at each level of support should be contacted: the task list shows whoever
    has gone longer without a contact. Managers set it; history keeps who changed it and why."""

    support_level = models.CharField(max_length=16, choices=YoungPerson.SupportLevel, unique=True)
    days = models.PositiveSmallIntegerField(
        "days between contacts", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        ordering = ["days"]

    def __str__(self):
        return f"{self.get_support_level_display()}: every {self.days} days"


class Tombstone(models.Model):
    """What a sync cannot see by asking for rows changed since a time: a row deleted, a record merged
    into another, a record moved to another team or adviser, a person destroyed. Ids only, kept for
    ``CHANGES_KEEP_DAYS`` (``services.changes_expire``), and served by the API's changes feed. Its
    reach is the record's team and lead adviser as they were before the event, copied here as the
    work-list entries copy them, so those who lost the record learn that they did.

    ``xact`` is the writing transaction's id on PostgreSQL (0 on SQLite, whose writers take turns):
    the feed serves only rows of finished transactions, in (xact, id) order, so a transaction that
    commits late can never fall behind a client's cursor."""

    class Event(models.TextChoices):
        DELETED = "deleted", "Deleted"
        MERGED = "merged", "Merged into another record"
        MERGE_UNDONE = "merge_undone", "Merge undone"
        TRANSFERRED = "transferred", "Moved to another team or adviser"
        DESTROYED = "destroyed", "Destroyed"

    id = models.BigAutoField(primary_key=True)
    xact = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    event = models.CharField(max_length=20, choices=Event.choices)
    resource = models.CharField(max_length=40)  # the API's name: "contacts", "young-people"
    record_id = models.BigIntegerField()
    # plain numbers, not links: the row outlives what it names (cases.registry does not see them)
    young_person_id = models.BigIntegerField()
    merged_into_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    lead_adviser_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["xact", "id"], name="tombstone_position"),
            models.Index(fields=["at"], name="tombstone_at"),
            models.Index(fields=["young_person_id"], name="tombstone_person"),
        ]

    def __str__(self):
        return f"{self.resource} {self.record_id} {self.event}"
