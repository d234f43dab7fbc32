"""The young person, who may reach their record (object permissions), and their parents and carers."""

from datetime import date
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases import validators
from cases.models.base import Ethnicity, Organisation, Team, Tracked


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


class YoungPersonQuerySet(models.QuerySet):
    def on_file_by(self, day: date) -> "YoungPersonQuerySet":
        """The people whose records existed by the end of ``day`` (a month's return and snapshot leave
        out anyone recorded after its month end)."""
        return self.filter(created_at__date__lte=day)


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

    legal_given_name = models.CharField("given name", max_length=100, validators=[validators.validate_name])
    middle_names = models.CharField(max_length=100, blank=True, validators=[validators.validate_name])
    legal_family_name = models.CharField("family name", max_length=100, validators=[validators.validate_name])
    preferred_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name they like to be called",
        validators=[validators.validate_name],
    )
    date_of_birth = models.DateField(validators=[validators.validate_date_of_birth])
    gender = models.CharField(max_length=1, choices=Gender, default=Gender.NOT_KNOWN)
    ethnicity = models.ForeignKey(Ethnicity, on_delete=models.PROTECT, null=True, blank=True)
    first_language = models.CharField(max_length=60, blank=True, validators=[validators.validate_plain_text])
    nationality = models.CharField(max_length=60, blank=True, validators=[validators.validate_plain_text])
    country_of_birth = models.CharField(
        max_length=60, blank=True, validators=[validators.validate_plain_text]
    )

    address_line_1 = models.CharField(max_length=100, blank=True, validators=[validators.validate_plain_text])
    address_line_2 = models.CharField(max_length=100, blank=True, validators=[validators.validate_plain_text])
    town = models.CharField(max_length=60, blank=True, validators=[validators.validate_plain_text])
    county = models.CharField(max_length=60, blank=True, validators=[validators.validate_plain_text])
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

    objects = YoungPersonQuerySet.as_manager()

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
            # the lists' order within reach (cases/access.py): a team's, a lead adviser's
            models.Index(fields=["team", "legal_family_name", "legal_given_name", "id"]),
            models.Index(fields=["lead_adviser", "legal_family_name", "legal_given_name", "id"]),
            # a team's caseload filtered by the record's own columns: counted from the index, not from
            # every record's page (1,000,000: 168 ms for a team). Not for an adviser's caseload (3,333
            # at most: 46 ms at p95 without one), as each index costs every import's writes.
            models.Index(fields=["team", "support_level", "sen_status"]),
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
        levels: dict[str, int] = {YoungPerson.SupportLevel.INTENSIVE: 1, YoungPerson.SupportLevel.TARGETED: 2}
        return levels.get(support_level, 3)

    @property
    def level_of_need(self) -> int:
        return self.level_of_need_for(self.support_level)

    def age_on(self, day) -> int:
        return validators.age_on(self.date_of_birth, day)

    def clean(self):
        self.postcode = validators.normalise_postcode(self.postcode)
        self.upn = self.upn.upper()

    # --- What changed since the record was read (so a receiver can tell a phone number from a birthday)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored = dict(zip(field_names, values, strict=True))
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._stored = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}

    def changed_since_read(self, attnames) -> bool:
        """Whether any of these fields (attnames, e.g. ``team_id``) differs from the stored row as this
        instance last read or saved it. A new record, or a field never read, counts as changed."""
        stored = getattr(self, "_stored", None)
        return stored is None or any(
            name not in stored or stored[name] != getattr(self, name) for name in attnames
        )


class YoungPersonUserObjectPermission(UserObjectPermissionBase):
    """A co-worker's grant (guardian's direct foreign key to a user): a second adviser or a youth
    justice worker reaches one record until ``expires_at``; cases/access.py refuses it from then on.
    Lead advisers and team managers reach records by the record's own columns, not by grants."""

    content_object = models.ForeignKey(YoungPerson, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "co-worker access grant"
        verbose_name_plural = "co-worker access grants"
        constraints = [  # the history keeps lead advisers' grants of before ADR 0011, which had none
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=False), name="co_worker_grant_expires"
            )
        ]


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
    name = models.CharField(max_length=200, validators=[validators.validate_name])
    relationship = models.CharField(max_length=16, choices=Relationship)
    has_parental_responsibility = models.BooleanField(default=True)
    is_main_contact = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True, validators=[validators.validate_plain_text])
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
