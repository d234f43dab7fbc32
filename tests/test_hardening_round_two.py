"""Issue 15's smaller findings, each a regression test: server errors on hand-made input, pages kept
by caches, the session key not rotated at the second step, API tokens surviving a new password."""

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from core.models import StaffSession
from exchange import services as exchange_services
from exchange.views import SELF_UPDATE_MISSES
from tests.factories import authenticator, otp_code
from tests.test_two_factor_and_sessions import enter_code, password_sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", [b"p=abc", b"o=1&p=1e99", b"p=99999999999999999999999"])
def test_a_cursor_the_api_did_not_give_is_404(world, api_for, raw):
    cursor = base64.b64encode(raw).decode()
    assert api_for(world.adviser).get(f"/api/v1/contacts/?cursor={cursor}").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("dimension=team&value=abc", 400),
        ("dimension=team&value=99999999999999999999", 400),
        ("dimension=academic_age&value=x", 400),
        ("dimension=team&value=1", 200),
        ("dimension=gender&value=abc", 200),  # finds no one
    ],
)
def test_a_hand_edited_dashboard_link_is_a_bad_request_not_an_error(world, client_for, query, status):
    response = client_for(world.service_manager).get(
        f"{reverse('tracking:dashboard-people')}?measure=neet&{query}"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "url",
    [
        lambda world: reverse("cases:young-person-detail", args=[world.case.pk]),
        lambda world: reverse("cases:caseload-export"),
        lambda world: f"/api/v1/young-people/{world.case.pk}/",
        lambda world: reverse("admin:index"),
    ],
    ids=["record page", "caseload CSV", "API record", "admin"],
)
def test_nothing_a_signed_in_person_sees_is_stored_by_a_cache(world, client_for, url):
    response = client_for(world.dpo if "admin" in url(world) else world.adviser).get(url(world))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_session_key_changes_when_the_code_is_accepted_and_is_the_one_remembered(client, world):
    password_sign_in(client, "adviser")
    before = client.session.session_key
    authenticator(world.adviser)
    enter_code(client, otp_code(world.adviser))
    after = client.session.session_key
    assert after != before
    assert list(StaffSession.objects.filter(user=world.adviser).values_list("session_key", flat=True)) == [
        after
    ]


def test_a_new_password_ends_every_api_token(world):
    AuthToken.objects.create(user=world.adviser)
    world.adviser.set_password("A-new-l0ng-password")
    world.adviser.save()
    assert not AuthToken.objects.filter(user=world.adviser).exists()
    AuthToken.objects.create(user=world.adviser)
    world.adviser.first_name = "Renamed"
    world.adviser.save()  # other changes leave tokens alone
    assert AuthToken.objects.filter(user=world.adviser).exists()


def test_co_worker_access_goes_only_to_advisers_and_team_managers(world, client_for):
    from cases import services as case_services

    with pytest.raises(ValidationError, match="Choose a personal adviser or team manager"):
        case_services.co_worker_grant(
            young_person=world.case,
            user=world.sysadmin,
            actor=world.team_manager,
            until=timezone.localdate() + timedelta(days=5),
            reason="Cover",
        )
    page = client_for(world.team_manager).get(reverse("cases:co-worker-grant", args=[world.case.pk]))
    offered = set(page.context["form"].fields["user"].queryset.values_list("username", flat=True))
    assert {"adviser", "colleague", "manager"} <= offered
    assert not offered & {"sysadmin", "dpo", "service", "nobody"}


def test_a_self_update_link_is_kept_in_the_session_never_a_cookie(world, client_for):
    client = client_for(world.adviser)
    response = client.post(reverse("exchange:self-update-send", args=[world.case.pk]), {"channel": "shown"})
    assert response.status_code == 302
    assert not client.cookies.get("messages", None) or not client.cookies["messages"].value  # none set
    cookies = " ".join(morsel.value for morsel in client.cookies.values())
    page = client.get(response["Location"]).content.decode()
    link = re.search(r"/update/([^/\s<\"]+)/", page)
    assert link, "the page shows the link once"
    assert link.group(1) not in cookies


def test_a_link_that_works_opens_even_from_an_address_that_has_guessed(world, client):
    _, token = exchange_services.self_update_send(young_person=world.case, actor=world.adviser)
    for n in range(SELF_UPDATE_MISSES + 1):
        client.get(reverse("exchange:self-update", args=[f"guess-{n}"]))
    assert client.get(reverse("exchange:self-update", args=["guess-again"])).status_code == 429
    assert client.get(reverse("exchange:self-update", args=[token])).status_code == 200


def test_the_access_log_keeps_no_query_and_no_links_secret(tmp_path):
    """A real gunicorn with the settings the image and docker-compose give it: searches and link
    tokens stay out."""
    port = free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603 - this environment's gunicorn, this project
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:youthservice.gunicorn",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "youthservice.settings_test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_ACCESS_LOG": str(log),
        },
        stderr=subprocess.DEVNULL,
    )
    try:
        for path in (
            "/update/Zq9SECRETtoken/?q=Kelly",
            "/set-password/MQ/abc-SECRET2/",
            "/search/?q=Yarrowby",
        ):
            fetch(port, path, headers={"Referer": "https://x.invalid/admin/?q=Quenby"})
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text()
    assert lines.count("\n") >= 3  # and the sign-in page the search was sent to
    assert "/update/[token]" in lines
    assert "/set-password/[link]" in lines
    for secret in ("SECRET", "Kelly", "Yarrowby", "Quenby"):
        assert secret not in lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - our own server
            return
        except urllib.error.HTTPError:
            return  # any status: the line is written
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
