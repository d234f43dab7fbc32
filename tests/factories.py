"""Synthetic, reproducible test data (Faker seeded once per session in conftest). Young people are
created through cases.services so they carry their grants and history like real ones."""

import random
from datetime import date, datetime, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import services, validators
from cases.models import Contact, Organisation, ParentCarer, Qualification, SensitiveNote, Team, YoungPerson
from core.roles import Role
from exchange.models import ImportBatch
from sharing.models import Breach

User = get_user_model()
_rng = random.Random(7)


def valid_upn() -> str:
    body = f"882{_rng.randrange(10**8, 10**9)}"
    return validators.upn_check_letter(body) + body


def valid_uln() -> str:
    while True:
        first_nine = str(_rng.randrange(10**8, 10**9))
        digit = validators.uln_check_digit(first_nine)
        if digit is not None and digit < 10:
            return first_nine + str(digit)


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def role(self, create, role: Role | None, **kwargs):
        if role is not None:
            self.groups.add(Group.objects.get(name=role.value))


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def otp_code(user) -> str:
    """The code the user's app shows now; the device forgets its last code so tests may sign in
    twice within one 30-second step (django-otp refuses a code used before)."""
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in_verified(client, user) -> None:
    """Sign ``client`` in as ``user`` with a session that passed the two-factor check."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.team_create(name=kwargs["name"], area=kwargs.get("area", ""), actor=None)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Faker("company")
    kind = Organisation.Kind.SCHOOL


class ImportBatchFactory(factory.django.DjangoModelFactory):
    """An uploaded file's batch: pass ``team`` and ``uploaded_by`` (world.service_manager)."""

    class Meta:
        model = ImportBatch

    file_format = ImportBatch.Format.SCHOOL_ROLL
    source_organisation = factory.SubFactory(OrganisationFactory)
    file_name = "roll.csv"
    file_sha256 = factory.Sequence(lambda n: f"{n:064d}")


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson

    legal_given_name = factory.Faker("first_name")
    legal_family_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: years_ago(16, _rng.randint(1, 300)))
    postcode = factory.Faker("postcode")
    upn = factory.LazyFunction(valid_upn)
    uln = factory.LazyFunction(valid_uln)
    team = factory.SubFactory(TeamFactory)
    lead_adviser = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["postcode"] = validators.normalise_postcode(kwargs["postcode"])
        on_file_since = kwargs.pop("on_file_since", None)  # a date: the record existed from then
        person = services.young_person_create(actor=kwargs.get("lead_adviser"), **kwargs)
        if on_file_since is not None:
            return on_file_from(person, on_file_since)
        return person


def a_year_ago() -> date:
    return timezone.localdate() - timedelta(days=365)


def on_file_from(person: YoungPerson, day: date) -> YoungPerson:
    """Date a record's creation back to ``day`` (noon, local time): as if recorded then, and its
    work lists as the night's rebuild would find them (a record's creation date never changes)."""
    created = timezone.make_aware(datetime.combine(day, time(12)))
    YoungPerson.objects.filter(pk=person.pk).update(created_at=created)
    services.work_lists_refresh([person.pk])
    person.created_at = created
    return person


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    young_person = factory.SubFactory(YoungPersonFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=_rng.randint(1, 100)))
    method = Contact.Method.PHONE
    purpose = Contact.Purpose.GUIDANCE
    staff_member = factory.SubFactory(UserFactory)
    notes = factory.Faker("paragraph")


class BreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Breach

    aware_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    what_happened = "A letter sent to the wrong address"
    breach_type = "confidentiality"
    risk = "risk"
    risk_assessment = "One name and address"
    recorded_by = factory.SubFactory(UserFactory)


class ParentCarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentCarer

    young_person = factory.SubFactory(YoungPersonFactory)
    name = factory.Faker("name")
    relationship = ParentCarer.Relationship.MOTHER


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    young_person = factory.SubFactory(YoungPersonFactory)
    qualification_type = Qualification.Type.GCSE
    subject = "Maths"
    level = Qualification.Level.L2
    grade = "6"


class SensitiveNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SensitiveNote

    young_person = factory.SubFactory(YoungPersonFactory)
    category = SensitiveNote.Category.HEALTH
    note = factory.Faker("sentence")
    recorded_by = factory.SubFactory(UserFactory)


def synthetic_council(young_people: int, *, seed: int, contacts_per_person: int = 0) -> None:
    """A synthetic council of two teams with two advisers each (demo.synthetic: Faker with a fixed seed),
    loaded by a user named loader."""
    from demo.shape import Shape
    from demo.synthetic import Generator

    shape = Shape(
        young_people=young_people, teams=2, advisers_per_team=2, contacts_per_person=contacts_per_person
    )
    Generator(shape, seed=seed, actor=UserFactory(username="loader")).generate()
