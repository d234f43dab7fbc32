"""Every date boundary of retention pinned on both sides: a record is kept through its 25th birthday
and destroyed the day after; a legal hold covers its last day; scanned copies are kept 12 months to the
day; ESF-funded work is kept ten years after the project ends to the day. Moving any boundary by a day
fails one of these."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import YoungPerson
from retention import services
from retention.models import EsfParticipation, LegalHold, ScannedDocument
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def turning_25_in(world, days: int) -> tuple[YoungPerson, object]:
    """Someone whose 25th birthday is ``days`` from today, and that birthday."""
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=days)
    )
    return person, person.date_of_birth + relativedelta(years=25)


def kept(person: YoungPerson) -> bool:
    return YoungPerson.objects.filter(pk=person.pk).exists()


def test_a_record_is_kept_through_the_25th_birthday_and_destroyed_the_day_after(world):
    person, birthday = turning_25_in(world, 5)
    assert services.purge_expired(on=birthday).due == 0
    assert kept(person)
    assert services.purge_expired(on=birthday + DAY).destroyed == 1
    assert not kept(person)


def test_a_legal_hold_covers_its_last_day_and_not_the_next(world):
    person, birthday = turning_25_in(world, 5)
    until = birthday + timedelta(days=10)
    LegalHold.objects.create(
        young_person=person, reason="Claim", placed_by=world.dpo, placed_on=timezone.localdate(), until=until
    )
    assert services.purge_expired(on=until).held == 1
    assert kept(person)
    assert services.purge_expired(on=until + DAY).destroyed == 1
    assert not kept(person)


def test_esf_funded_work_is_kept_ten_years_after_the_project_to_the_day(world):
    person, birthday = turning_25_in(world, 5)
    ends = birthday - relativedelta(years=10) + timedelta(days=30)  # ten years on is after the birthday
    EsfParticipation.objects.create(young_person=person, project="Impact", project_ends_on=ends)
    last_day = ends + relativedelta(years=10)
    assert services.purge_expired(on=last_day).due == 0
    assert kept(person)
    assert services.purge_expired(on=last_day + DAY).destroyed == 1


def test_scanned_copies_are_kept_12_months_to_the_day(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    uploaded = timezone.localdate() - relativedelta(months=3)
    copy = ScannedDocument(young_person=world.case, title="Plan", uploaded_on=uploaded)
    copy.file.save("plan.txt", ContentFile(b"plan"), save=True)
    last_day = uploaded + relativedelta(months=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_documents(on=last_day) == 0
    assert ScannedDocument.objects.filter(pk=copy.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_documents(on=last_day + DAY) == 1
    assert not ScannedDocument.objects.filter(pk=copy.pk).exists()
    assert not (tmp_path / copy.file.name).exists()
