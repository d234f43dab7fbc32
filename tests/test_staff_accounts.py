"""The system administrator manages accounts without being able to widen any account's reach, their
own included: no superuser flag or permissions, privileged roles only with a second administrator,
passwords set only by their owners, every change audited; a lost phone works as the guide says."""

import re

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Team
from core import services
from core.models import RoleRequest, StaffChange
from core.roles import Role
from tests.factories import TeamFactory, UserFactory, authenticator

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


@pytest.fixture
def sysadmin(world):
    world.sysadmin.email = "sysadmin@example.invalid"
    world.sysadmin.save()
    return world.sysadmin


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def account_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "roles": sorted(services.roles_of(user)),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in ("", None)}


def test_reposting_their_own_form_with_superuser_groups_and_permissions_changes_nothing(
    world, sysadmin, client_for
):
    dpo_group = Group.objects.get(name=Role.DATA_PROTECTION_OFFICER)
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    response = client_for(sysadmin).post(
        change_url(sysadmin),
        account_form(
            sysadmin,
            is_superuser="on",
            groups=[dpo_group.pk],
            user_permissions=every_permission,
            password="pbkdf2_sha256$1$x$y",
        ),
    )
    assert response.status_code == 302
    sysadmin.refresh_from_db()
    assert not sysadmin.is_superuser
    assert not sysadmin.user_permissions.exists()
    assert services.roles_of(sysadmin) == {Role.SYSTEM_ADMINISTRATOR}
    assert sysadmin.check_password(PASSWORD)


@pytest.mark.parametrize("role", list(Role))
def test_no_one_changes_their_own_roles(world, sysadmin, client_for, role):
    roles = sorted(
        {Role.SYSTEM_ADMINISTRATOR, role} - ({role} if role == Role.SYSTEM_ADMINISTRATOR else set())
    )
    response = client_for(sysadmin).post(change_url(sysadmin), account_form(sysadmin, roles=roles))
    assert response.status_code == 200
    assert services.SELF_ROLES in response.content.decode()
    assert services.roles_of(User.objects.get(pk=sysadmin.pk)) == {Role.SYSTEM_ADMINISTRATOR}
    assert not RoleRequest.objects.exists()


def test_an_ordinary_role_is_given_at_once_and_recorded(world, sysadmin, client_for):
    person = UserFactory(username="newstarter")
    response = client_for(sysadmin).post(change_url(person), account_form(person, roles=[Role.TEAM_MANAGER]))
    assert response.status_code == 302
    assert services.roles_of(person) == {Role.TEAM_MANAGER}
    assert StaffChange.objects.filter(user=person, actor=sysadmin, change="Role given: Team manager").exists()


