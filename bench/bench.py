"""`make bench`: build (or reuse) a synthetic council on PostgreSQL and time the operations that must
stay fast, each beside a hand-written SQL baseline of the same result, run in this process on the
same data. Prints a table; the README records the figures.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/youthservice_bench),
BENCH_YOUNG_PEOPLE (default 150000), BENCH_REPEAT (default 7).
"""

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/youthservice_bench"
)
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("CACHE_URL", "locmemcache://")
os.environ.setdefault("YOUTHSERVICE_LA_CODE", "882")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("DESTRUCTION_LEDGER_DIR", tempfile.mkdtemp(prefix="bench-ledger-"))  # rolled back
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthservice.settings")
os.environ["DASHBOARD_CACHE_SECONDS"] = "0"  # time the dashboard's work, never its cache

import warnings

import django

warnings.filterwarnings("ignore", "No directory at")
logging.getLogger("retention").setLevel(
    logging.WARNING
)  # one line per subject otherwise  # whitenoise: no collectstatic in benchmarks
django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import YoungPerson
from core.roles import Role
from demo import matching_sample, rolls
from exchange import services as exchange_services
from retention import selectors as retention_selectors
from retention import services as retention_services
from tracking import dashboards, services

YOUNG_PEOPLE = int(os.environ.get("BENCH_YOUNG_PEOPLE", "150000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
User = get_user_model()


def ensure_database() -> None:
    """Create the benchmark database on its server if it is not there yet (a fresh machine)."""
    import psycopg

    settings = connection.settings_dict
    server = {key.lower(): settings[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def ensure_council() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    existing = YoungPerson.objects.count()

    if existing >= YOUNG_PEOPLE:
        print(f"Reusing the synthetic council: {existing:,} young people")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as production's autovacuum would have by now
        return
    if existing:
        sys.exit(
            f"The bench database holds {existing:,} young people, fewer than {YOUNG_PEOPLE:,}: drop it first"
        )
    call_command("generate_council", young_people=YOUNG_PEOPLE)


def timed(action, repeat: int = REPEAT) -> tuple[float, int]:
    """Median milliseconds over ``repeat`` runs (after one warm-up) and the queries of one run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        action()
    return statistics.median(times), len(queries)


def raw(sql: str, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def page(client: Client, url: str):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return run


def signed_in(user) -> Client:
    """A client signed in as ``user`` past the two-factor check, as the sign-in pages leave it."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Benchmark"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def staff(username: str, role: Role):
    user, _ = User.objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=role.value))
    return user


HEADLINE_SQL = """
SELECT count(*) FILTER (WHERE status <> 'excluded'), count(*) FILTER (WHERE status = 'eet'),
       count(*) FILTER (WHERE status = 'neet'), count(*) FILTER (WHERE status = 'not_known'),
       count(*) FILTER (WHERE status = 'excluded'),
       count(*) FILTER (WHERE participating AND status <> 'excluded')
FROM tracking_currentstatus WHERE in_dfe_cohort AND academic_age IN (16, 17)
"""
GUARANTEE_SQL = """
SELECT count(*), count(*) FILTER (WHERE guarantee = 'offer_made')
FROM tracking_currentstatus WHERE guarantee <> ''
"""
BREAKDOWN_SQL = """
SELECT {column}, count(*) FILTER (WHERE status <> 'excluded'), count(*) FILTER (WHERE status = 'eet'),
       count(*) FILTER (WHERE status = 'neet'), count(*) FILTER (WHERE status = 'not_known'),
       count(*) FILTER (WHERE status = 'excluded'),
       count(*) FILTER (WHERE participating AND status <> 'excluded')
FROM tracking_currentstatus WHERE {cohort} GROUP BY 1 ORDER BY 1
"""
HEADLINE_COHORT = "in_dfe_cohort AND academic_age IN (16, 17)"
BREAKDOWNS = [
    ("academic_age", "in_service_cohort"),
    ("team_id", HEADLINE_COHORT),
    ("district", HEADLINE_COHORT),
    ("sen_status", HEADLINE_COHORT),
    ("vulnerable", HEADLINE_COHORT),
    ("gender", HEADLINE_COHORT),
    ("ethnicity", HEADLINE_COHORT),
]
CHARACTERISTIC_SQL = """
SELECT k.code, count(*) FILTER (WHERE s.status <> 'excluded'), count(*) FILTER (WHERE s.status = 'neet'),
       count(*) FILTER (WHERE s.status = 'not_known')
FROM tracking_currentstatus s JOIN tracking_characteristic c ON c.young_person_id = s.young_person_id
JOIN tracking_characteristiccode k ON k.id = c.code_id
WHERE s.in_dfe_cohort AND s.academic_age IN (16, 17) AND c.start_date <= CURRENT_DATE
  AND (c.end_date IS NULL OR c.end_date >= CURRENT_DATE)
GROUP BY 1 ORDER BY 1
"""
HISTORY_SQL = """
SELECT month_end, sum(cohort), sum(neet), sum(not_known), sum(neet_joiners), sum(neet_leavers)
FROM tracking_monthlysnapshot WHERE dimension = 'all' AND month_end >= CURRENT_DATE - 400
GROUP BY 1 ORDER BY 1
"""


_MEASURES_SQL = """
    count(*) FILTER (WHERE {cohort} AND status <> 'excluded') AS cohort,
    count(*) FILTER (WHERE {cohort} AND status = 'eet') AS eet,
    count(*) FILTER (WHERE {cohort} AND status = 'neet') AS neet,
    count(*) FILTER (WHERE {cohort} AND status = 'not_known') AS not_known,
    count(*) FILTER (WHERE {cohort} AND status = 'excluded') AS excluded,
    count(*) FILTER (WHERE {cohort} AND status <> 'excluded' AND participating) AS participating,
    count(*) FILTER (WHERE guarantee <> '') AS guarantee_cohort,
    count(*) FILTER (WHERE guarantee = 'offer_made') AS guarantee_offers,
    count(*) FILTER (WHERE {cohort} AND neet_joiner) AS neet_joiners,
    count(*) FILTER (WHERE {cohort} AND neet_leaver) AS neet_leavers"""
# The same rows as tracking.services.snapshot_count, hand-written: one statement, GROUPING SETS for the
# breakdowns, the characteristic codes split out of their column, the ages over the service's cohort.
SNAPSHOT_SQL = f"""
SELECT team_id, district, sen_status, vulnerable, gender, ethnicity, NULL AS code, NULL::smallint AS age,
    {_MEASURES_SQL.format(cohort="headline")}
FROM tracking_monthendstatus WHERE month_end = %(month_end)s
GROUP BY GROUPING SETS ((team_id), (team_id, district), (team_id, sen_status), (team_id, vulnerable),
    (team_id, gender), (team_id, ethnicity))
UNION ALL
SELECT team_id, NULL, NULL, NULL, NULL, NULL, code, NULL, {_MEASURES_SQL.format(cohort="headline")}
FROM tracking_monthendstatus, regexp_split_to_table(trim(characteristics), '\\s+') AS code
WHERE month_end = %(month_end)s AND characteristics <> '' GROUP BY team_id, code
UNION ALL
SELECT team_id, NULL, NULL, NULL, NULL, NULL, NULL, academic_age, {_MEASURES_SQL.format(cohort="TRUE")}
FROM tracking_monthendstatus WHERE month_end = %(month_end)s AND in_service_cohort
GROUP BY team_id, academic_age
"""  # nosec B608 - constant text, the month end a parameter


def dashboard_baseline():
    """The same figures as the service dashboard, each as one hand-written query."""
    runs = [raw(HEADLINE_SQL), raw(GUARANTEE_SQL), raw(CHARACTERISTIC_SQL), raw(HISTORY_SQL)]
    runs += [raw(BREAKDOWN_SQL.format(column=column, cohort=cohort)) for column, cohort in BREAKDOWNS]

    def run():
        for query in runs:
            query()

    return run


CASELOAD_SQL = """
SELECT p.id, p.legal_given_name, p.legal_family_name, p.date_of_birth, t.name, u.first_name, u.last_name,
       p.support_level, (SELECT max(c.occurred_at) FROM cases_contact c WHERE c.young_person_id = p.id)
FROM cases_youngperson p JOIN cases_team t ON t.id = p.team_id
LEFT JOIN auth_user u ON u.id = p.lead_adviser_id
WHERE p.lead_adviser_id = %s ORDER BY p.legal_family_name, p.legal_given_name, p.id LIMIT 25
"""
PERSON_SQL = [
    "SELECT * FROM cases_youngperson WHERE id = %s",
    "SELECT * FROM cases_contact WHERE young_person_id = %s",
    "SELECT * FROM cases_parentcarer WHERE young_person_id = %s",
    "SELECT * FROM cases_qualification WHERE young_person_id = %s",
    "SELECT * FROM cases_attendance WHERE young_person_id = %s",
    "SELECT * FROM cases_action WHERE young_person_id = %s",
]


def purge_row(count: int) -> tuple[float, float, int]:
    """Seconds to purge the due young people (``count`` made due, plus any the council already holds
    past their date) with their history through the nightly purge (finding who is due, batches of
    ``RETENTION_PURGE_BATCH`` each locked, traces searched and removed, destruction records and the
    ledger written), and for the baseline that reaches the same end state with no more than SQL:
    finding who is due, then the same deletes set-wise over all of them at once. Each runs in a
    transaction rolled back afterwards, so the benchmark council stays whole (making people due is
    set-up, not measured)."""
    ids = list(YoungPerson.objects.order_by("-pk").values_list("pk", flat=True)[:count])

    def due() -> list[int]:
        return [
            d.young_person_id
            for d in retention_selectors.due_for_destruction(timezone.localdate())
            if not d.held
        ]

    with transaction.atomic():
        YoungPerson.objects.filter(pk__in=ids).update(date_of_birth=date(1990, 1, 1))
        started = time.perf_counter()
        destroyed = retention_services.purge_expired().destroyed
        purge_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    with transaction.atomic(), connection.cursor() as cursor:
        YoungPerson.objects.filter(pk__in=ids).update(date_of_birth=date(1990, 1, 1))
        started = time.perf_counter()
        gone = due()
        for _, sql, params, _ in retention_services.statements(gone):
            cursor.execute(sql, params)
        set_wise_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    assert destroyed == len(gone), (destroyed, len(gone))
    return purge_seconds, set_wise_seconds, destroyed


def import_row(count: int) -> tuple[float, float, dict]:
    """Seconds to import a school roll through the import task's service (checking, matching against
    every record, saving with history), and seconds for PostgreSQL COPY of the same file into a bare
    table. Both roll back, so the council stays as it was."""
    from cases.models import Organisation
    from exchange.models import ImportBatch

    content = rolls.school_roll(count)
    uploader = staff("bench-importer", Role.SERVICE_MANAGER)
    school = Organisation.objects.filter(kind=Organisation.Kind.SCHOOL).first()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_format="school_roll",
            source_organisation=school,
            team=YoungPerson.objects.first().team,
            file_name="bench.csv",
            file_sha256="bench",
            content=content,
            uploaded_by=uploader,
        )
        started = time.perf_counter()
        batch = exchange_services.import_run(batch_id=batch.pk)
        import_seconds = time.perf_counter() - started
        counts = {k: getattr(batch, k) for k in ("rows", "created", "updated", "unchanged", "to_review")}
        transaction.set_rollback(True)
    assert batch.state == "applied", batch.errors[:5]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_roll (upn text, given text, family text, born date, gender text, "
            "address text, postcode text, urn text)"
        )
        started = time.perf_counter()
        with cursor.copy("COPY bench_roll FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        copy_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return import_seconds, copy_seconds, counts


# Runs manage.py in the child and prints the child's own peak: RUSAGE_CHILDREN would also count the
# moment between fork and exec, when the child is a copy of this (much larger) benchmark process.
OWN_PEAK = (
    "import resource, runpy, sys; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__'); "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def return_row(month_end: date) -> tuple[float, float]:
    """Seconds and peak memory (MB) of the month's NCCIS return, as the command writes it in a process
    of its own (so the peak is the return's, not this benchmark's)."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                OWN_PEAK,
                str(ROOT / "manage.py"),
                "nccis_return",
                "--month",
                f"{month_end:%Y-%m}",
                "--out",
                str(Path(folder) / "return.xml"),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
    return seconds, int(done.stdout.split()[-1]) / 1024


MATCHING_SEEDS = (1, 2, 3)


def matching_rows() -> None:
    """The import's matching on a labelled messy roll (demo.matching_sample): a council of 20,000 and a
    10,000-row roll per seed, through the same index and decision the import uses. No database."""
    print(f"\nMatching: {'category':<32} " + " ".join(f"{'seed ' + str(s):>22}" for s in MATCHING_SEEDS))
    results = [matching_sample.measure(seed) for seed in MATCHING_SEEDS]
    for name, _, _ in matching_sample.CATEGORIES:
        cells = " ".join(
            f"{t[name].correct:>5}/{t[name].wrong:>2}/{t[name].review:>4}/{t[name].new:>4}" for t in results
        )
        print(f"  {name:<40} {cells}")
    print("  (each cell: correct / wrong person / review / new)")
    for seed, tallies in zip(MATCHING_SEEDS, results, strict=True):
        figures = matching_sample.summary(tallies)
        print(
            f"  seed {seed}: precision {figures['precision']:.4f}, recall {figures['recall']:.4f} "
            f"(with an identifier on file {figures['recall with an identifier on file']:.4f}, without "
            f"{figures['recall without']:.4f}), review share {figures['review share']:.4f}, wrong person "
            f"in hard negatives {figures['wrong person in hard negatives']} "
            "(targets: 0; >= 0.99; >= 0.90; < 0.10)"
        )


def main() -> None:
    matching_rows()
    ensure_council()
    service = staff("bench-service-manager", Role.SERVICE_MANAGER)
    person = YoungPerson.objects.filter(lead_adviser__isnull=False).order_by("pk")[YOUNG_PEOPLE // 2]
    adviser = person.lead_adviser
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    person_queries = [raw(sql, [person.pk]) for sql in PERSON_SQL]
    rows = [
        ("Service dashboard", page(signed_in(service), "/dashboard/"), dashboard_baseline()),
        ("Adviser's caseload page", page(signed_in(adviser), "/caseload/"), raw(CASELOAD_SQL, [adviser.pk])),
        (
            "Young person page",
            page(signed_in(adviser), f"/young-people/{person.pk}/"),
            lambda: [query() for query in person_queries],
        ),
        ("Month-end statuses", lambda: services.month_end_statuses_store(month_end=month_end), None),
        (
            "Snapshot from them",
            lambda: services.snapshot_count(month_end=month_end),
            raw(SNAPSHOT_SQL, {"month_end": month_end}),
        ),
    ]
    print(f"\n{'operation':<26} {'median ms':>10} {'queries':>8} {'baseline ms':>12} {'ratio':>7}")
    for name, action, baseline in rows:
        median, queries = timed(action, repeat=1 if baseline is None else REPEAT)
        if baseline is None:
            print(f"{name:<26} {median:>10.1f} {queries:>8} {'-':>12} {'-':>7}")
            continue
        base, _ = timed(baseline)
        print(f"{name:<26} {median:>10.1f} {queries:>8} {base:>12.1f} {median / base:>6.1f}x")
    print(
        f"\n{'purge of due subjects':<22} {'purge s':>8} {'each':>8} {'due + set-wise SQL':>19} {'ratio':>6}"
    )
    for count in (1_000, 10_000):
        purge_s, set_wise_s, destroyed = purge_row(count)
        print(
            f"{destroyed:>7,} subjects{'':<6} {purge_s:>8.1f} {1000 * purge_s / destroyed:>6.2f}ms "
            f"{set_wise_s:>18.1f}s {purge_s / set_wise_s:>5.1f}x (target 2x)"
        )
    return_seconds, return_mb = return_row(month_end)
    print(
        f"\nNCCIS return for {month_end:%B %Y}: {return_seconds:.1f} s, peak {return_mb:.0f} MB",
        "(targets 10 s, flat memory)",
    )
    for rows in (IMPORT_ROWS // 10, IMPORT_ROWS):  # the cost should grow with the file, not the council
        import_seconds, copy_seconds, counts = import_row(rows)
        print(
            f"School roll import of {rows:,} rows: {import_seconds:.1f} s (target for 50,000: 10 s); "
            f"PostgreSQL COPY of the same file {copy_seconds:.2f} s; "
            f"ratio {import_seconds / copy_seconds:.0f}x;",
            counts,
        )
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    people = YoungPerson.objects.count()
    print(
        f"\n{people:,} young people; PostgreSQL; median of {REPEAT} runs after a warm-up;\n"
        f"load average over the last 1, 5 and 15 minutes {load} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
