"""Data exchange in the admin: every import batch (read-only, without its file), resolved review
items and self-update links, scoped like every personal record."""

from django.contrib import admin

from cases.admin import ScopedAdmin
from core.admin import ReadOnlyAdmin
from exchange import models


@admin.register(models.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Every import: who, from whom, the file's hash and counts (the file itself is not kept)."""

    list_display = ["id", "file_format", "source_organisation", "uploaded_by", "uploaded_at", "state", "rows"]
    list_filter = ["file_format", "state"]
    exclude = ["content"]


@admin.register(models.ReviewItem)
class ReviewItemAdmin(ScopedAdmin):
    """Resolved review items, scoped by the record they were linked to (open ones are on the review
    queue page, where their row is shown beside the candidates)."""

    list_display = ["id", "batch", "line", "kind", "outcome", "young_person_id", "resolved_at"]
    exclude = ["row"]


@admin.register(models.SelfUpdateLink)
class SelfUpdateLinkAdmin(ScopedAdmin):
    list_display = ["id", "young_person_id", "sent_by", "sent_at", "expires_at", "used_at"]
    exclude = ["token_sha256"]


@admin.register(models.IgnoredIdentifier)
class IgnoredIdentifierAdmin(admin.ModelAdmin):
    """UPNs and ULNs that identify nobody (the temporary ULN, a provider's placeholder): service managers
    keep the list. Matching never uses them and records never store them."""

    list_display = ["kind", "value", "reason"]
