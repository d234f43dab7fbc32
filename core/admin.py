"""Staff accounts in the admin, run so that no one widens reach alone: the system administrator edits
names, email (until the account first signs in), activity and ordinary roles; privileged roles wait
for a second system administrator; passwords are set only by their owners through an emailed link;
superusers exist only from the command line. Every change is a ``StaffChange``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core import services
from core.models import RoleRequest, StaffChange
from core.roles import Role

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(TOTPDevice)
admin.site.unregister(AuthToken)


class LabelledDateTimes:
    """Django's split date and time inputs have no label of their own (the field's label points at
    neither): each gets one, "<label>: date" and "<label>: time". A ModelAdmin mixin."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, AdminSplitDateTime):
            label = capfirst(db_field.verbose_name)
            for widget, part in zip(field.widget.widgets, ("date", "time"), strict=True):
                widget.attrs["aria-label"] = f"{label}: {part}"
        return field


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs and aggregates: looked at, never added to, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffAccountForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=[(role.value, role.value) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A data protection officer, service manager or system administrator role takes effect "
        "when a second system administrator approves it (Role requests).",
    )

    actor = None  # the signed-in user (StaffUserAdmin.get_form)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = sorted(services.roles_of(self.instance))

    def clean_roles(self):
        roles = set(self.cleaned_data["roles"])
        if (
            self.instance.pk
            and self.instance.pk == self.actor.pk
            and roles != services.roles_of(self.instance)
        ):
            raise ValidationError(services.SELF_ROLES)
        return roles


@admin.register(User)
class StaffUserAdmin(admin.ModelAdmin):
    """Staff are deactivated, never deleted: deleting a user would blank them out of every history row."""

    form = StaffAccountForm
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["username", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["send_password_link"]
    fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email"]}),
        ("Access", {"fields": ["roles", "is_active", "is_staff"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """A superuser's account is the command line's (manage.py changepassword, createsuperuser)."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        """Once an account has signed in its email is where its set-password links go: changing it
        would let whoever changed it set the password."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "email"] if obj is not None and obj.last_login else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = type(
            "StaffAccountForm", (super().get_form(request, obj, change, **kwargs),), {"actor": request.user}
        )
        if obj is not None:
            form.base_fields["roles"].initial = sorted(services.roles_of(obj))
        return form

    def save_model(self, request, obj, form, change):
        roles = {Role(role) for role in form.cleaned_data["roles"]}
        for asked in services.account_save(
            actor=request.user, user=obj, changed=form.changed_data, roles=roles
        ):
            messages.info(request, f"{asked.role} asked for: a second system administrator must approve it")

    def save_related(self, request, form, formsets, change):
        pass  # roles are saved by account_save; the form edits no other relation

    @admin.action(description="Send a set-password link to the account's email")
    def send_password_link(self, request, queryset):
        for user in queryset.filter(is_superuser=False):
            try:
                services.account_password_link(actor=request.user, user=user)
            except ValidationError as error:
                messages.error(request, f"{user.username}: {' '.join(error.messages)}")


@admin.register(RoleRequest)
class RoleRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "requested_by", "requested_at", "approved", "decided_by"]
    list_filter = ["approved", "role"]
    actions = ["approve", "refuse"]

    def _decide(self, request, queryset, approve: bool) -> None:
        for role_request in queryset:
            try:
                services.role_request_decide(actor=request.user, request=role_request, approve=approve)
            except ValidationError as error:
                messages.error(request, f"Request {role_request.pk}: {' '.join(error.messages)}")

    @admin.action(description="Approve the selected requests", permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Refuse the selected requests", permissions=["decide"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def has_decide_permission(self, request):
        return request.user.has_perm("core.change_rolerequest")


@admin.register(StaffChange)
class StaffChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "change", "actor"]
    search_fields = ["user__username"]
    date_hierarchy = "at"


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every API token: whose, when made, when it expires (the token itself is stored hashed and never
    shown). A system administrator ends a token at once (delete: a leak, a retired integration) or
    rotates it: it expires in 7 days, while the integration moves to a new token minted on the
    server (manage.py api_token_create). Tokens are never minted here: whoever saw one could act as
    its account. Each change is recorded against the account (Staff changes)."""

    list_display = ["token_key", "user", "created", "expiry", "expired"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    actions = ["expire_soon"]

    @admin.display(boolean=True, description="Expired")
    def expired(self, token):
        return token.expiry is not None and token.expiry <= timezone.now()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_expire_permission(self, request):
        return request.user.has_perm("knox.change_authtoken")

    def delete_model(self, request, obj):
        services.api_token_end(actor=request.user, token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            services.api_token_end(actor=request.user, token=token)

    @admin.action(description="Rotate: the selected tokens expire in 7 days", permissions=["expire"])
    def expire_soon(self, request, queryset):
        for token in queryset.select_related("user"):
            services.api_token_expire_soon(actor=request.user, token=token)
        self.message_user(
            request, "They expire in 7 days: mint each account's new token on the server now.", messages.INFO
        )


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TOTPDeviceAdmin):
    """A lost phone: the system administrator removes the account's authenticator (audited); the next
    sign-in sets up a new one. No one adds or edits another person's authenticator."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.authenticator_remove(actor=request.user, device=obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            services.authenticator_remove(actor=request.user, device=device)
