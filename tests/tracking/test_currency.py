"""The currency table: how long each recorded situation stays current, where that period comes from,
and what a database migrated from the rolling 12 months holds afterwards."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tracking import services
from tracking.models import Activity, ActivityCode, Currency

pytestmark = pytest.mark.django_db


def record(world, code, ascertained, **fields):
    return services.activity_record(
        young_person=world.case,
        actor=world.adviser,
        code=ActivityCode.objects.get(code=code),
        start_date=date(2025, 8, 1),
        date_ascertained=ascertained,
        **fields,
    )


@pytest.mark.parametrize(
    ("confirmed", "lapses"),
    [
        (date(2025, 8, 31), date(2025, 8, 31)),  # the last day of an academic year: lapses that night
        (date(2025, 9, 1), date(2026, 8, 31)),  # the first day of the next: a whole year
    ],
)
def test_education_lapses_at_the_end_of_the_academic_year_it_was_confirmed_in(world, confirmed, lapses):
    assert record(world, "230", confirmed).due_to_lapse_date == lapses


def test_verification_restarts_it_and_a_predicted_end_comes_first(world):
    assert record(world, "310", date(2025, 8, 1), date_verified=date(2025, 9, 1)).due_to_lapse_date == date(
        2026, 8, 31
    )
    with_end = record(world, "230", date(2025, 9, 2), predicted_end_date=date(2027, 6, 30))
    assert with_end.due_to_lapse_date == date(2027, 6, 30)


@pytest.mark.parametrize(
    ("code", "lapses"),
    [
        ("619", date(2025, 12, 2)),  # NEET: re-confirmed every 3 months
        ("330", date(2026, 3, 2)),  # employment without training: the council's 6 months
        ("710", date(2026, 3, 2)),  # custody: 6 months
        ("810", None),  # not known is never current
    ],
)
def test_other_situations_keep_their_period_in_months(world, code, lapses):
    assert record(world, code, date(2025, 9, 2)).due_to_lapse_date == lapses


def test_the_admin_shows_each_period_and_where_it_comes_from(world, client_for):
    world.dpo.user_permissions.add(*_code_permissions())
    page = client_for(world.dpo).get(reverse("admin:tracking_activitycode_changelist")).content.decode()
    assert "DfE: education and training stay current to the predicted end date" in page
    assert "The council&#x27;s choice: the DfE leaves this period open" in page


def test_a_period_in_months_needs_months_and_no_other_does(world):
    code = ActivityCode.objects.get(code="230")
    code.currency_months = 12
    with pytest.raises(ValidationError, match="Give the months for a period in months"):
        code.full_clean()
    code.currency, code.currency_months = Currency.MONTHS, None
    with pytest.raises(ValidationError, match="Give the months for a period in months"):
        code.full_clean()


def _code_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="view_activitycode")


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_from_the_rolling_year_holds_the_academic_year(migration_data, world):
    executor = MigrationExecutor(connection)
    executor.migrate([("tracking", "0007_data_exchange_moved_to_exchange")])
    old = executor.loader.project_state([("tracking", "0007_data_exchange_moved_to_exchange")]).apps
    code = old.get_model("tracking", "ActivityCode").objects.get(code="230")
    made = {"young_person_id": world.case.pk, "code": code, "start_date": date(2025, 9, 2)}
    activity = old.get_model("tracking", "Activity").objects.create(
        **made, date_ascertained=date(2025, 10, 1), due_to_lapse_date=date(2026, 10, 1)
    )
    predicted = old.get_model("tracking", "Activity").objects.create(
        **made,
        date_ascertained=date(2025, 10, 1),
        predicted_end_date=date(2027, 6, 30),
        due_to_lapse_date=date(2027, 6, 30),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Activity.objects.get(pk=activity.pk).due_to_lapse_date == date(2026, 8, 31)
    assert Activity.objects.get(pk=predicted.pk).due_to_lapse_date == date(2027, 6, 30)
    assert ActivityCode.objects.get(code="230").currency == Currency.ACADEMIC_YEAR
