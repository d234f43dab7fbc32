"""No personal data in logs or on error pages: identifiers and contact details are redacted from
every log line, exceptions are logged by type and stack without their message, and the error pages
say nothing about what went wrong."""

import io
import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from cases import selectors
from core.logs import PersonalDataFilter
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db
UPN, ULN, EMAIL = "A123456789012", "9876543210", "jo.bloggs@example.org"
POSTCODE, PHONE = "SS1 2AB", "01702 215000"


@pytest.fixture
def log_output():
    """What the configured console handler writes, as parsed JSON lines."""
    [handler] = [
        h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    # Swapped directly: setStream() would flush the old stream, which may be a capture pytest closed.
    previous, handler.stream = handler.stream, stream
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.stream = previous


def test_identifiers_and_contact_details_are_redacted_from_log_lines(log_output):
    logging.getLogger("exchange.formats").warning(
        "row for %s %s %s at %s tel %s", UPN, ULN, EMAIL, POSTCODE, PHONE
    )
    [line] = log_output()
    assert line["message"] == "row for [upn] [uln] [email] at [postcode] tel [phone]"
    assert (line["level"], line["logger"]) == ("WARNING", "exchange.formats")


def test_ids_and_counts_survive_redaction(log_output):
    logging.getLogger("retention").info("purged young person 12345 rows=17 batch=2026-11-23")
    assert log_output()[0]["message"] == "purged young person 12345 rows=17 batch=2026-11-23"


def test_a_crash_shows_a_plain_page_and_logs_no_personal_data(world, monkeypatch, log_output):
    def crash(user, young_person):
        raise RuntimeError(f"lookup failed for {young_person.legal_family_name} {UPN}")

    monkeypatch.setattr(selectors, "young_person_page", crash)
    client = Client(raise_request_exception=False)
    sign_in_verified(client, world.adviser)
    response = client.get(reverse("cases:young-person-detail", args=[world.case.pk]))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    for secret in (world.case.legal_family_name, UPN, "RuntimeError", "Traceback"):
        assert secret not in page
    [error] = [line for line in log_output() if line["level"] == "ERROR"]
    assert error["exception"] == "builtins.RuntimeError"
    assert world.case.legal_family_name not in json.dumps(error)
    assert UPN not in json.dumps(error)


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [("/no-such-page/", 404, "Page not found"), ("/young-people/987654/", 404, "Page not found")],
)
def test_error_pages_reveal_nothing(world, client_for, url, status, heading):
    response = client_for(world.adviser).get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert heading in page
    assert "987654" not in page.split("<main", 1)[1]


def test_a_form_without_its_csrf_token_is_refused_with_a_plain_page(world):
    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, world.adviser)
    response = client.post(reverse("cases:contact-create", args=[world.case.pk]), {"notes": "x"})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()
    assert not world.case.contacts.exists()


def test_a_links_secret_never_reaches_the_application_log(log_output, client, db):
    """Django logs every 4xx with its path ("Gone: /update/<token>/"): the token is redacted."""
    client.get(reverse("exchange:self-update", args=["Zq9SECRETtoken"]))
    client.get(reverse("set-password", args=["MQ", "abc-SECRET2"]))
    text = json.dumps(log_output())
    assert "/update/[token]" in text
    assert "SECRET" not in text
