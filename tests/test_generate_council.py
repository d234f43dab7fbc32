"""`generate_council` builds a synthetic council and grows it: the people it lacks join the same teams,
with identifiers no one else holds, contacts made by the database, a history row for every row, and a
status each. Run twice to the same size it adds nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from cases.models import Contact, Team, YoungPerson
from tracking.models import Activity, CurrentStatus

pytestmark = pytest.mark.django_db


def generate(size: int) -> str:
    out = StringIO()
    call_command("generate_council", young_people=size, teams=2, advisers_per_team=2, stdout=out)
    return out.getvalue()


def test_a_council_grows_to_the_size_asked_and_no_further():
    assert "Added 60 young people" in generate(60)
    teams = set(Team.objects.values_list("pk", flat=True))
    advisers = get_user_model().objects.filter(username__startswith="adviser-").count()
    assert "Added 40 young people" in generate(100)
    assert "Added 0 young people" in generate(100)

    assert YoungPerson.objects.count() == 100
    assert set(Team.objects.values_list("pk", flat=True)) == teams  # the same teams, no new staff
    assert get_user_model().objects.filter(username__startswith="adviser-").count() == advisers == 4
    for field in ("upn", "uln"):
        held = YoungPerson.objects.exclude(**{field: ""}).values(field).annotate(n=Count("pk"))
        assert held.exists()
        assert not held.filter(n__gt=1).exists()
    assert CurrentStatus.objects.count() == 100
    assert not YoungPerson.objects.filter(activities__isnull=True).exists()


def test_every_generated_row_has_its_history_row_and_contacts_vary():
    generate(50)
    for model in (YoungPerson, Contact, Activity):
        ids = set(model.objects.values_list("pk", flat=True))
        assert ids
        assert set(model.history.filter(history_type="+").values_list("id", flat=True)) == ids
    per_person = Contact.objects.values("young_person").annotate(n=Count("pk")).values_list("n", flat=True)
    assert 7 < sum(per_person) / 50 < 13  # about ten each
    assert min(per_person) >= 4
    assert max(per_person) <= 16
    contact = Contact.objects.select_related("young_person").first()
    assert contact.staff_member_id == contact.young_person.lead_adviser_id or (
        contact.young_person.lead_adviser_id is None
    )
    assert Contact.objects.values("notes").distinct().count() > 20
    assert Contact.objects.values("occurred_at").distinct().count() > 100


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_make_the_same_people_as_one(migration_data, monkeypatch):
    """The batches shared between two processes make the people one process makes (each batch has its
    own seed), each once; even when the parent's connection stays open across the fork (as under the
    test runner in CI, where two workers on its socket corrupted each other's statements)."""
    monkeypatch.setattr("demo.synthetic.connections.close_all", lambda: None)
    call_command("generate_council", young_people=12_000, teams=2, advisers_per_team=2, stdout=StringIO())
    alone = sorted(YoungPerson.objects.values_list("upn", "legal_family_name", "date_of_birth", "postcode"))
    contacts = Contact.objects.count()
    with connection.cursor() as cursor:  # Django's delete would write a history row for each of them
        cursor.execute("TRUNCATE cases_youngperson CASCADE")
    out = StringIO()
    call_command("generate_council", young_people=12_000, teams=2, advisers_per_team=2, workers=2, stdout=out)
    assert "Added 12,000 young people" in out.getvalue()
    shared = sorted(YoungPerson.objects.values_list("upn", "legal_family_name", "date_of_birth", "postcode"))
    assert shared == alone
    assert Contact.objects.count() == contacts
    assert CurrentStatus.objects.count() == 12_000
    for model in (YoungPerson, Contact, Activity):  # one history row each, none twice
        made = model.history.filter(history_type="+", id__in=model.objects.values("pk"))
        assert made.count() == model.objects.count()
