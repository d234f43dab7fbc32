"""Tracking in the admin: code tables and weights editable with history (by those given the model
permissions); people's tracking records read-only and scoped like every personal record."""

from django.contrib import admin

from cases.admin import ScopedAdmin, TrackedAdmin
from core.admin import ReadOnlyAdmin
from tracking import models


@admin.register(models.ActivityCode)
class ActivityCodeAdmin(TrackedAdmin):
    """The code list and its currency table: how long each situation stays current, and where that
    period comes from."""

    list_display = [
        "code",
        "label",
        "status",
        "participating",
        "currency",
        "currency_months",
        "currency_basis",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["status", "participating", "pre16", "currency"]


@admin.register(models.CharacteristicCode)
class CharacteristicCodeAdmin(TrackedAdmin):
    list_display = ["code", "label", "vulnerable", "valid_from", "valid_to"]


@admin.register(models.OfferType)
class OfferTypeAdmin(TrackedAdmin):
    list_display = ["code", "label", "suitable", "valid_from", "valid_to"]


@admin.register(models.RoniFactor)
class RoniFactorAdmin(TrackedAdmin):
    list_display = ["key", "points"]


@admin.register(models.NeedWeight)
class NeedWeightAdmin(TrackedAdmin):
    list_display = ["support_level", "points"]


@admin.register(models.AdviserCapacity)
class AdviserCapacityAdmin(TrackedAdmin):
    list_display = ["adviser", "soft_cap", "hard_cap"]


@admin.register(models.Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "code", "start_date", "end_date", "due_to_lapse_date"]
    list_select_related = ["code"]


@admin.register(models.IntendedDestination)
class IntendedDestinationAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "code", "recorded_on"]


@admin.register(models.Offer)
class OfferAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "guarantee_year", "offer_type", "state", "offered_on"]


@admin.register(models.Characteristic)
class CharacteristicAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "code", "start_date", "end_date"]


@admin.register(models.CohortExit)
class CohortExitAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "reason", "left_on"]


@admin.register(models.CurrentStatus)
class CurrentStatusAdmin(ScopedAdmin):
    list_display = ["young_person_id", "evaluated_on", "academic_age", "status", "activity_code", "roni_band"]
    list_filter = ["status", "in_dfe_cohort"]


@admin.register(models.MonthEndStatus)
class MonthEndStatusAdmin(ScopedAdmin):
    list_display = ["young_person_id", "month_end", "cohort_status", "academic_age", "status", "guarantee"]
    list_filter = ["month_end", "status", "cohort_status"]


@admin.register(models.MonthlySnapshot)
class MonthlySnapshotAdmin(ReadOnlyAdmin):
    list_display = ["month_end", "dimension", "value", "cohort", "neet", "not_known"]
    list_filter = ["month_end", "dimension"]


@admin.register(models.Merge)
class MergeAdmin(ScopedAdmin):
    young_person_path = "kept"
    list_display = ["id", "kept_id", "merged_id", "merged_by", "merged_at", "undone_at"]
