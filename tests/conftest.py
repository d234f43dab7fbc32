"""Personas shared by every test (docs/architecture.md): the case's adviser, a team colleague, another
team's adviser, the team manager, a service manager, the DPO, a system administrator, a user with no
role, and a co-worker with a time-limited grant."""

from dataclasses import dataclass
from datetime import timedelta

import factory
import factory.random
import pytest
from django.utils import timezone

from cases import services
from core.roles import Role
from tests.factories import TeamFactory, UserFactory, YoungPersonFactory, a_year_ago, sign_in_verified


@pytest.fixture(scope="session", autouse=True)
def _seeded_faker():
    """Synthetic data only, and the same data on every run."""
    factory.Faker._DEFAULT_LOCALE = "en_GB"
    factory.random.reseed_random(1234)  # seeds the Faker behind every factory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (throttle counters, dashboard figures, import progress)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_ledger(settings, tmp_path):
    """Each test writes destructions to a ledger of its own (retention.ledger)."""
    settings.DESTRUCTION_LEDGER_DIR = str(tmp_path / "ledger")


@dataclass
class World:
    team: object
    other_team: object
    adviser: object
    colleague: object
    other_adviser: object
    team_manager: object
    service_manager: object
    dpo: object
    sysadmin: object
    nobody: object
    co_worker: object
    case: object  # the adviser's young person
    colleague_case: object  # same team, another adviser
    other_case: object  # another team's young person


@pytest.fixture
def world(db) -> World:
    services.work_lists_rebuild()  # the night's rebuild has run: from here the writes keep the entries
    team, other_team = TeamFactory(name="North"), TeamFactory(name="South")
    adviser = UserFactory(username="adviser", role=Role.PERSONAL_ADVISER)
    colleague = UserFactory(username="colleague", role=Role.PERSONAL_ADVISER)
    other_adviser = UserFactory(username="other", role=Role.PERSONAL_ADVISER)
    team_manager = UserFactory(username="manager", role=Role.TEAM_MANAGER)
    for user, member_of in (
        (adviser, team),
        (colleague, team),
        (team_manager, team),
        (other_adviser, other_team),
    ):
        services.team_member_add(team=member_of, user=user, actor=None)
    co_worker = UserFactory(username="coworker", role=Role.PERSONAL_ADVISER)
    since = a_year_ago()  # on file well before last month's end (the month's return counts them)
    world = World(
        team=team,
        other_team=other_team,
        adviser=adviser,
        colleague=colleague,
        other_adviser=other_adviser,
        team_manager=team_manager,
        service_manager=UserFactory(username="service", role=Role.SERVICE_MANAGER),
        dpo=UserFactory(username="dpo", role=Role.DATA_PROTECTION_OFFICER, is_staff=True),
        sysadmin=UserFactory(username="sysadmin", role=Role.SYSTEM_ADMINISTRATOR, is_staff=True),
        nobody=UserFactory(username="nobody"),
        co_worker=co_worker,
        case=YoungPersonFactory(team=team, lead_adviser=adviser, on_file_since=since),
        colleague_case=YoungPersonFactory(team=team, lead_adviser=colleague, on_file_since=since),
        other_case=YoungPersonFactory(team=other_team, lead_adviser=other_adviser, on_file_since=since),
    )
    services.co_worker_grant(
        young_person=world.other_case,
        user=co_worker,
        actor=world.team_manager,
        until=timezone.localdate() + timedelta(days=30),
        reason="Joint youth justice work",
    )
    return world


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user, past the two-factor check (None:
    anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            sign_in_verified(client, user)
        return client

    return sign_in


@pytest.fixture
def api_for():
    """api_for(user) -> an API client signed in through a verified browser session (None: anonymous),
    whose every answer from /api/v1/ is checked against the live schema (tests/schema_check.py)."""

    def client(user):
        from tests.schema_check import SchemaCheckedClient

        api = SchemaCheckedClient()
        if user is not None:
            sign_in_verified(api, user)
        return api

    return client


@pytest.fixture
def eager_celery(monkeypatch):
    """Run Celery tasks in-process even when CI configures the Redis broker: for tests of what a
    task does, not of the broker."""
    from youthservice.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def migration_data(transactional_db):
    """Transactional tests (a live server, a real Celery worker) flush the database afterwards, which
    takes the data migrations' rows with it. Re-run those migrations (idempotent) so each such test
    starts with roles and codes."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, _), migration in sorted(loader.disk_migrations.items()):
        if app_label in ("cases", "tracking", "sharing", "exchange", "retention"):
            for operation in migration.operations:
                if isinstance(operation, RunPython) and not operation.hints.get("schema_only"):
                    operation.code(apps, None)


def pytest_collection_modifyitems(config, items):
    """Scenarios marked ``postgresql`` need the server's tools: they run on CI's PostgreSQL leg and
    are skipped, saying so, on the SQLite default."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(
        reason="PostgreSQL scenario: runs when DATABASE_URL names PostgreSQL (CI's second leg)"
    )
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """Print how many URL x role x record cases the access matrix ran (workers report them)."""
    runs = sum(
        value
        for report in terminalreporter.stats.get("passed", [])
        for key, value in getattr(report, "user_properties", [])
        if key == "access_matrix_cases"
    )
    if runs:
        terminalreporter.write_line(f"access matrix: {runs} URL x role x record cases checked")
