"""The staff roles: one Django group each, with the model-level permissions that role carries.

Model-level permissions give *reach over every record* only for the DPO and service managers
(``view_youngperson`` and friends). Advisers and team managers reach records through the object
grants that ``cases.services.assign`` writes, so their model-level permissions are capabilities
(may create a record, may transfer) and never reach.
"""

from enum import StrEnum


class Role(StrEnum):
    PERSONAL_ADVISER = "Personal adviser"
    TEAM_MANAGER = "Team manager"
    SERVICE_MANAGER = "Service manager"
    DATA_PROTECTION_OFFICER = "Data protection officer"
    SYSTEM_ADMINISTRATOR = "System administrator"


_CASE_RECORDS = ("parentcarer", "qualification", "attendance", "contact", "action", "sensitivenote")
_ADVISER = ("cases.add_youngperson",)
_SERVICE_WIDE_READ = (
    "cases.view_youngperson",
    *(f"cases.view_{model}" for model in _CASE_RECORDS if model != "sensitivenote"),
    "cases.view_team",
    "cases.view_organisation",
)

# How often each level of support should be contacted: the managers' to set.
_CONTACT_INTERVALS = ("cases.view_contactinterval", "cases.change_contactinterval")

# Imports match rows against every record, so they are the service managers' (service-wide reach).
_IMPORTS = (
    "exchange.add_importbatch",
    "exchange.view_importbatch",
    "exchange.resolve_reviewitem",
    *(f"exchange.{verb}_ignoredidentifier" for verb in ("view", "add", "change")),
)

_DPO_SHARING = (
    *(
        f"sharing.{verb}_{model}"
        for model in ("informationsharingagreement", "subjectrequest", "breach")
        for verb in ("view", "add", "change")
    ),
    *(f"cases.{verb}_restriction" for verb in ("view", "add", "change")),
    *(f"sharing.view_{model}" for model in ("consent", "disclosure", "disclosedperson", "accessbundle")),
    "sharing.change_accessbundle",
    "sharing.make_deidentified_extract",
    "sharing.make_statutory_return",
    *(
        f"retention.{verb}_{model}"
        for model in ("retentionrule", "legalhold")
        for verb in ("view", "add", "change")
    ),
    *(f"retention.view_{model}" for model in ("destructionrecord", "esfparticipation", "scanneddocument")),
)


ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PERSONAL_ADVISER: _ADVISER,
    Role.TEAM_MANAGER: (
        *_ADVISER,
        "cases.assign_youngperson",
        *_CONTACT_INTERVALS,
        "tracking.view_team_dashboard",
        "tracking.merge_records",
    ),
    Role.SERVICE_MANAGER: (
        *_ADVISER,
        "cases.assign_youngperson",
        *_CONTACT_INTERVALS,
        *_SERVICE_WIDE_READ,
        "tracking.view_service_dashboard",
        "tracking.merge_records",
        *_IMPORTS,
        "sharing.make_deidentified_extract",
        "sharing.make_statutory_return",
        "sharing.send_destination_feedback",
        "cases.view_identifierclash",  # a UPN or ULN given for two records: they decide
        "cases.change_identifierclash",
    ),
    Role.DATA_PROTECTION_OFFICER: (
        *_SERVICE_WIDE_READ,
        "tracking.view_service_dashboard",
        *_DPO_SHARING,
        "cases.view_sensitive_youngperson",
        "cases.view_sensitivenote",
        "cases.view_accessevent",
        "cases.view_youngpersonuserobjectpermission",
        "cases.view_youngpersongroupobjectpermission",
        "core.view_staffchange",  # who gave whom which role
        "core.view_rolerequest",
    ),
    Role.SYSTEM_ADMINISTRATOR: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "core.view_rolerequest",
        "core.change_rolerequest",  # deciding another administrator's request (never their own)
        "core.view_staffchange",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",  # a lost phone
        "knox.view_authtoken",  # API tokens: listed, ended at once, rotated (core.admin.ApiTokenAdmin)
        "knox.delete_authtoken",
        "knox.change_authtoken",  # only the expiry, to rotate; never minted in the admin
        "cases.view_team",
        "cases.add_team",
        "cases.change_team",
        "cases.view_organisation",
        "cases.add_organisation",
        "cases.change_organisation",
    ),
}


def sync_roles(apps) -> None:
    """Create or update each role's group so it holds ROLE_PERMISSIONS, as far as the apps migrated
    so far define them: each app's migration that adds permissions calls this again.
    tests/test_roles.py checks that, after every migration, each role holds exactly its list."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True  # create_permissions skips apps without models
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = permission_model.objects.none()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(wanted)
