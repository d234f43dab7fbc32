import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cases import access
from cases.models import Contact, YoungPerson
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_login_per_role_and_is_idempotent(capsys):
    call_command("seed_demo", young_people=30)
    first = capsys.readouterr().out
    assert (YoungPerson.objects.count(), Contact.objects.exists()) == (30, True)
    users = get_user_model().objects
    for role in Role:
        assert role.value in first
    adviser = users.get(username="adviser")
    assert adviser.check_password("demo-password-2026")
    assert (
        access.young_people_for(adviser).count()
        == YoungPerson.objects.filter(lead_adviser=adviser).count()
        > 0
    )
    assert access.young_people_for(users.get(username="dpo")).count() == 30

    call_command("seed_demo", young_people=30)
    assert YoungPerson.objects.count() == 30
    assert "Demo logins" in capsys.readouterr().out


def test_demo_logins_sign_in_with_the_printed_code(client, settings, capsys):
    call_command("seed_demo", young_people=10)
    capsys.readouterr()
    settings.DEBUG = True
    call_command("demo_code", "adviser")
    code = capsys.readouterr().out.strip()
    client.post("/sign-in/", {"username": "adviser", "password": "demo-password-2026"})
    assert client.post("/sign-in/code/", {"code": code}).url == "/caseload/"
    assert client.get("/caseload/").status_code == 200


def test_demo_codes_are_refused_outside_the_demo(settings):
    call_command("seed_demo", young_people=10)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="demo only"):
        call_command("demo_code", "adviser")
