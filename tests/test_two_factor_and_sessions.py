"""Two-factor authentication for every role, session lifetimes, ending a deactivated user's sessions,
and the sign-in and sign-out audit."""

import time
from base64 import b32decode

import pytest
from axes.models import AccessLog
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import LAST_SEEN, SIGNED_IN_AT
from core.models import StaffSession
from tests.factories import authenticator, otp_code, sign_in_verified

pytestmark = pytest.mark.django_db
PERSONAS = ["adviser", "team_manager", "service_manager", "dpo", "sysadmin", "nobody"]


def password_sign_in(client, username, next_url=""):
    data = {"username": username, "password": "test-password-123", "next": next_url}
    return client.post(reverse("login"), data)


def enter_code(client, code, next_url=""):
    return client.post(reverse("two-factor"), {"code": code, "next": next_url})


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_password_alone_reaches_no_page_for_any_role(client, world, persona):
    user = getattr(world, persona)
    authenticator(user)
    password_sign_in(client, user.username)
    record = reverse("cases:young-person-detail", args=[world.case.pk])
    for url in (reverse("cases:caseload"), record, "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("two-factor") + "?next=")


def test_the_right_code_opens_the_page_asked_for(client, world):
    record = reverse("cases:young-person-detail", args=[world.case.pk])
    authenticator(world.adviser)
    password_sign_in(client, "adviser", next_url=record)
    page = client.get(reverse("two-factor"), {"next": record})
    assert "Enter your code" in page.content.decode()
    response = enter_code(client, otp_code(world.adviser), next_url=record)
    assert response.url == record
    assert client.get(record).status_code == 200


def test_a_wrong_code_re_renders_with_a_message_and_opens_nothing(client, world):
    authenticator(world.adviser)
    password_sign_in(client, "adviser")
    response = enter_code(client, "000000" if otp_code(world.adviser) != "000000" else "111111")
    assert response.status_code == 200
    assert "Enter the code your app shows now" in response.content.decode()
    assert client.get(reverse("cases:caseload")).status_code == 302


def test_a_code_cannot_be_used_twice(client, world):
    authenticator(world.adviser)
    code = otp_code(world.adviser)
    password_sign_in(client, "adviser")
    assert enter_code(client, code).status_code == 302
    client.post(reverse("logout"))
    password_sign_in(client, "adviser")
    assert enter_code(client, code).status_code == 200  # refused: replayed


def test_repeated_wrong_codes_are_slowed_down(client, world):
    authenticator(world.adviser)
    password_sign_in(client, "adviser")
    for _ in range(3):
        enter_code(client, "999999" if otp_code(world.adviser) != "999999" else "888888")
    assert enter_code(client, otp_code(world.adviser)).status_code == 200  # the right code waits
    assert TOTPDevice.objects.get(user=world.adviser).throttling_failure_count >= 1


def test_a_first_sign_in_sets_up_the_app_from_the_page(client, world):
    password_sign_in(client, "adviser")
    page = client.get(reverse("two-factor")).content.decode()
    assert "Set up your authenticator app" in page
    assert "<svg" in page
    key = page.split('<code class="app-secret">')[1].split("</code>")[0].replace(" ", "")
    device = TOTPDevice.objects.get(user=world.adviser)
    assert not device.confirmed
    code = f"{totp(b32decode(key), device.step, device.t0, device.digits, device.drift):06d}"
    assert enter_code(client, code).url == reverse("cases:caseload")
    assert TOTPDevice.objects.get(user=world.adviser).confirmed
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_the_code_page_never_redirects_off_site(client, world):
    authenticator(world.adviser)
    password_sign_in(client, "adviser")
    response = enter_code(client, otp_code(world.adviser), next_url="https://evil.example/")
    assert response.url == reverse("cases:caseload")


def test_sign_in_and_sign_out_are_audited(client, world):
    authenticator(world.adviser)
    password_sign_in(client, "adviser")
    enter_code(client, otp_code(world.adviser))
    log = AccessLog.objects.get(username="adviser")
    assert log.logout_time is None
    assert StaffSession.objects.filter(user=world.adviser).count() == 1
    client.post(reverse("logout"))
    log.refresh_from_db()
    assert log.logout_time is not None
    assert not StaffSession.objects.filter(user=world.adviser).exists()


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


@pytest.mark.parametrize(
    ("ages", "expired"),
    [
        ({LAST_SEEN: 29 * 60}, False),
        ({LAST_SEEN: 31 * 60}, True),  # idle for longer than 30 minutes
        ({SIGNED_IN_AT: 9 * 3600}, False),
        ({SIGNED_IN_AT: 10 * 3600 + 1}, True),  # signed in more than 10 hours ago, however busy
    ],
)
def test_sessions_expire_when_idle_and_at_their_absolute_age(world, client_for, ages, expired):
    client = client_for(world.adviser)
    age_session(client, **ages)
    response = client.get(reverse("cases:caseload"))
    if expired:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert "_auth_user_id" not in client.session
        page = client.get(response.url).content.decode()
        assert "You were signed out to keep young people" in page
    else:
        assert response.status_code == 200


def test_activity_keeps_an_idle_session_alive(world, client_for):
    client = client_for(world.adviser)
    age_session(client, **{LAST_SEEN: 20 * 60})
    assert client.get(reverse("cases:caseload")).status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5


def test_deactivating_a_user_ends_every_session_they_hold(world, client_for, client):
    first = client_for(world.adviser)
    second = type(client)()
    sign_in_verified(second, world.adviser)
    assert StaffSession.objects.filter(user=world.adviser).count() == 2
    world.adviser.is_active = False
    world.adviser.save()
    assert not StaffSession.objects.filter(user=world.adviser).exists()
    for browser in (first, second):
        response = browser.get(reverse("cases:caseload"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
