"""The admin: the DPO's and system administrator's tool.

Young people's records are read-only here (edits go through the pages, which ask for a reason;
deletion is the retention purge's job), and every queryset, change page and simple-history page is
scoped through cases/access.py for anyone, staff or not.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from cases import access, models, services, versions
from core.admin import LabelledDateTimes
from core.stale import STALE, VersionedForm

P = models.YoungPersonPermission


class TrackedAdminForm(VersionedForm, forms.ModelForm):
    """A change form over a tracked record carries the record's version: saving over a record changed
    since is refused, listing what changed, and saves only when sent again (``cases.versions``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.versioned = bool(self.instance.pk) and versions.tracked(type(self.instance))
        self.fields["version"].required = self.versioned  # an add form has no version yet
        if self.versioned:
            self.initial["version"] = versions.version_of(self.instance)

    def clean(self):
        data = super().clean()
        seen = data.get("version")
        if self.versioned and seen is not None and seen != (now := versions.version_of(self.instance)):
            changes = versions.changes_since(self.instance, seen)
            self.carry_version(now)
            raise ValidationError([STALE, *(change.summary for change in changes)])
        return data


class TrackedAdmin(LabelledDateTimes, SimpleHistoryAdmin):
    """The admin of a model with history: change forms carry the version (``TrackedAdminForm``)."""

    form = TrackedAdminForm

    def get_fields(self, request, obj=None):
        fields = [field for field in super().get_fields(request, obj) if field != "version"]
        if self._editing(request, obj):
            fields.append("version")
        return fields

    def _editing(self, request, obj) -> bool:
        return obj is not None and versions.tracked(type(obj)) and self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.fields and not self.fieldsets:
            return fieldsets  # from get_fields, which placed the version
        (name, options), *rest = fieldsets
        version = ["version"] if self._editing(request, obj) else []
        return [(name, {**options, "fields": [*options["fields"], *version]}), *rest]


class ScopedAdmin(TrackedAdmin):
    """Read-only admin for a model that belongs to a young person."""

    young_person_path = "young_person"  # "" for YoungPerson itself
    young_person_perm = P.VIEW
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return access.scope(
            request.user,
            super().get_queryset(request),
            perm=self.young_person_perm,
            through=self.young_person_path,
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if obj is not None:
            return self.get_queryset(request).filter(pk=obj.pk).exists()
        return (
            super().has_view_permission(request)
            or access.young_people_for(user, self.young_person_perm).exists()
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.tracked = hasattr(model._meta, "simple_history_manager_attribute")
        if not self.tracked:
            self.object_history_template = None  # Django's template, not simple-history's

    def _in_scope_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))  # scoped; None for an id of the wrong shape
        if obj is None:
            raise Http404
        return obj

    def _young_person_of(self, obj):
        return obj if not self.young_person_path else getattr(obj, self.young_person_path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self._in_scope_or_404(request, object_id)
        if (young_person := self._young_person_of(obj)) is not None:  # a team-wide hold names no one
            services.access_event_record(
                user=request.user, young_person=young_person, what=models.AccessEvent.What.ADMIN
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self._in_scope_or_404(request, object_id)
        services.access_event_record(
            user=request.user, young_person=self._young_person_of(obj), what=models.AccessEvent.What.HISTORY
        )
        if not self.tracked:  # a grant, a disclosure row, a status: the admin's own change log
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class EditableScopedAdmin(ScopedAdmin):
    """Scoped like every personal record, but editable by holders of the model permissions (the DPO),
    saving through the app's service."""

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    def has_change_permission(self, request, obj=None):
        return admin.ModelAdmin.has_change_permission(self, request, obj) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )


@admin.register(models.YoungPerson)
class YoungPersonAdmin(ScopedAdmin):
    young_person_path = ""
    list_display = ["id", "legal_family_name", "legal_given_name", "date_of_birth", "team", "lead_adviser"]
    list_filter = ["team", "support_level", "sen_status"]
    list_select_related = ["team", "lead_adviser"]
    search_fields = ["=id", "=upn", "=uln", "legal_family_name"]


@admin.register(models.ParentCarer)
class ParentCarerAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "relationship", "is_main_contact"]


@admin.register(models.Qualification)
class QualificationAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "qualification_type", "subject", "level", "grade"]


@admin.register(models.Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "academic_year", "sessions_possible", "sessions_attended"]


@admin.register(models.Contact)
class ContactAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "occurred_at", "method", "purpose"]
    list_filter = ["method", "purpose"]


