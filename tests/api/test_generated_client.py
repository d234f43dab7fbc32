"""A typed client generated from the live schema with openapi-python-client, as an integrator would
make one, runs docs/api.md's worked example in-process (httpx through the WSGI application): find a
learner by ULN, record an activity with an Idempotency-Key (the retry makes nothing new), read the
young people changed since, follow the changes feed to the record's transfer out of reach, and read a
refusal as the typed error the schema promises."""

import importlib
import os
import subprocess  # nosec B404 - runs the generator installed beside the tests, with fixed arguments
import sys
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from cases import services
from tests.factories import valid_uln
from tracking.models import Activity, ActivityCode

pytestmark = pytest.mark.django_db
GENERATOR = os.path.join(os.path.dirname(sys.executable), "openapi-python-client")


@pytest.fixture
def token(world, token_for) -> str:
    return token_for(world.adviser)


@pytest.fixture
def generated(token, wsgi_app, tmp_path):
    """The client package made from the schema as an integrator fetches it (with their token)."""
    schema = httpx.Client(transport=httpx.WSGITransport(app=wsgi_app), base_url="http://testserver").get(
        "/api/schema/",
        headers={"Authorization": f"Token {token}", "Accept": "application/vnd.oai.openapi+json"},
    )
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ.get('PATH', '')}"}
    arguments = ["generate", "--path", str(tmp_path / "schema.json"), "--meta", "none"]
    subprocess.run(  # noqa: S603  # nosec B603 - our own schema file and fixed arguments
        [GENERATOR, *arguments, "--output-path", str(tmp_path / "ysclient")],
        check=True,
        capture_output=True,
        env=env,
    )
    sys.path.insert(0, str(tmp_path))
    yield lambda name: importlib.import_module(f"ysclient.{name}")
    sys.path.remove(str(tmp_path))
    for module in [name for name in sys.modules if name.split(".")[0] == "ysclient"]:
        del sys.modules[module]


def test_a_generated_client_runs_the_worked_example(world, token, wsgi_app, generated):
    uln = valid_uln()
    services.young_person_update(young_person=world.case, actor=world.adviser, reason="From the ILR", uln=uln)
    since = timezone.now() - timedelta(minutes=1)
    client = generated("client").AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        prefix="Token",  # as the schema's security scheme is named
        httpx_args={"transport": httpx.WSGITransport(app=wsgi_app)},
    )
    models = generated("models")

    searched = generated("api.young_people.young_people_search_create").sync_detailed(
        client=client, body=models.IdentifierSearchRequest(uln=uln)
    )
    assert searched.status_code == 200, searched.content
    found = searched.parsed
    assert [person.id for person in found.results] == [world.case.pk]
    assert found.results[0].uln == uln

    apprenticeship = ActivityCode.objects.get(code="410")
    body = models.ActivityRequest(
        young_person=world.case.pk,
        code="410",  # the DfE's code
        start_date=timezone.localdate(),
        date_ascertained=timezone.localdate(),
    )
    create = generated("api.activities.activities_create")
    made = create.sync_detailed(client=client, body=body, idempotency_key="worked-example-1")
    again = create.sync_detailed(client=client, body=body, idempotency_key="worked-example-1")
    assert (made.status_code, again.status_code) == (201, 201)
    assert again.parsed.id == made.parsed.id
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Activity.objects.filter(young_person=world.case, code=apprenticeship).count() == 1

    changed = generated("api.young_people.young_people_list").sync(client=client, updated_since=since)
    assert world.case.pk in [person.id for person in changed.results]

    services.assign(
        young_person=world.case, adviser=world.other_adviser, team=world.other_team, actor=world.dpo
    )
    follow = generated("api.changes.changes_list")
    page = follow.sync(client=client)
    assert [(change.event, change.record) for change in page.results] == [("transferred", world.case.pk)]
    assert follow.sync(client=client, cursor=page.cursor).results == []

    refused = generated("api.young_people.young_people_search_create").sync_detailed(
        client=client, body=models.IdentifierSearchRequest(uln="9999999999")
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error)
    assert "temporary ULN" in str(refused.parsed.additional_properties["uln"])
