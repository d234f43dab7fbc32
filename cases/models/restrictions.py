"""Restrictions on what may be done with a person's record: the s507B parental restriction and the
UK GDPR Article 18 restriction and Article 21 objection. Every app checks them, so they live here."""

from django.db import models

from cases.models.base import Tracked
from cases.models.people import YoungPerson
from cases.validators import validate_not_future


class GivenBy(models.TextChoices):
    YOUNG_PERSON = "young_person", "The young person"
    PARENT_CARER = "parent_carer", "A parent or carer"


class Restriction(Tracked):
    """The s507B restriction, and Article 18 restriction or Article 21 objection to processing."""

    class Kind(models.TextChoices):
        S507B = "s507b", "Section 507B: only name, address and date of birth to be passed on"
        RESTRICTION = "art18", "Article 18: restriction of processing"
        OBJECTION = "art21", "Article 21: objection to processing"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(max_length=8, choices=Kind)
    set_by = models.CharField(max_length=16, choices=GivenBy)
    set_on = models.DateField(validators=[validate_not_future])
    lifted_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-set_on", "-id"]

    def __str__(self):
        return f"Restriction {self.pk}"

    def is_active_on(self, day) -> bool:
        return self.set_on <= day and (self.lifted_on is None or day < self.lifted_on)
