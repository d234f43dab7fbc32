"""The changes feed on PostgreSQL, where transactions commit in an order of their own: a tombstone
written by a transaction still running is held back, with every one after it, so a cursor taken
meanwhile cannot pass it (by id alone, the later transaction's tombstone would have been given and the
earlier one, committed after, never)."""

import threading
import time

import pytest
from django.db import connection, transaction

from cases import services
from cases.models import YoungPerson

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
FEED = "/api/v1/changes/"


def transfer_tombstone(person: YoungPerson) -> None:
    services.tombstones_write([services.tombstone("transferred", YoungPerson, person.pk, person)])


def test_a_tombstone_committed_late_is_not_passed_by_a_cursor(world, api_for):
    written, release = threading.Event(), threading.Event()

    def slow_transaction():
        try:
            with transaction.atomic():
                transfer_tombstone(world.case)
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_transaction)
    slow.start()
    try:
        assert written.wait(timeout=30)
        with transaction.atomic():
            transfer_tombstone(world.colleague_case)  # a later transaction, committed first
        api = api_for(world.dpo)
        meanwhile = api.get(FEED).json()
        assert meanwhile["results"] == []
    finally:
        release.set()
        slow.join()
    assert [row["record"] for row in after(api, meanwhile["cursor"])] == [
        world.case.pk,
        world.colleague_case.pk,
    ]


def after(api, cursor: str) -> list[dict]:
    """The feed after ``cursor`` once it gives anything: a transaction of another test running beside
    this one (xdist) holds the feed back too, as any long transaction does in production."""
    deadline = time.monotonic() + 120
    while (
        not (results := api.get(FEED, {"cursor": cursor}).json()["results"]) and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    return results
