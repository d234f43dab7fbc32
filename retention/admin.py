"""The DPO's retention work in the admin: rules, legal holds, destruction records, and what is due
in the next 30 days (with holds) and what a purge would remove (counts only)."""

from django.contrib import admin
from django.utils import timezone

from cases.admin import EditableScopedAdmin, ScopedAdmin, TrackedAdmin
from core.admin import ReadOnlyAdmin
from retention import models, selectors, services


@admin.register(models.RetentionRule)
class RetentionRuleAdmin(TrackedAdmin):
    list_display = ["name", "covers", "trigger", "period_months", "action"]


@admin.register(models.LegalHold)
class LegalHoldAdmin(EditableScopedAdmin):
    list_display = ["id", "young_person_id", "team", "reason", "placed_on", "until", "lifted_on"]
    raw_id_fields = ["young_person"]
    exclude = ["placed_by", "lifted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.placed_by = request.user
        if obj.lifted_on and not obj.lifted_by_id:
            obj.lifted_by = request.user
        obj.full_clean()
        super().save_model(request, obj, form, change)


@admin.register(models.DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    list_display = ["destroyed_at", "rule", "reason", "subject_hash"]
    readonly_fields = ["subject_hash", "rule", "reason", "destroyed_at"]
    show_full_result_count = False
    change_list_template = "admin/retention/destructionrecord/change_list.html"

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        due = selectors.due_for_destruction(today, within_days=30)
        report = services.purge_expired(dry_run=True)
        extra_context = {**(extra_context or {}), "due_soon": due, "dry_run": report}
        return super().changelist_view(request, extra_context)


@admin.register(models.EsfParticipation)
class EsfParticipationAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "project", "project_ends_on"]


@admin.register(models.ScannedDocument)
class ScannedDocumentAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "title", "uploaded_on"]


@admin.register(models.AnonymisedSummary)
class AnonymisedSummaryAdmin(ReadOnlyAdmin):
    list_display = [
        "destroyed_on",
        "birth_year",
        "district",
        "gender",
        "ethnicity",
        "sen_status",
        "last_status",
    ]
