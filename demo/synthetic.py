"""A synthetic council: realistic in shape (rates from docs/domain.md), reproducible (fixed seed), made of
nobody (names from Faker pools, Ofcom drama phone numbers, example.org email, invented postcodes).

Everything is written in bulk, with the history rows the services would write, so a generated council
behaves like a real one.
"""

import multiprocessing
import os
import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.utils import timezone
from faker import Faker

from cases import services as case_services
from cases import validators
from cases.models import (
    Action,
    Attendance,
    Contact,
    Ethnicity,
    Organisation,
    ParentCarer,
    Qualification,
    SensitiveNote,
    Source,
    Team,
    YoungPerson,
)
from core.roles import Role
from demo.rowwriter import RowWriter
from demo.shape import CHARACTERISTICS, DISTRICTS, INWARD_LETTERS, NOT_KNOWN_SHARE, POST16, UNASSIGNED, Shape
from tracking import rules
from tracking import services as tracking_services
from tracking.models import Activity, ActivityCode, Characteristic, CharacteristicCode, Offer, OfferType

User = get_user_model()
BATCH = 5000
CONTACT_TEMPLATES = 4093  # a prime: contacts are copies of these, picked by person and number
# Each person's contacts, made by the database from the templates (portable SQL: PostgreSQL and SQLite).
# How many a person has and which templates they copy follow from their number in the council (n: their
# id less the batch's first id, plus the batch's start), so the council is the same every time, however
# its batches were shared; a contact's author is the lead adviser (or the loader for the unallocated).
CONTACTS_SQL = """
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < %(most)s)
SELECT %(source)s, %(today)s, %(now)s, %(now)s, t.occurred_at, t.method, %(role)s, t.purpose, t.notes, '', '',
       t.duration_minutes, COALESCE(p.lead_adviser_id, %(actor)s), p.id
FROM cases_youngperson p
JOIN k ON k.n <= %(fewest)s + ((p.id + %(shift)s) * 48271) %% %(choices)s
JOIN synthetic_contact t ON t.i = ((p.id + %(shift)s) * 7919 + k.n * 104729) %% 4093
WHERE p.id BETWEEN %(first)s AND %(last)s
"""
CONTACT_COLUMNS = [
    "source",
    "source_date",
    "created_at",
    "updated_at",
    "occurred_at",
    "method",
    "staff_role",
    "purpose",
    "notes",
    "outcome",
    "next_steps",
    "duration_minutes",
    "staff_member_id",
    "young_person_id",
]


