"""Where young people are heading and where they are: DfE code lists (seeded, with valid dates),
activities, intended destinations, September Guarantee offers, characteristics, the per-person status
the dashboards read, and the monthly aggregate snapshots (which hold no personal data)."""

from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import CodeTable, Organisation, Team, Tracked, YoungPerson
from cases.validators import validate_not_future


class TrackingPermission(StrEnum):
    """Capabilities in tracking (qualified codenames, declared in Meta.permissions below)."""

    VIEW_TEAM_DASHBOARD = "tracking.view_team_dashboard"
    VIEW_SERVICE_DASHBOARD = "tracking.view_service_dashboard"
    MERGE_RECORDS = "tracking.merge_records"


class Status(models.TextChoices):
    EET = "eet", "In education, employment or training"
    NEET = "neet", "NEET"
    NOT_KNOWN = "not_known", "Not known"
    EXCLUDED = "excluded", "Custody (excluded from the measures)"


class Period(Tracked):
    """A record with a start and an optional end, which cannot come before the start."""

    period = ("start_date", "end_date")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        start, end = (getattr(self, name) for name in self.period)
        if start and end and end < start:
            raise ValidationError({self.period[1]: "The end date must be on or after the start date"})


class Currency(models.TextChoices):
    """How long a recorded activity stays current (tracking.services.due_to_lapse)."""

    ACADEMIC_YEAR = (
        "academic_year",
        "To its predicted end date, else the end of the academic year confirmed in",
    )
    MONTHS = "months", "For the months given after it was last confirmed"
    NONE = "none", "Not applicable: the situation is not known"


class ActivityCode(CodeTable):
    """NCCIS current-situation codes. ``status`` is what the code counts as; ``currency`` and
    ``currency_months`` how long a recorded activity stays current without re-confirmation, and
    ``currency_basis`` where that period comes from."""

    status = models.CharField(max_length=16, choices=Status)
    participating = models.BooleanField(default=False)
    inactive = models.BooleanField(default=False, help_text="NEET and not available (620-680)")
    pre16 = models.BooleanField(default=False)
    currency = models.CharField(max_length=16, choices=Currency, default=Currency.MONTHS)
    currency_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Only for a period in months"
    )
    currency_basis = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the period comes from: the DfE's guidance or the council's choice",
    )

    def clean(self):
        if (self.currency == Currency.MONTHS) != (self.currency_months is not None):
            raise ValidationError(
                {"currency_months": "Give the months for a period in months, and only then"}
            )


class CharacteristicCode(CodeTable):
    vulnerable = models.BooleanField(default=False, help_text="Counts towards the DfE vulnerable group")


class OfferType(CodeTable):
    """September Guarantee offer types; ``suitable`` ones count as an offer made."""

    suitable = models.BooleanField(default=True)


class RoniFactor(models.Model):
    """Risk of NEET weights, editable per council. The factor keys are what the rules compute."""

    class Key(models.TextChoices):
        ATTENDANCE_BELOW_90 = "attendance_below_90", "Attendance below 90%"
        ATTENDANCE_BELOW_85 = "attendance_below_85", "Attendance below 85% (in addition)"
        EAL = "eal", "English as an additional language"
        EHC_PLAN = "ehc_plan", "EHC plan"
        SEN_SUPPORT = "sen_support", "SEN support"
        EXCLUSIONS = "exclusions", "Suspensions or exclusion"
        EXCLUSIONS_HEAVY = "exclusions_heavy", "Three or more suspensions, or excluded (in addition)"
        ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
        LOOKED_AFTER = "looked_after", "Looked after"
        PREGNANT_OR_PARENT = "pregnant_or_parent", "Pregnant or a parent"
        FSM = "fsm", "Free school meals"
        YOUNG_CARER = "young_carer", "Young carer"
        CUSTODY = "custody", "In custody"
        YOUTH_JUSTICE = "youth_justice", "Supervised by youth justice"

    key = models.CharField(max_length=32, choices=Key, unique=True)
    points = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        verbose_name = "RONI factor"

    def __str__(self):
        return self.get_key_display()


class NeedWeight(models.Model):
    """Caseload weighting: points a young person carries for each level of support."""

    support_level = models.CharField(max_length=16, choices=YoungPerson.SupportLevel, unique=True)
    points = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    def __str__(self):
        return self.get_support_level_display()


