"""Demo data for `make run`: a council with three teams, one login per role and about 600 young
people with parents, education, contacts and actions. Synthetic (Faker, fixed seed) and idempotent:
a second run changes nothing and prints the logins again."""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from cases import services, validators
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
    YoungPerson,
)
from youthservice.roles import Role

User = get_user_model()
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - synthetic demo accounts only, printed by the command
SEED = 2026
TEAMS = [("North team", "North of the borough"), ("Central team", "Town centre"), ("South team", "Coast")]
LOGINS = [
    ("adviser", "Alex", "Adviser", Role.PERSONAL_ADVISER, False),
    ("manager", "Morgan", "Manager", Role.TEAM_MANAGER, False),
    ("service", "Sam", "Service-Manager", Role.SERVICE_MANAGER, False),
    ("dpo", "Dana", "Protection", Role.DATA_PROTECTION_OFFICER, True),
    ("sysadmin", "Sid", "Admin", Role.SYSTEM_ADMINISTRATOR, True),
]


def valid_upn(rng: random.Random, la_code: str) -> str:
    body = f"{la_code}{rng.randrange(10**8, 10**9)}"
    return validators.upn_check_letter(body) + body


def valid_uln(rng: random.Random) -> str:
    while True:
        first_nine = str(rng.randrange(10**8, 10**9))
        if (digit := validators.uln_check_digit(first_nine)) is not None and digit < 10:
            return first_nine + str(digit)