class Generator:
    def __init__(self, shape: Shape, *, seed: int, actor, today: date | None = None):
        self.shape, self.actor, self.seed = shape, actor, seed
        self.today = today or timezone.localdate()
        # Synthetic data, not security: a seeded generator so every run makes the same council.
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.given = [fake.first_name() for _ in range(600)]
        self.family = [fake.last_name() for _ in range(800)]
        self.streets = [fake.street_name() for _ in range(400)]
        self.towns = [fake.city() for _ in range(60)]
        self.sentences = [fake.sentence(nb_words=12) for _ in range(300)]
        self.codes = {c.code: c for c in ActivityCode.objects.all()}
        self.characteristic_codes = {c.code: c for c in CharacteristicCode.objects.all()}
        self.offer_types = list(OfferType.objects.filter(suitable=True))
        self.ethnicities = list(Ethnicity.objects.all())
        self.password = make_password(None)  # staff created here cannot sign in until given a password
        self.writer = RowWriter(actor=actor, reason="Synthetic data")
        self._templates_in: tuple[int, int] | None = None

    def pick(self, weighted):
        return self.rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]

    # --- staff and organisations -----------------------------------------------------------------

    def organisations(self) -> dict[str, list[Organisation]]:
        """Schools, colleges, providers and partners, made the first time (a council that grows keeps
        its own)."""
        rows = self._organisation_rows()
        names = [row.name for row in rows]
        if not Organisation.objects.filter(name__in=names).exists():
            self.writer.write(Organisation, rows)
        made: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.filter(name__in=names).order_by("pk"):
            made.setdefault(organisation.kind, []).append(organisation)
        return made

    def _organisation_rows(self) -> list[Organisation]:
        kinds = Organisation.Kind
        rows = [
            Organisation(name=f"{town} Academy", kind=kinds.SCHOOL, urn=f"1{n:05d}", la_code="882")
            for n, town in enumerate(self.towns[:20])
        ]
        rows += [
            Organisation(name=f"{town} College", kind=kinds.COLLEGE, ukprn=f"1{n:07d}")
            for n, town in enumerate(self.towns[20:26])
        ]
        rows += [
            Organisation(name=f"{town} Training", kind=kinds.TRAINING_PROVIDER, ukprn=f"1{n + 100:07d}")
            for n, town in enumerate(self.towns[26:32])
        ]
        rows += [
            Organisation(name=name, kind=kind)
            for name, kind in [
                ("Department for Education", kinds.DFE),
                ("Jobcentre Plus (DWP)", kinds.DWP),
                ("HM Revenue and Customs", kinds.HMRC),
                ("Youth Justice Service", kinds.YOUTH_JUSTICE),
                ("Borough Police", kinds.POLICE),
                ("Community Health Trust", kinds.HEALTH),
                ("Neighbouring County Council", kinds.COUNCIL),
                ("Borough Housing Options", kinds.HOUSING),
                ("Young People's Charity", kinds.VOLUNTARY),
            ]
        ]
        return rows

    def staff(self) -> list[tuple[Team, list]]:
        """Teams, each with its advisers and one manager in the team's group; a council that grows
        keeps its own."""
        names = [f"Team {n + 1:02d}" for n in range(self.shape.teams)]
        if Team.objects.filter(name__in=names).exists():
            return [
                (team, list(team.members.filter(groups__name=Role.PERSONAL_ADVISER).order_by("username")))
                for team in Team.objects.filter(name__in=names).order_by("name")
            ]
        adviser_group = Group.objects.get(name=Role.PERSONAL_ADVISER)
        manager_group = Group.objects.get(name=Role.TEAM_MANAGER)
        teams = []
        for n in range(self.shape.teams):
            team = case_services.team_create(name=names[n], area=self.rng.choice(DISTRICTS), actor=self.actor)
            advisers = User.objects.bulk_create(
                [
                    User(
                        username=f"adviser-{n + 1:02d}-{a + 1:02d}",
                        first_name=self.rng.choice(self.given),
                        last_name=self.rng.choice(self.family),
                        password=self.password,
                    )
                    for a in range(self.shape.advisers_per_team)
                ]
            )
            manager = User.objects.create(
                username=f"manager-{n + 1:02d}",
                first_name=self.rng.choice(self.given),
                last_name=self.rng.choice(self.family),
                password=self.password,
            )
            adviser_group.user_set.add(*advisers)
            manager_group.user_set.add(manager)
            team.members.add(*advisers, manager)
            team.group.user_set.add(manager)
            teams.append((team, advisers))
        return teams

    # --- young people ------------------------------------------------------------------------------

    def date_of_birth(self) -> tuple[date, bool]:
        """Ages 13-19 evenly by academic year, plus SEND young adults to 24 (about 5%)."""
        send_adult = self.rng.random() < 0.05
        academic_age = self.rng.randint(20, 24) if send_adult else self.rng.randint(13, 19)
        start = self.today.year if self.today.month >= 9 else self.today.year - 1
        first = date(start - academic_age - 1, 9, 1)
        born = first + timedelta(days=self.rng.randrange(365))
        return born, send_adult

    def postcode(self) -> str:
        inward = f"{self.rng.randint(1, 9)}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
        return f"{self.rng.choice(DISTRICTS)} {inward}"

    def young_person(self, n: int, team: Team, adviser, schools) -> YoungPerson:
        born, send_adult = self.date_of_birth()
        sen = "E" if send_adult or self.rng.random() < 0.05 else ("K" if self.rng.random() < 0.12 else "N")
        age = rules.academic_age(born, self.today)
        serial = (n * 7919) % 900_000_000  # a bijection on the index: identifiers never collide
        la_digits = f"882{serial:09d}"
        uln_body = str(100_000_000 + serial)
        uln_digit = validators.uln_check_digit(uln_body)
        start = self.today.year if self.today.month >= 9 else self.today.year - 1
        on_file_since = date(start - max(age - 13, 0), 9, 1)  # from Year 9's roll
        return YoungPerson(
            source_date=self.today,
            created_at=timezone.make_aware(datetime.combine(on_file_since, time(9))),
            legal_given_name=self.rng.choice(self.given),
            legal_family_name=self.rng.choice(self.family),
            date_of_birth=born,
            gender=self.rng.choice("FFMMMFX"),
            ethnicity=self.rng.choice(self.ethnicities),
            first_language="English"
            if self.rng.random() < 0.85
            else self.rng.choice(["Polish", "Urdu", "Romanian"]),
            nationality="British",
            country_of_birth="United Kingdom",
            address_line_1=f"{self.rng.randint(1, 200)} {self.rng.choice(self.streets)}",
            town=self.rng.choice(self.towns),
            postcode=self.postcode(),
            phone=f"07700 900{n % 1000:03d}",
            email=f"young.person.{n}@example.org",
            upn=validators.upn_check_letter(la_digits) + la_digits if age <= 16 else "",
            uln=uln_body + str(uln_digit) if age >= 14 and uln_digit is not None and uln_digit < 10 else "",
            school=self.rng.choice(schools),
            fsm_eligible=self.rng.random() < 0.22,
            sen_status=sen,
            has_disability=send_adult,
            looked_after=self.rng.random() < 0.006,
            support_level=self.pick([("universal", 70), ("targeted", 22), ("intensive", 8)]),
            team=team,
            lead_adviser=adviser,
            source=self.rng.choice([Source.SCHOOL, Source.IMPORT, Source.ADVISER]),
        )

    # --- their records -----------------------------------------------------------------------------

    def activities(self, person: YoungPerson) -> list[Activity]:
        age = rules.academic_age(person.date_of_birth, self.today)
        start = date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        school = self.codes["110"]
        if age <= 15:  # at school since Year 7, verified again each September
            year_7 = date(start.year - (age - 11), 9, 1)
            return [
                self._activity(person, school, year_7, start - timedelta(days=1)),
                self._activity(person, school, start, None),
            ]
        left_school = date(person.date_of_birth.year + 16 + (person.date_of_birth.month >= 9), 8, 31)
        history = [self._activity(person, school, left_school - timedelta(days=365), left_school)]
        if self.rng.random() < NOT_KNOWN_SHARE:  # lost touch: the last activity lapsed long ago
            code = self.codes[self.pick(POST16[:12])]
            activity = self._activity(person, code, left_school + timedelta(days=1), None)
            activity.due_to_lapse_date = self.today - timedelta(days=self.rng.randint(10, 200))
            return [*history, activity]
        code = self.codes[self.pick(POST16)]
        began = max(left_school + timedelta(days=1), self.today - timedelta(days=self.rng.randint(20, 600)))
        if began > left_school + timedelta(days=1):  # what they did before, so no gap reads as not known
            before = self.codes[self.pick(POST16[:12] if self.rng.random() < 0.8 else POST16)]
            history.append(
                self._activity(person, before, left_school + timedelta(days=1), began - timedelta(days=1))
            )
        return [*history, self._activity(person, code, began, None)]

    def _activity(self, person, code, start, end) -> Activity:
        ascertained = min(self.today, start + timedelta(days=self.rng.randint(0, 30)))
        activity = Activity(
            source_date=self.today,
            young_person=person,
            code=code,
            start_date=start,
            end_date=end,
            date_ascertained=ascertained,
            date_verified=ascertained,
            source=Source.ADVISER,
            neet_start_date=start if code.status == "neet" else None,
        )
        activity.due_to_lapse_date = None if end else tracking_services.due_to_lapse(activity)
        if activity.due_to_lapse_date and activity.due_to_lapse_date < self.today and end is None:
            activity.due_to_lapse_date = self.today + timedelta(days=self.rng.randint(1, 120))  # kept current
        return activity

    def records(self, person: YoungPerson, schools, colleges) -> dict[type, list]:
        rng = self.rng
        made: dict[type, list] = {
            model: []
            for model in (
                ParentCarer,
                Qualification,
                Attendance,
                Action,
                SensitiveNote,
                Activity,
                Characteristic,
                Offer,
            )
        }
        made[ParentCarer].append(
            ParentCarer(
                source_date=self.today,
                young_person=person,
                name=f"{rng.choice(self.given)} {person.legal_family_name}",
                relationship=rng.choice(["mother", "father", "grandparent"]),
                is_main_contact=True,
                address=person.address_line_1,
                postcode=person.postcode,
                phone=f"07700 901{person.pk % 1000:03d}",
                source=Source.SCHOOL,
            )
        )
        age = rules.academic_age(person.date_of_birth, self.today)
        made[Attendance].append(
            Attendance(
                source_date=self.today,
                young_person=person,
                school=person.school,
                academic_year=self.today.year - 1,
                sessions_possible=380,
                sessions_attended=(attended := rng.randint(290, 380)),
                unauthorised_absences=(380 - attended) // 2,
                authorised_absences=(380 - attended) - (380 - attended) // 2,
                suspensions=rng.choice([0] * 12 + [1, 2, 3]),
                source=Source.SCHOOL,
            )
        )
        if age >= 17:
            made[Qualification] += [
                Qualification(
                    source_date=self.today,
                    young_person=person,
                    qualification_type="gcse",
                    subject=subject,
                    level="2",
                    grade=str(rng.randint(3, 9)),
                    source=Source.SCHOOL,
                )
                for subject in ("English", "Maths")
            ]
        if rng.random() < 0.4:
            made[Action].append(
                Action(
                    source_date=self.today,
                    young_person=person,
                    description=rng.choice(self.sentences),
                    owner=rng.choice(list(Action.Owner)),
                    due_on=self.today + timedelta(days=rng.randint(-20, 40)),
                )
            )
        if rng.random() < 0.03:
            made[SensitiveNote].append(
                SensitiveNote(
                    source_date=self.today,
                    young_person=person,
                    category="health",
                    note=rng.choice(self.sentences),
                    recorded_by_id=person.lead_adviser_id or self.actor.pk,
                )
            )
        made[Activity] = self.activities(person)
        for code, share in CHARACTERISTICS:
            if rng.random() < share:
                made[Characteristic].append(
                    Characteristic(
                        source_date=self.today,
                        young_person=person,
                        code=self.characteristic_codes[code],
                        start_date=self.today - timedelta(days=rng.randint(30, 900)),
                    )
                )
        cohort_year = rules.guarantee_year(
            rules.PersonFacts(id=0, date_of_birth=person.date_of_birth), self.today
        )
        if cohort_year and rng.random() < 0.946:
            made[Offer].append(
                Offer(
                    source_date=self.today,
                    young_person=person,
                    guarantee_year=cohort_year,
                    offer_type=rng.choice(self.offer_types),
                    provider=rng.choice(colleges),
                    offered_on=self.today - timedelta(days=rng.randint(0, 60)),
                )
            )
        return made

    def contact_templates(self) -> None:
        """The templates every contact copies, in a temporary table."""
        connection.ensure_connection()
        if self._templates_in == (os.getpid(), id(connection.connection)):
            return  # this process's connection has them
        self._templates_in = (os.getpid(), id(connection.connection))
        rng = random.Random(f"{self.seed}/contacts")  # noqa: S311  # nosec B311
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS synthetic_contact")
            cursor.execute(
                "CREATE TEMPORARY TABLE synthetic_contact (i integer PRIMARY KEY, occurred_at timestamp with "
                "time zone, method varchar(16), purpose varchar(16), notes text, duration_minutes smallint)"
            )
        self.writer.insert_rows(
            "synthetic_contact",
            ["i", "occurred_at", "method", "purpose", "notes", "duration_minutes"],
            (
                (
                    i,
                    timezone.make_aware(
                        datetime.combine(
                            self.today - timedelta(days=rng.randint(1, 700)), time(rng.randint(9, 16))
                        )
                    ),
                    rng.choice(list(Contact.Method)).value,
                    rng.choice(list(Contact.Purpose)).value,
                    rng.choice(self.sentences),
                    rng.choice([15, 30, 45]),
                )
                for i in range(CONTACT_TEMPLATES)
            ),
        )

    def contacts(self, start: int, first: int, last: int) -> int:
        """The contacts of the people numbered from ``start``, with ids ``first`` to ``last`` (one run of
        reserved ids): about ``contacts_per_person`` each."""
        spread = min(self.shape.contacts_per_person, 6)
        if not self.shape.contacts_per_person:
            return 0
        ops = connection.ops
        params = {
            "most": self.shape.contacts_per_person + spread,
            "fewest": self.shape.contacts_per_person - spread,
            "choices": 2 * spread + 1,
            "source": Source.ADVISER.value,
            "role": Contact.StaffRole.PERSONAL_ADVISER.value,
            "today": ops.adapt_datefield_value(self.today),
            "now": ops.adapt_datetimefield_value(self.writer.now),
            "actor": self.actor.pk,
            "first": first,
            "last": last,
            "shift": start - first,
        }
        return self.writer.write_select(Contact, CONTACT_COLUMNS, CONTACTS_SQL, params, of=(first, last))

    def generate(self, workers: int = 1) -> dict[str, int]:
        """Add young people until the council has ``shape.young_people`` (an empty database gets its
        organisations and staff first), in batches of ``BATCH`` shared among ``workers`` processes
        (PostgreSQL only: while one builds rows in Python, the other's are written). Each batch draws
        from a seed of its own, so the same steps make the same people whatever the order."""
        existing = YoungPerson.objects.count()
        organisations = self.organisations()
        self.schools = organisations[Organisation.Kind.SCHOOL]
        self.colleges = organisations[Organisation.Kind.COLLEGE]
        self.teams = self.staff()
        starts = range(existing, self.shape.young_people, BATCH)
        counts: Counter[str] = Counter()
        if workers > 1 and len(starts) > 1 and connection.vendor == "postgresql":
            global _running
            _running = self
            connections.close_all()  # each process opens its own
            with multiprocessing.get_context("fork").Pool(workers, initializer=_own_connections) as pool:
                for made in pool.imap_unordered(_batch_in_worker, starts):
                    counts.update(made)
        else:
            for start in starts:
                counts.update(self.batch(start))
        case_services.work_lists_rebuild()  # everyone's lists for today, as the night's job leaves them
        return {"YoungPerson": 0, **counts}

    @transaction.atomic
    def batch(self, start: int) -> dict[str, int]:
        """The young people ``start`` to ``start + BATCH`` (or the council's size) with their records."""
        self.rng.seed(f"{self.seed}/{start}")
        self.contact_templates()
        people = []
        for n in range(start, min(start + BATCH, self.shape.young_people)):
            team, advisers = self.teams[n % len(self.teams)]
            adviser = advisers[(n // len(self.teams)) % len(advisers)]
            people.append(
                self.young_person(n, team, None if self.rng.random() < UNASSIGNED else adviser, self.schools)
            )
        self.writer.write(YoungPerson, people)
        made: dict[type, list] = {}
        for person in people:
            for model, rows in self.records(person, self.schools, self.colleges).items():
                made.setdefault(model, []).extend(rows)
        counts = {"YoungPerson": len(people)}
        for model, rows in made.items():
            self.writer.write(model, rows)
            counts[model.__name__] = len(rows)
        counts["Contact"] = self.contacts(start, people[0].pk, people[-1].pk)
        case_services.caseload_facts_refresh(person.pk for person in people)
        counts["CurrentStatus"] = tracking_services.status_refresh(
            young_person_ids=[person.pk for person in people], on=self.today
        )
        return counts


_running: Generator | None = None  # the generator a worker process inherits when forked
_inherited: list[object] = []


def _own_connections() -> None:
    """In a forked worker: never touch a database connection the parent left open (seen under the
    test runner, where a test may keep one): its socket is the parent's, and two processes on one
    socket corrupt both. Each is set aside, unclosed (closing would end the parent's session), and
    the worker opens its own."""
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _inherited.append(wrapper.connection)
            wrapper.connection = None


def _batch_in_worker(start: int) -> dict[str, int]:
    assert _running is not None  # noqa: S101  # nosec B101 - set before the pool forks
    return _running.batch(start)
