"""The API docs (Swagger UI from our own static files) load for a verified user under the strict
Content Security Policy: the page fixture fails the test on any CSP refusal."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_content_security_policy(page, world):
    sign_in(page, "adviser")
    page.goto("/api/docs/")
    page.get_by_role("heading", name="Youthservice API").wait_for()
    page.get_by_text("/api/v1/young-people/").first.wait_for()