@admin.register(models.Action)
class ActionAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "owner", "due_on", "completed_on"]


@admin.register(models.SensitiveNote)
class SensitiveNoteAdmin(ScopedAdmin):
    young_person_perm = P.VIEW_SENSITIVE
    list_display = ["id", "young_person_id", "category", "created_at"]


@admin.register(models.Restriction)
class RestrictionAdmin(EditableScopedAdmin):
    list_display = ["id", "young_person_id", "kind", "set_by", "set_on", "lifted_on"]
    list_filter = ["kind"]
    raw_id_fields = ["young_person"]

    def save_model(self, request, obj, form, change):
        services.tracked_save(obj, actor=request.user, reason="Changed by the data protection officer")


@admin.register(models.IdentifierClash)
class IdentifierClashAdmin(EditableScopedAdmin):
    """A UPN or ULN given for a record while another holds it: service managers open both records,
    merge them or correct one, and record what they decided."""

    list_display = ["id", "young_person_id", "holder_id", "field", "raised_by", "raised_at", "outcome"]
    list_filter = ["outcome", "field"]
    list_select_related = ["raised_by"]
    fields = ["young_person", "holder", "field", "raised_by", "raised_at", "outcome", "note"]
    readonly_fields = ["young_person", "holder", "field", "raised_by", "raised_at"]

    def has_add_permission(self, request, obj=None):
        return False  # raised by the service, never typed

    def get_queryset(self, request):  # both records in reach: the holder is what is being decided
        holders = access.young_people_for(request.user).values("pk")
        return super().get_queryset(request).filter(holder__in=holders)

    def save_model(self, request, obj, form, change):
        services.identifier_clash_decide(clash=obj, actor=request.user, outcome=obj.outcome, note=obj.note)


@admin.register(models.CaseloadFacts)
class CaseloadFactsAdmin(ScopedAdmin):
    list_display = ["young_person_id", "last_contact_at", "next_action_due"]


@admin.register(models.WorkListEntry)
class WorkListEntryAdmin(ScopedAdmin):
    list_display = ["young_person_id", "key", "team", "lead_adviser"]
    list_filter = ["key"]
    list_select_related = ["team", "lead_adviser"]


@admin.register(models.YoungPersonUserObjectPermission)
class UserGrantAdmin(ScopedAdmin):
    young_person_path = "content_object"
    list_display = ["id", "content_object_id", "user", "permission", "expires_at", "reason"]
    list_select_related = ["user", "permission"]


@admin.register(models.AccessEvent)
class AccessEventAdmin(ScopedAdmin):
    list_display = ["occurred_at", "young_person_id", "user", "role", "what"]
    list_filter = ["what"]
    list_select_related = ["user"]
    search_fields = ["=young_person__id"]
    date_hierarchy = "occurred_at"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(
            models.CasesPermission.VIEW_ACCESS_EVENTS
        ) and super().has_view_permission(request, obj)


@admin.register(models.Organisation)
class OrganisationAdmin(TrackedAdmin):
    list_display = ["name", "kind", "urn", "ukprn", "la_code"]
    list_filter = ["kind"]
    search_fields = ["name", "=urn", "=ukprn"]

    def save_model(self, request, obj, form, change):
        services.tracked_save(obj, actor=request.user, reason="Changed in the admin")


@admin.register(models.Team)
class TeamAdmin(TrackedAdmin):
    list_display = ["name", "area"]
    fields = ["name", "area", "members"]  # a plain labelled list: the filter widget's icons fail axe

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        def clean_members(form_self):
            """A team manager in a team reaches its records: no one puts themselves in one."""
            members = form_self.cleaned_data["members"]
            already = set(obj.members.values_list("pk", flat=True)) if obj is not None else set()
            if request.user.pk not in already and members.filter(pk=request.user.pk).exists():
                raise ValidationError("You cannot add yourself to a team: another administrator can")
            return members

        return type(form.__name__, (form,), {"clean_members": clean_members})

    def save_model(self, request, obj, form, change):
        if change:
            services.tracked_save(obj, actor=request.user, reason="Changed in the admin")
        else:
            services.team_create(name=obj.name, area=obj.area, actor=request.user, team=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for member in form.instance.members.all():
            services.team_member_add(team=form.instance, user=member, actor=request.user)


@admin.register(models.Ethnicity)
class EthnicityAdmin(TrackedAdmin):
    list_display = ["code", "label", "valid_from", "valid_to"]
