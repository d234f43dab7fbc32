"""A new member of staff signs in for the first time: password, then setting up the authenticator
app from the page (the typed key here), then their caseload. Each page passes axe-core."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_first_sign_in_sets_up_two_factor_authentication(page, world, assert_accessible):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("adviser")
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    qr_code = page.get_by_role("img", name="QR code for adding Youthservice to your authenticator app")
    assert qr_code.is_visible()
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill("12")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)

    key = b32decode(page.locator(".app-secret").inner_text().replace(" ", ""))
    device = TOTPDevice.objects.get(user=world.adviser)
    device.throttle_reset()  # the wrong code above would make the right one wait a second
    page.get_by_label("Code from your authenticator app").fill(f"{totp(key, device.step, device.t0):06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="My caseload").wait_for()
    assert TOTPDevice.objects.get(user=world.adviser).confirmed