@pytest.mark.parametrize(
    "role", [Role.DATA_PROTECTION_OFFICER, Role.SERVICE_MANAGER, Role.SYSTEM_ADMINISTRATOR]
)
def test_a_privileged_role_waits_for_a_second_administrator(world, sysadmin, client_for, role):
    person = UserFactory(username="candidate", is_staff=True)
    client_for(sysadmin).post(change_url(person), account_form(person, roles=[role]))
    assert services.roles_of(person) == set()
    request = RoleRequest.objects.get(user=person, role=role)
    decide = reverse("admin:core_rolerequest_changelist")

    client_for(sysadmin).post(decide, {"action": "approve", "_selected_action": [request.pk]})  # the asker
    person.groups.add(Group.objects.get(name=Role.SYSTEM_ADMINISTRATOR))  # the holder, were they one
    client_for(person).post(decide, {"action": "approve", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.decided_at is None
    person.groups.remove(Group.objects.get(name=Role.SYSTEM_ADMINISTRATOR))
    assert services.roles_of(person) == set()

    second = UserFactory(username="second", role=Role.SYSTEM_ADMINISTRATOR, is_staff=True)
    client_for(second).post(decide, {"action": "approve", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert (request.approved, request.decided_by) == (True, second)
    assert services.roles_of(person) == {role}
    changes = list(StaffChange.objects.filter(user=person).values_list("change", "actor__username"))
    assert (f"Role asked for: {role}", sysadmin.username) in changes
    assert (f"Role approved: {role}", "second") in changes


def test_no_password_is_set_by_anyone_but_its_owner(world, sysadmin, client_for):
    dpo = world.dpo
    dpo.email = "dpo@example.invalid"
    dpo.save()
    client = client_for(sysadmin)
    client.post(
        change_url(dpo), {**account_form(dpo), "password1": "Taken0ver!x", "password2": "Taken0ver!x"}
    )
    dpo.refresh_from_db()
    assert dpo.check_password(PASSWORD)
    assert client.get(f"/admin/auth/user/{dpo.pk}/password/").status_code in (302, 404)  # no such page
    dpo.refresh_from_db()
    assert dpo.check_password(PASSWORD)

    client.post(
        reverse("admin:auth_user_changelist"), {"action": "send_password_link", "_selected_action": [dpo.pk]}
    )
    (message,) = mail.outbox
    assert message.to == ["dpo@example.invalid"]  # the owner, only
    link = re.search(r"https?://[^/\s]+(/set-password/\S+/)", message.body).group(1)
    anonymous = client_for(None)
    form_page = anonymous.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    done = anonymous.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "An0ther-long-one", "new_password2": "An0ther-long-one"},
    )
    assert done.status_code == 302
    dpo.refresh_from_db()
    assert dpo.check_password("An0ther-long-one")
    assert "no longer works" in anonymous.get(link, follow=True).content.decode()  # once only
    assert StaffChange.objects.filter(user=dpo, change__startswith="Set-password link sent").exists()


def test_a_new_account_has_no_password_and_its_owner_gets_a_link(
    world, sysadmin, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sysadmin).post(
            reverse("admin:auth_user_add"),
            {
                "username": "starter",
                "first_name": "Ada",
                "last_name": "Yarrowby",
                "email": "ay@example.invalid",
                "is_active": "on",
                "roles": [Role.PERSONAL_ADVISER],
            },
        )
    assert response.status_code == 302
    starter = User.objects.get(username="starter")
    assert not starter.has_usable_password()
    assert services.roles_of(starter) == {Role.PERSONAL_ADVISER}
    assert [m.to for m in mail.outbox] == [["ay@example.invalid"]]


def test_the_email_of_an_account_that_has_signed_in_cannot_be_changed(world, sysadmin, client_for):
    dpo = world.dpo
    dpo.email = "dpo@example.invalid"
    client_for(dpo)  # signs in: last_login set
    dpo.refresh_from_db()
    assert dpo.last_login is not None
    client_for(sysadmin).post(change_url(dpo), account_form(dpo, email="mine@example.invalid"))
    dpo.refresh_from_db()
    assert dpo.email != "mine@example.invalid"


def test_a_superusers_account_is_read_only_here(world, sysadmin, client_for):
    root = User.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    client = client_for(sysadmin)
    client.post(change_url(root), account_form(root, is_active=""))
    root.refresh_from_db()
    assert root.is_active
    client.post(
        reverse("admin:auth_user_changelist"), {"action": "send_password_link", "_selected_action": [root.pk]}
    )
    assert mail.outbox == []


def test_no_one_adds_themselves_to_a_team(world, sysadmin, client_for):
    team = TeamFactory(name="East")
    response = client_for(sysadmin).post(
        reverse("admin:cases_team_change", args=[team.pk]),
        {"name": "East", "area": "", "members": [sysadmin.pk], "version": team.history.latest().history_id},
    )
    assert response.status_code == 200
    assert "You cannot add yourself to a team" in response.content.decode()
    assert not Team.objects.get(pk=team.pk).members.filter(pk=sysadmin.pk).exists()


def test_a_lost_phone_the_administrator_removes_the_authenticator_and_the_owner_sets_up_a_new_one(
    world, sysadmin, client_for, client
):
    device = authenticator(world.adviser)
    response = client_for(sysadmin).post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert StaffChange.objects.filter(
        user=world.adviser, actor=sysadmin, change__startswith="Authenticator app removed"
    ).exists()
    client.logout()
    client.post(reverse("login"), {"username": "adviser", "password": PASSWORD})
    page = client.get(reverse("two-factor")).content.decode()
    assert "<svg" in page  # the QR code to set up a new app
    new = TOTPDevice.objects.get(user=world.adviser)
    code = f"{totp(new.bin_key, new.step, new.t0, new.digits, new.drift):06d}"
    assert client.post(reverse("two-factor"), {"code": code}).status_code == 302
    assert TOTPDevice.objects.get(user=world.adviser).confirmed


def test_the_system_administrator_can_change_nothing_else_that_widens_reach(world, sysadmin, rf):
    """Every admin page: what the system administrator may add, change or delete is accounts (as
    above), teams, organisations, and deciding others' role requests; nothing about young people."""
    request = rf.get("/admin/")
    request.user = sysadmin
    writable = sorted(
        model._meta.label
        for model, model_admin in site._registry.items()
        if model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )
    assert writable == [
        "auth.User",
        "cases.Organisation",
        "cases.Team",
        "knox.AuthToken",
        "otp_totp.TOTPDevice",
    ]
    form_fields = set(site._registry[User].get_form(request, sysadmin)().fields)
    assert form_fields == {"username", "first_name", "last_name", "email", "is_active", "is_staff", "roles"}


def test_api_tokens_are_listed_ended_and_rotated_never_shown_or_minted(world, sysadmin, client_for):
    """Ending or rotating narrows nothing it should not; minting in the admin would let the system
    administrator act as the account (an adviser's caseload through the API), so it cannot."""
    from datetime import timedelta

    from django.utils import timezone
    from knox.models import AuthToken

    leaked = services.api_token_create(user=world.adviser, days=90)
    due = services.api_token_create(user=world.team_manager, days=90)
    admin = client_for(sysadmin)
    listing = admin.get(reverse("admin:knox_authtoken_changelist")).content.decode()
    assert "adviser" in listing
    assert leaked not in listing
    assert due[:8] in listing  # the key's first characters name it; the rest is never stored
    assert admin.get(reverse("admin:knox_authtoken_add")).status_code == 403
    token = AuthToken.objects.get(user=world.adviser)
    assert admin.get(reverse("admin:knox_authtoken_change", args=[token.pk])).status_code == 200  # read-only
    response = admin.post(reverse("admin:knox_authtoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=world.adviser).exists()

    rotating = AuthToken.objects.get(user=world.team_manager)
    page = admin.post(
        reverse("admin:knox_authtoken_changelist"),
        {"action": "expire_soon", "_selected_action": [rotating.pk]},
        follow=True,
    ).content.decode()
    assert "mint each account" in page
    assert due not in page
    rotating.refresh_from_db()
    week = timezone.now() + timedelta(days=7)
    assert abs((rotating.expiry - week).total_seconds()) < 60
    changes = set(StaffChange.objects.filter(actor=sysadmin).values_list("user__username", "change"))
    assert ("adviser", f"API token {token.token_key} ended") in changes
    assert any(user == "manager" and change.startswith("API token") for user, change in changes)
    for persona in ("adviser", "team_manager", "service_manager", "dpo"):
        assert client_for(getattr(world, persona)).get(
            reverse("admin:knox_authtoken_changelist")
        ).status_code in (
            302,
            403,
        )