class Command(BaseCommand):
    help = "Load the synthetic demo council (idempotent) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=600)

    def handle(self, *args, young_people, **options):
        if not User.objects.filter(username="dpo").exists():
            with transaction.atomic():
                self._seed(young_people)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, _, _, role, _ in LOGINS:
            self.stdout.write(f"  {role.value:<26} {username}")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in.\n")

    def _seed(self, count: int) -> None:
        fake = Faker("en_GB")
        fake.seed_instance(SEED)
        rng = random.Random(SEED)  # noqa: S311 - synthetic data, not security
        system = self._user("sysadmin-seed", "Seed", "Loader", None, staff=False, active=False)
        organisations = self._organisations(fake, system)
        schools = [o for o in organisations if o.kind == Organisation.Kind.SCHOOL]
        teams = [services.team_create(name=name, area=area, actor=system) for name, area in TEAMS]

        for username, first, last, role, staff in LOGINS:
            user = self._user(username, first, last, role, staff=staff)
            if role in (Role.PERSONAL_ADVISER, Role.TEAM_MANAGER):
                services.team_member_add(team=teams[0], user=user, actor=system)
        advisers = [User.objects.get(username="adviser")]
        for index in range(11):
            user = self._user(
                f"adviser{index + 2}", fake.first_name(), fake.last_name(), Role.PERSONAL_ADVISER
            )
            advisers.append(user)
        for index, adviser in enumerate(advisers):
            if index:
                services.team_member_add(team=teams[index % 3], user=adviser, actor=system)
        for team in teams[1:]:
            manager = self._user(
                f"manager-{team.name.split()[0].lower()}",
                fake.first_name(),
                fake.last_name(),
                Role.TEAM_MANAGER,
            )
            services.team_member_add(team=team, user=manager, actor=system)

        ethnicities = list(Ethnicity.objects.all())
        today = timezone.localdate()
        people = []
        for index in range(count):
            adviser = advisers[index % len(advisers)]
            team = adviser.teams.first()
            people.append(self._young_person(fake, rng, today, team, adviser, schools, ethnicities, system))
        self._records(fake, rng, today, people, schools, advisers)

    def _user(self, username, first, last, role, *, staff=False, active=True):
        user = User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            is_staff=staff,
            is_active=active,
        )
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    def _organisations(self, fake, actor):
        kind = Organisation.Kind
        specs = [(f"{fake.unique.city()} Academy", kind.SCHOOL, f"1{index:05d}", "") for index in range(8)]
        specs += [(f"{fake.unique.city()} College", kind.COLLEGE, "", f"1{index:07d}") for index in range(3)]
        specs += [
            (f"{fake.company()} Training", kind.TRAINING_PROVIDER, "", f"1{index + 50:07d}")
            for index in range(2)
        ]
        specs += [
            ("Department for Education", kind.DFE, "", ""),
            ("Jobcentre Plus (DWP)", kind.DWP, "", ""),
            ("Youth Justice Service", kind.YOUTH_JUSTICE, "", ""),
            ("Borough Police", kind.POLICE, "", ""),
            ("Community Health Trust", kind.HEALTH, "", ""),
            ("Neighbouring County Council", kind.COUNCIL, "", ""),
            ("Borough Housing Options", kind.HOUSING, "", ""),
            ("Young People's Charity", kind.VOLUNTARY, "", ""),
        ]
        return [
            services.tracked_save(
                Organisation(name=name, kind=kind, urn=urn, ukprn=ukprn, la_code="882" if urn else ""),
                actor=actor,
                reason="Demo data",
            )
            for name, kind, urn, ukprn in specs
        ]

    def _young_person(self, fake, rng, today, team, adviser, schools, ethnicities, actor):
        send = rng.random() < 0.06
        age = rng.randint(19, 24) if send and rng.random() < 0.5 else rng.randint(13, 18)
        born = today - timedelta(days=age * 365 + rng.randint(10, 350))
        gender = rng.choice(
            [
                YoungPerson.Gender.FEMALE,
                YoungPerson.Gender.MALE,
                YoungPerson.Gender.MALE,
                YoungPerson.Gender.FEMALE,
                YoungPerson.Gender.OTHER,
            ]
        )
        given = fake.first_name_female() if gender == YoungPerson.Gender.FEMALE else fake.first_name_male()
        return services.young_person_create(
            actor=actor,
            team=team,
            lead_adviser=adviser,
            reason="Demo data",
            legal_given_name=given,
            legal_family_name=fake.last_name(),
            preferred_name=given[:3] if rng.random() < 0.1 else "",
            date_of_birth=born,
            gender=gender,
            ethnicity=rng.choice(ethnicities),
            first_language="English"
            if rng.random() < 0.85
            else rng.choice(["Polish", "Urdu", "Romanian", "Arabic"]),
            nationality="British" if rng.random() < 0.9 else rng.choice(["Polish", "Romanian", "Afghan"]),
            country_of_birth="United Kingdom" if rng.random() < 0.9 else rng.choice(["Poland", "Romania"]),
            address_line_1=fake.street_address().split("\n")[0],
            town=fake.city(),
            postcode=validators.normalise_postcode(fake.postcode()),
            phone=fake.cellphone_number() if hasattr(fake, "cellphone_number") else fake.phone_number(),
            email=fake.free_email(),
            upn=valid_upn(rng, "882") if age < 17 else "",
            uln=valid_uln(rng) if age >= 14 else "",
            school=rng.choice(schools),
            fsm_eligible=rng.random() < 0.22,
            sen_status=YoungPerson.SenStatus.EHC_PLAN
            if send
            else (YoungPerson.SenStatus.SEN_SUPPORT if rng.random() < 0.12 else YoungPerson.SenStatus.NONE),
            has_disability=send and rng.random() < 0.5,
            looked_after=rng.random() < 0.02,
            care_leaver=age >= 18 and rng.random() < 0.03,
            support_level=rng.choice(list(YoungPerson.SupportLevel)),
            source=rng.choice([Source.SCHOOL, Source.IMPORT, Source.ADVISER]),
        )

    def _records(self, fake, rng, today, people, schools, advisers):
        parents, quals, attendance, contacts, actions, notes = [], [], [], [], [], []
        for person in people:
            for _ in range(rng.choice([1, 1, 2])):
                parents.append(
                    ParentCarer(
                        young_person=person,
                        name=fake.name(),
                        is_main_contact=not parents or parents[-1].young_person != person,
                        relationship=rng.choice(["mother", "father", "grandparent", "foster_carer"]),
                        address=person.address_line_1,
                        postcode=person.postcode,
                        phone=fake.phone_number(),
                        source=Source.SCHOOL,
                    )
                )
            age = person.age_on(today)
            if age >= 16:
                for subject in rng.sample(["English", "Maths", "Science", "History", "Art", "Computing"], 3):
                    quals.append(
                        Qualification(
                            young_person=person,
                            qualification_type=Qualification.Type.GCSE,
                            subject=subject,
                            level=Qualification.Level.L2,
                            grade=str(rng.randint(3, 9)),
                            awarded_on=date(today.year - (age - 16) - (1 if today.month < 9 else 0), 8, 20),
                            source=Source.SCHOOL,
                        )
                    )
            possible = 380
            attended = rng.randint(250, 380)
            attendance.append(
                Attendance(
                    young_person=person,
                    school=person.school,
                    academic_year=today.year - 1,
                    sessions_possible=possible,
                    sessions_attended=attended,
                    authorised_absences=(possible - attended) // 2,
                    unauthorised_absences=(possible - attended) - (possible - attended) // 2,
                    absence_reasons="Illness; medical appointments" if attended < 340 else "",
                    suspensions=rng.choice([0, 0, 0, 1, 2]),
                    source=Source.SCHOOL,
                )
            )
            for _ in range(rng.randint(0, 6)):
                when = timezone.make_aware(
                    datetime.combine(today - timedelta(days=rng.randint(1, 400)), time(rng.randint(9, 16)))
                )
                contacts.append(
                    Contact(
                        young_person=person,
                        occurred_at=when,
                        method=rng.choice(list(Contact.Method)),
                        staff_member=person.lead_adviser,
                        purpose=rng.choice(list(Contact.Purpose)),
                        notes=fake.paragraph(nb_sentences=3),
                        outcome=fake.sentence(),
                        next_steps=fake.sentence(),
                        duration_minutes=rng.choice([15, 30, 45, 60]),
                    )
                )
            for _ in range(rng.randint(0, 3)):
                due = today + timedelta(days=rng.randint(-30, 60))
                done = due < today and rng.random() < 0.6
                actions.append(
                    Action(
                        young_person=person,
                        description=fake.sentence(nb_words=8),
                        owner=rng.choice(list(Action.Owner)),
                        due_on=due,
                        completed_on=due if done else None,
                        completed_by=person.lead_adviser if done else None,
                    )
                )
            if rng.random() < 0.08:
                notes.append(
                    SensitiveNote(
                        young_person=person,
                        category=rng.choice(list(SensitiveNote.Category)),
                        note=fake.paragraph(nb_sentences=2),
                        recorded_by=person.lead_adviser,
                    )
                )
        system = User.objects.get(username="sysadmin-seed")
        for model, rows in (
            (ParentCarer, parents),
            (Qualification, quals),
            (Attendance, attendance),
            (Contact, contacts),
            (Action, actions),
            (SensitiveNote, notes),
        ):
            bulk_create_with_history(
                rows, model, batch_size=500, default_user=system, default_change_reason="Demo data"
            )
