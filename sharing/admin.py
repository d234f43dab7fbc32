"""The DPO's admin: agreements, consents, disclosures, subject requests (due and
overdue first, with their actions), access bundles, and the breach register."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cases import access
from cases.admin import EditableScopedAdmin, ScopedAdmin, TrackedAdmin, TrackedAdminForm
from core.admin import ReadOnlyAdmin
from core.pages import add_errors
from sharing import models, services


@admin.register(models.InformationSharingAgreement)
class AgreementAdmin(TrackedAdmin):
    list_display = ["title", "article_6_basis", "starts_on", "ends_on", "review_on", "active"]
    # parties: a plain labelled list (the filter widget's icons carry aria-labels axe refuses)
    search_fields = ["title", "document_reference"]

    @admin.display(boolean=True)
    def active(self, obj):
        return obj.is_active_on(timezone.localdate())


@admin.register(models.Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "category", "given_by", "given_on", "withdrawn_on"]


@admin.register(models.Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ["made_at", "outcome", "recipient", "recipient_name", "made_by", "purpose"]
    list_filter = ["outcome", "override"]
    readonly_fields = [f.name for f in models.Disclosure._meta.concrete_fields]
    show_full_result_count = False


@admin.register(models.DisclosedPerson)
class DisclosedPersonAdmin(ScopedAdmin):
    list_display = ["disclosure_id", "young_person_id"]


class SubjectRequestForm(TrackedAdminForm):
    """Checked against the service's rules as it is cleaned: a refusal shows on the form, with what
    was typed kept."""

    def _post_clean(self):
        super()._post_clean()
        try:
            services.subject_request_check(self.instance)
        except ValidationError as error:
            add_errors(self, error)


@admin.register(models.SubjectRequest)
class SubjectRequestAdmin(EditableScopedAdmin):
    form = SubjectRequestForm
    list_display = ["id", "kind", "requester_name", "received_on", "due", "state", "handler"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["young_person"]
    readonly_fields = ["due_on", "closed_on", "next_step"]

    actions = ["build_access_bundle", "hand_over_for_erasure"]
    exclude = ["source", "source_date"]

    @admin.display(description="Due", ordering="due_on")
    def due(self, obj):
        open_request = obj.state not in (obj.State.COMPLETED, obj.State.REFUSED)
        if open_request and obj.due_on < timezone.localdate():
            return format_html('<strong class="app-overdue">{} (overdue)</strong>', obj.due_on)
        if open_request and (obj.due_on - timezone.localdate()).days <= 7:
            return format_html("<strong>{} (due soon)</strong>", obj.due_on)
        return obj.due_on

    @admin.display(description="Next step")
    def next_step(self, obj):
        if not obj.pk or obj.young_person_id is None:
            return "Link the request to the young person's record"
        kind, person = obj.Kind, obj.young_person_id
        links = {
            kind.RECTIFICATION: (
                "Correct the record (with the request as the reason)",
                reverse("cases:young-person-edit", args=[person]),
            ),
            kind.RESTRICTION: (
                "Record the restriction",
                reverse("admin:cases_restriction_add")
                + f"?young_person={person}&kind=art18&set_by=young_person",
            ),
            kind.OBJECTION: (
                "Record the objection",
                reverse("admin:cases_restriction_add")
                + f"?young_person={person}&kind=art21&set_by=young_person",
            ),
        }
        if obj.kind in links:
            label, url = links[obj.kind]
            return format_html('<a href="{}">{}</a>', url, label)
        if obj.kind == kind.ERASURE:
            return "Use the action 'Hand over for erasure'"
        return "Use the action 'Build the access bundle'; portability is its JSON part"

    def save_model(self, request, obj, form, change):
        services.subject_request_save(request=obj, actor=request.user)  # the form has checked it

    @admin.action(description="Build the access bundle (everything held about the person)")
    def build_access_bundle(self, request, queryset):
        for subject_request in queryset:
            try:
                services.access_bundle_request(subject_request=subject_request, actor=request.user)
                self.message_user(request, f"Building the bundle for request {subject_request.pk}")
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.action(description="Hand over for erasure")
    def hand_over_for_erasure(self, request, queryset):
        for subject_request in queryset:
            self.message_user(
                request, services.erasure_hand_over(subject_request=subject_request, actor=request.user)
            )


@admin.register(models.AccessBundle)
class AccessBundleAdmin(admin.ModelAdmin):
    list_display = ["id", "request", "state", "progress_bar", "created_at", "finished_at"]
    readonly_fields = [
        "request",
        "state",
        "progress_bar",
        "document",
        "third_party_names",
        "content_json",
        "created_at",
        "finished_at",
    ]
    exclude = ["progress", "withheld_names"]

    def get_queryset(self, request):
        """Scoped like every personal record: a bundle is a copy of one young person's data."""
        return access.scope(request.user, super().get_queryset(request), through="request__young_person")

    @admin.display(description="Progress")
    def progress_bar(self, obj):
        return format_html(
            '<progress max="100" value="{}">{}%</progress> {}%', obj.progress, obj.progress, obj.progress
        )

    @admin.display(description="Readable document")
    def document(self, obj):
        if obj.state not in (obj.State.READY, obj.State.RELEASED):
            return "Not ready yet: refresh this page to see the progress"
        return format_html(
            '<a href="{}">Review it, choose the names to withhold, and release it</a>',
            reverse("sharing:bundle-document", args=[obj.pk]),
        )

    def has_add_permission(self, request):
        return False


@admin.register(models.Breach)
class BreachAdmin(TrackedAdmin):
    list_display = ["aware_at", "breach_type", "risk", "ico_due", "ico_notified_at", "people_told_on"]
    list_filter = ["breach_type", "risk"]
    raw_id_fields = ["young_people"]
    exclude = ["recorded_by"]

    @admin.display(description="ICO notification due")
    def ico_due(self, obj):
        due = f"{timezone.localtime(obj.ico_due_at):%d %b %Y %H:%M}"
        return (
            format_html('<strong class="app-overdue">{} (overdue)</strong>', due) if obj.ico_overdue else due
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
