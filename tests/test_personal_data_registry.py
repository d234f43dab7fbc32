"""One registry of the models that hold a person's data (cases.registry), and the four things that must
find all of them: the access bundle, the record's History tab, merging and the purge. A person is
given a row behind every link (tests.everything) through the services; a model added later with a
link to YoungPerson and no row here fails the first test until it is covered."""

import json

import pytest
from django.urls import reverse

from cases import registry
from cases.models import YoungPerson
from sharing import services as sharing_services
from sharing.models import AccessBundle, SubjectRequest
from tests.everything import everything_about
from tests.factories import YoungPersonFactory
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db


def rows_of(link: registry.PersonalModel, person_id: int) -> set[int]:
    return set(
        link.model._default_manager.filter(**{link.person_field: person_id}).values_list("pk", flat=True)
    )


def test_every_column_that_holds_a_person_is_a_link_in_the_registry_and_each_has_a_row(
    world, client_for, django_capture_on_commit_callbacks
):
    person, _ = everything_about(world, client_for, django_capture_on_commit_callbacks)
    links = registry.personal_models()
    columns = {  # what the purge reads: every column of every table, found apart from the links
        (ref.model, ref.column)
        for ref in registry.references()
        if ref.model is not YoungPerson.history.model
        and not getattr(ref.model, "instance_type", None)  # history rows are their models' own
        and not ref.model._meta.auto_created  # a many-to-many's table: its link is the field
    }
    assert columns == {(link.model, link.person_column) for link in links if not link.many}
    assert [link.name() for link in links if not rows_of(link, person.pk)] == []


def test_the_access_bundle_holds_the_rows_behind_every_link_and_their_history(
    world, client_for, django_capture_on_commit_callbacks, eager_celery
):
    person, _ = everything_about(world, client_for, django_capture_on_commit_callbacks)
    request = SubjectRequest.objects.get(young_person=person)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = sharing_services.access_bundle_request(subject_request=request, actor=world.dpo)
    bundle.refresh_from_db()
    assert bundle.state == AccessBundle.State.READY
    content = json.loads(bundle.content_json)
    for link in registry.personal_models():
        key = link.name(plural=True).lower()
        pk = link.model._meta.pk.attname
        assert {row[pk] for row in content[key]} == rows_of(link, person.pk), key
        if hasattr(link.model, "history") and not link.many:
            history = {row["history_id"] for row in content[f"history of {key}"]}
            assert history, key
            assert history == set(
                link.model.history.filter(**{link.person_column: person.pk}).values_list(
                    "history_id", flat=True
                )
            ), key


def test_the_history_tab_shows_the_history_behind_every_link_to_those_who_may_see_it(
    world, client_for, django_capture_on_commit_callbacks
):
    """The DPO sees all but identifier clashes, which a service manager decides (and sees); the rules
    of who sees what are tests/cases/test_history_visibility.py's."""
    person, _ = everything_about(world, client_for, django_capture_on_commit_callbacks)
    url = reverse("cases:young-person-history", args=[person.pk])
    shown = {}
    for viewer in (world.dpo, world.service_manager):
        page = client_for(viewer).get(url)
        assert page.status_code == 200
        shown[viewer.username] = {change.what for change in page.context["page"].paginator.object_list}
    with_history = {
        link.name().capitalize()
        for link in registry.personal_models()
        if hasattr(link.model, "history") and not link.many
    }
    assert with_history - shown[world.dpo.username] == {"Identifier clash", "Identifier clash (holder)"}
    assert {"Identifier clash", "Identifier clash (holder)"} <= shown[world.service_manager.username]
    assert {"Young person", "Cohort exit", "Sensitive note"} <= shown[world.dpo.username]


def test_a_merge_moves_every_row_that_belongs_to_the_person_and_leaves_the_rest_saying_why(
    world, client_for, django_capture_on_commit_callbacks
):
    person, _ = everything_about(world, client_for, django_capture_on_commit_callbacks, left=False)
    kept = YoungPersonFactory(team=world.team)
    before = {link: rows_of(link, person.pk) for link in registry.personal_models()}
    tracking_services.records_merge(
        kept=kept, merged=person, actor=world.team_manager, reason="The same person"
    )
    moved = [link.name() for link in before if not link.merge_stays]
    assert {"contact", "activity", "sensitive note", "subject request", "ESF participation"} <= set(moved)
    for link, rows in before.items():
        if link.derived:  # worked out again: tests/cases/test_work_list_entries.py compares them
            continue
        if link.merge_stays:
            assert rows <= rows_of(link, person.pk), link.name()
        else:
            assert rows <= rows_of(link, kept.pk), link.name()
            assert rows_of(link, person.pk) == set(), link.name()
