"""No lost updates through the API: reading a record gives its ETag (its version); a change must send
it back in If-Match (428 without), and one made from an older version is refused with 412, what
changed since and the ETag now, saving nothing (pages: tests/cases/test_lost_updates.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services, versions

pytestmark = pytest.mark.django_db
PEOPLE = "/api/v1/young-people/"


def test_the_api_gives_an_etag_and_refuses_a_change_without_if_match_or_from_a_stale_one(world, api_for):
    api, url = api_for(world.adviser), f"{PEOPLE}{world.case.pk}/"
    etag = api.get(url)["ETag"]
    assert etag == f'"{versions.version_of(world.case)}"'

    missing = api.patch(url, {"town": "Leigh", "reason": "Moved"}, format="json")
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]

    services.young_person_update(
        young_person=world.case, actor=world.team_manager, reason="Moved", town="Benfleet"
    )
    stale = api.patch(url, {"town": "Leigh", "reason": "Moved"}, format="json", headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale["ETag"] == f'"{versions.version_of(world.case)}"' != etag
    (change,) = stale.json()["changes"]
    assert change["reason"] == "Moved"
    assert {"field": "Town", "before": world.case.town and "(blank)", "after": "Benfleet"} in change[
        "fields"
    ] or any(row["field"] == "Town" and row["after"] == "Benfleet" for row in change["fields"])
    for header in ("garbage", '"12abc"', "*"):
        assert (
            api.patch(url, {"town": "Leigh"}, format="json", headers={"If-Match": header}).status_code == 412
        )
    world.case.refresh_from_db()
    assert world.case.town == "Benfleet"  # nothing of the refused changes

    fresh = api.patch(
        url, {"town": "Leigh", "reason": "Moved"}, format="json", headers={"If-Match": stale["ETag"]}
    )
    assert fresh.status_code == 200
    assert fresh["ETag"] == f'"{versions.version_of(world.case)}"' != stale["ETag"]
    assert api.get(url).json()["town"] == "Leigh"


def test_completing_an_action_needs_the_etag_it_was_read_at(world, api_for):
    api = api_for(world.adviser)
    action = services.action_add(
        young_person=world.case,
        actor=world.adviser,
        description="Apply",
        owner="young_person",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    url = f"/api/v1/actions/{action.pk}/"
    etag = api.get(url)["ETag"]
    assert api.post(f"{url}complete/").status_code == 428
    action.due_on += timedelta(days=7)
    services.tracked_save(action, actor=world.team_manager, reason="Moved back a week")
    assert api.post(f"{url}complete/", headers={"If-Match": etag}).status_code == 412
    action.refresh_from_db()
    assert action.completed_on is None
    assert api.post(f"{url}complete/", headers={"If-Match": api.get(url)["ETag"]}).status_code == 200
