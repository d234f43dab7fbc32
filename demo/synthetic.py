"""A synthetic council: realistic in shape (rates from docs/domain.md), reproducible (fixed seed), made of
nobody (names from Faker pools, Ofcom drama phone numbers, example.org email, invented postcodes).

Everything is written in bulk, with the history rows the services would write, so a generated council
behaves like a real one.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
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


class Generator:
    def __init__(self, shape: Shape, *, seed: int, actor, today: date | None = None):
        self.shape, self.actor = shape, actor
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

    def pick(self, weighted):
        return self.rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]

    # --- staff and organisations -----------------------------------------------------------------

    def organisations(self) -> dict[str, list[Organisation]]:
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
        self.writer.write(Organisation, rows)
        made: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.all():
            made.setdefault(organisation.kind, []).append(organisation)
        return made

    def staff(self) -> list[tuple[Team, list]]:
        """Teams, each with its advisers and one manager in the team's group."""
        adviser_group = Group.objects.get(name=Role.PERSONAL_ADVISER)
        manager_group = Group.objects.get(name=Role.TEAM_MANAGER)
        teams = []
        for n in range(self.shape.teams):
            team = case_services.team_create(
                name=f"Team {n + 1:02d}", area=self.rng.choice(DISTRICTS), actor=self.actor
            )
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
                Contact,
                Action,
                SensitiveNote,
                Activity,
                Characteristic,
                Offer,
            )
        }
        made[ParentCarer].append(
            ParentCarer(
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
                    young_person=person,
                    qualification_type="gcse",
                    subject=subject,
                    level="2",
                    grade=str(rng.randint(3, 9)),
                    source=Source.SCHOOL,
                )
                for subject in ("English", "Maths")
            ]
        for _ in range(max(0, int(rng.gauss(self.shape.contacts_per_person, 3)))):
            when = datetime.combine(
                self.today - timedelta(days=rng.randint(1, 700)), time(rng.randint(9, 16))
            )
            made[Contact].append(
                Contact(
                    young_person=person,
                    occurred_at=timezone.make_aware(when),
                    method=rng.choice(list(Contact.Method)),
                    staff_member_id=person.lead_adviser_id or self.actor.pk,
                    purpose=rng.choice(list(Contact.Purpose)),
                    notes=rng.choice(self.sentences),
                    duration_minutes=rng.choice([15, 30, 45]),
                    source=Source.ADVISER,
                )
            )
        if rng.random() < 0.4:
            made[Action].append(
                Action(
                    young_person=person,
                    description=rng.choice(self.sentences),
                    owner=rng.choice(list(Action.Owner)),
                    due_on=self.today + timedelta(days=rng.randint(-20, 40)),
                )
            )
        if rng.random() < 0.03:
            made[SensitiveNote].append(
                SensitiveNote(
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
                    young_person=person,
                    guarantee_year=cohort_year,
                    offer_type=rng.choice(self.offer_types),
                    provider=rng.choice(colleges),
                    offered_on=self.today - timedelta(days=rng.randint(0, 60)),
                )
            )
        return made

    def generate(self) -> dict[str, int]:
        organisations = self.organisations()
        schools = organisations[Organisation.Kind.SCHOOL]
        colleges = organisations[Organisation.Kind.COLLEGE]
        teams = self.staff()
        counts: dict[str, int] = {}
        for start in range(0, self.shape.young_people, BATCH):
            with transaction.atomic():
                people = []
                for n in range(start, min(start + BATCH, self.shape.young_people)):
                    team, advisers = teams[n % len(teams)]
                    adviser = advisers[(n // len(teams)) % len(advisers)]
                    people.append(
                        self.young_person(
                            n, team, None if self.rng.random() < UNASSIGNED else adviser, schools
                        )
                    )
                self.writer.write(YoungPerson, people)
                batch: dict[type, list] = {}
                for person in people:
                    for model, rows in self.records(person, schools, colleges).items():
                        batch.setdefault(model, []).extend(rows)
                for model, rows in batch.items():
                    self.writer.write(model, rows)
                    counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)
        counts["YoungPerson"] = self.shape.young_people
        counts["CurrentStatus"] = tracking_services.status_refresh(on=self.today)
        return counts
