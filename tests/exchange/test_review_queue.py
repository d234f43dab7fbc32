"""The review queue: rows matching could not decide (a close call, an unknown provider, a record
under restriction) wait for a service manager, who links, creates or dismisses them."""

import pytest
from django.urls import reverse

from cases.models import Organisation, Restriction, YoungPerson
from exchange.models import ReviewItem
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row, upload
from tests.factories import OrganisationFactory, valid_uln, valid_upn, years_ago
from tracking.models import Activity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_a_close_call_waits_in_the_review_queue_and_a_manager_links_it(
    client, world, school, django_capture_on_commit_callbacks
):
    existing = world.case  # no UPN on file; the school's row has a typo in the family name
    existing.upn, existing.gender = "", "F"
    existing.save()
    family = existing.legal_family_name
    typo = family[0] + family[2] + family[1] + family[3:] if len(family) > 3 else family + "e"
    row = school_row(
        given=existing.legal_given_name, family=typo, born=existing.date_of_birth, postcode="ME4 4TB"
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [row]))
    item = ReviewItem.objects.get()
    assert item.outcome == "open"
    assert list(item.candidates.all()) == [existing]

    queue = client.get(reverse("exchange:review-queue"))
    assert f"line {item.line}" in queue.content.decode()
    page = client.get(reverse("exchange:review-item", args=[item.pk]))
    assert existing.legal_given_name in page.content.decode()
    client.post(reverse("exchange:review-item", args=[item.pk]), {"decision": str(existing.pk)})
    item.refresh_from_db()
    assert item.outcome == "linked"
    assert item.young_person == existing
    assert item.row == {}
    existing.refresh_from_db()
    assert existing.postcode == "ME4 4TB"
    assert existing.legal_family_name == family
    assert existing.upn  # the school's UPN now on the record


def test_an_enrolment_for_an_unknown_provider_is_reviewed_then_becomes_an_activity(
    client, world, django_capture_on_commit_callbacks
):
    college = OrganisationFactory(name="Bay College", kind=Organisation.Kind.COLLEGE, ukprn="10001234")
    world.case.uln = valid_uln()
    world.case.save()
    header = [
        "ULN",
        "Forename",
        "Surname",
        "Date of birth",
        "UKPRN",
        "Course",
        "Start date",
        "Expected end date",
    ]
    start = years_ago(0, 60)
    rows = [
        [
            world.case.uln,
            world.case.legal_given_name,
            world.case.legal_family_name,
            world.case.date_of_birth,
            "10001234",
            "Plumbing L2",
            start,
            "",
        ],
        [valid_uln(), "Kit", "Yarrowby", years_ago(17, 5), "19999999", "Art L3", start, ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, college, csv_bytes(header, rows), file_format="enrolments")
    activity = Activity.objects.get(young_person=world.case)
    assert (activity.code.code, activity.provider, activity.notes, activity.source) == (
        "230",
        college,
        "Plumbing L2",
        "college",
    )
    item = ReviewItem.objects.get()
    assert item.kind == ReviewItem.Kind.PROVIDER_NOT_FOUND
    other = OrganisationFactory(name="Art School", kind=Organisation.Kind.COLLEGE)
    response = client.post(reverse("exchange:review-item", args=[item.pk]), {"decision": "new"})
    assert "Select the school or provider the row names" in response.content.decode()
    client.post(reverse("exchange:review-item", args=[item.pk]), {"decision": "new", "provider": other.pk})
    created = YoungPerson.objects.get(legal_family_name="Yarrowby")
    assert created.activities.get().provider == other


def test_a_row_for_a_record_under_an_article_18_restriction_waits_for_the_dpo(
    client, world, school, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from cases.services import restriction_set

    world.case.upn = valid_upn()
    world.case.save()
    restriction_set(
        young_person=world.case,
        actor=world.dpo,
        kind=Restriction.Kind.RESTRICTION,
        set_by="young_person",
        set_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [school_row(world.case, postcode="ME4 4TB")]))
    item = ReviewItem.objects.get()
    assert item.reason.startswith("Processing of this record is restricted")
    world.case.refresh_from_db()
    assert world.case.postcode != "ME4 4TB"