class AdviserCapacity(models.Model):
    """An adviser's caseload caps in weighted points: above soft is a warning, hard refuses."""

    adviser = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capacity"
    )
    soft_cap = models.PositiveIntegerField()
    hard_cap = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "adviser capacities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soft_cap__lte=models.F("hard_cap")), name="soft_cap_within_hard"
            )
        ]

    def __str__(self):
        return f"Capacity {self.pk}"


class Activity(Period):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="activities")
    code = models.ForeignKey(ActivityCode, on_delete=models.PROTECT, verbose_name="current situation")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    date_ascertained = models.DateField(validators=[validate_not_future])
    date_verified = models.DateField(null=True, blank=True, validators=[validate_not_future])
    review_date = models.DateField(null=True, blank=True)
    predicted_end_date = models.DateField(null=True, blank=True)
    due_to_lapse_date = models.DateField(null=True, blank=True)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    neet_start_date = models.DateField("NEET start date", null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-start_date", "-date_ascertained", "-id"]
        indexes = [models.Index(fields=["young_person", "-start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self):
        return f"Activity {self.pk}"


class IntendedDestination(Tracked):
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="intended_destinations"
    )
    code = models.ForeignKey(ActivityCode, on_delete=models.PROTECT, verbose_name="intended activity")
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self):
        return f"Intended destination {self.pk}"


class Offer(Period):
    """A September Guarantee offer (Year 11 or Year 12 leavers)."""

    class Year(models.IntegerChoices):
        YEAR_11 = 11, "Year 11"
        YEAR_12 = 12, "Year 12"

    class State(models.TextChoices):
        APPLIED = "applied", "Applied"
        OFFERED = "offered", "Offer made"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        NOT_APPROPRIATE = "not_appropriate", "Offer not appropriate"

    period = ("offered_on", "decided_on")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="offers")
    guarantee_year = models.PositiveSmallIntegerField(choices=Year)
    offer_type = models.ForeignKey(OfferType, on_delete=models.PROTECT)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State, default=State.OFFERED)
    offered_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_on", "-id"]

    def __str__(self):
        return f"Offer {self.pk}"


class Characteristic(Period):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="characteristics")
    code = models.ForeignKey(CharacteristicCode, on_delete=models.PROTECT, verbose_name="characteristic")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="characteristic_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self):
        return f"Characteristic {self.pk}"


class CohortExit(Tracked):
    """Why someone left the DfE cohort other than by age: transferred, left England, merged, died."""

    class Reason(models.TextChoices):
        TRANSFERRED = "T", "Transferred to another council"
        LEFT_ENGLAND = "E", "Left England"
        MERGED = "M", "Duplicate record merged"
        DECEASED = "D", "Deceased"

    young_person = models.OneToOneField(YoungPerson, on_delete=models.CASCADE, related_name="cohort_exit")
    reason = models.CharField(max_length=1, choices=Reason)
    left_on = models.DateField()
    transferred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.COUNCIL},
        help_text="The council they moved to (its LA code goes in the NCCIS return)",
    )

    def clean(self):
        if (self.reason == self.Reason.TRANSFERRED) != (self.transferred_to_id is not None):
            raise ValidationError({"transferred_to": "Name the council they moved to, for a transfer only"})

    def __str__(self):
        return f"Cohort exit {self.pk}"


class CurrentStatus(models.Model):
    """Each young person's evaluation by tracking.rules today, kept current by the services and a
    nightly refresh, so dashboards and work lists are one indexed GROUP BY. Derived data: no history,
    destroyed with the person."""

    young_person = models.OneToOneField(
        YoungPerson, on_delete=models.CASCADE, primary_key=True, related_name="current_status"
    )
    evaluated_on = models.DateField()
    academic_age = models.SmallIntegerField()
    in_service_cohort = models.BooleanField()
    in_dfe_cohort = models.BooleanField()
    status = models.CharField(max_length=16, choices=Status)
    activity_code = models.CharField(max_length=8, blank=True)
    participating = models.BooleanField()
    currency_lapses_on = models.DateField(null=True)
    review_on = models.DateField(null=True)  # the earliest review date of an activity in force
    vulnerable = models.BooleanField()
    guarantee_year = models.SmallIntegerField(null=True)
    guarantee = models.CharField(max_length=16, blank=True)
    roni_score = models.SmallIntegerField(null=True)
    roni_band = models.CharField(max_length=16, blank=True)
    # The dashboards' breakdowns, copied from the person so each breakdown reads this table alone.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    district = models.CharField(max_length=4, blank=True)
    sen_status = models.CharField(max_length=1)
    gender = models.CharField(max_length=1)
    ethnicity = models.CharField(max_length=8, blank=True)
    looked_after = models.BooleanField(default=False)  # flags that are characteristics 110 and 160
    care_leaver = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "current statuses"
        indexes = [
            models.Index(fields=["in_dfe_cohort", "academic_age", "status"]),
            models.Index(fields=["team", "in_dfe_cohort", "academic_age"]),
            models.Index(fields=["status", "in_service_cohort"]),
            models.Index(fields=["currency_lapses_on"]),
            models.Index(fields=["guarantee"]),
        ]

    def __str__(self):
        return f"Status of {self.young_person_id}"


class MonthEndStatus(models.Model):
    """Each person's evaluation by tracking.rules on a month end, stored once the month has ended: the
    month's snapshot is GROUP BYs over these rows, and its NCCIS return reads only the people with a
    cohort status here. Derived data: no history, destroyed with the person; a year's months kept."""

    month_end = models.DateField()
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    cohort_status = models.CharField(
        max_length=1, blank=True, help_text="The return's letter; blank: not in it"
    )
    academic_age = models.SmallIntegerField()
    in_service_cohort = models.BooleanField()
    headline = models.BooleanField(help_text="In the DfE cohort at 16 or 17")
    status = models.CharField(max_length=16, choices=Status)
    participating = models.BooleanField()
    vulnerable = models.BooleanField()
    guarantee = models.CharField(max_length=16, blank=True)
    neet_joiner = models.BooleanField()
    neet_leaver = models.BooleanField()
    district = models.CharField(max_length=4, blank=True)
    sen_status = models.CharField(max_length=1)
    gender = models.CharField(max_length=1)
    ethnicity = models.CharField(max_length=8, blank=True)
    characteristics = models.CharField(max_length=100, blank=True, help_text="Codes, each between spaces")

    class Meta:
        verbose_name_plural = "month-end statuses"
        constraints = [
            models.UniqueConstraint(fields=["month_end", "young_person"], name="one_month_end_status_each")
        ]
        indexes = [models.Index(fields=["month_end", "cohort_status"])]

    def __str__(self):
        return f"Status of {self.young_person_id} on {self.month_end}"


class MonthlySnapshot(models.Model):
    """Month-end aggregate counts for one team and one breakdown value. No personal data: kept after
    people go. Every breakdown counts the 16-17 headline cohort, except by academic age, which counts
    every age in the service's cohort; the guarantee counts cover the Year 11 and 12 cohorts."""

    class Dimension(models.TextChoices):
        ALL = "all", "Whole cohort"
        ACADEMIC_AGE = "academic_age", "Academic age"
        TEAM = "team", "Team"
        AREA = "area", "Area (postcode district)"
        SEND = "send", "SEND status"
        CHARACTERISTIC = "characteristic", "Characteristic"
        VULNERABLE = "vulnerable", "Vulnerable group"
        GENDER = "gender", "Gender"
        ETHNICITY = "ethnicity", "Ethnicity"

    month_end = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(max_length=16, choices=Dimension)
    value = models.CharField(max_length=64)
    cohort = models.PositiveIntegerField()
    eet = models.PositiveIntegerField()
    neet = models.PositiveIntegerField()
    not_known = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    participating = models.PositiveIntegerField()
    guarantee_cohort = models.PositiveIntegerField()
    guarantee_offers = models.PositiveIntegerField()
    neet_joiners = models.PositiveIntegerField()
    neet_leavers = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month_end", "team", "dimension", "value"]
        permissions = [
            ("view_team_dashboard", "Can view the dashboard of the teams they manage"),
            ("view_service_dashboard", "Can view the whole service's dashboard"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month_end", "team", "dimension", "value"], name="one_snapshot_per_breakdown"
            )
        ]

    def __str__(self):
        return f"{self.month_end} team {self.team_id} {self.dimension}={self.value}"


# --- Merging two records of one person ------------------------------------------------------------


class Merge(models.Model):
    """Two records of one person joined: ``merged``'s records moved to ``kept`` (each move is a
    history row on the moved record), blank fields of ``kept`` filled from ``merged``, and ``merged``
    left in place with cohort status M. ``moved`` and ``filled`` are what an undo puts back."""

    kept = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="merges_merged")
    reason = models.CharField(max_length=300)
    moved = models.JSONField(default=dict, help_text="{model label: [ids]} moved from merged to kept")
    filled = models.JSONField(default=list, help_text="Fields of kept that were blank and were filled")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        permissions = [("merge_records", "Can merge two records of one person, and undo a merge")]

    def __str__(self):
        return f"Merge {self.pk}"
