"""Demo data for `make run`: a synthetic council of three teams and about 600 young people, with one
login per role and a year of monthly snapshots. Idempotent: a second run changes nothing and prints
the logins again."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Organisation
from core.roles import Role
from core.services import two_factor_secret
from demo.shape import Shape
from demo.synthetic import Generator
from sharing.models import InformationSharingAgreement, LawfulBasis
from tracking import dashboards
from tracking import services as tracking_services

User = get_user_model()
# Synthetic demo accounts only, printed by the command; never in production (the demo is DEBUG's).
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  # nosec B105
SEED = 2026
# username, first name, last name, role, staff; "adviser" and "manager" take over generated accounts.
LOGINS = [
    ("adviser", "Alex", "Adviser", Role.PERSONAL_ADVISER, False),
    ("manager", "Morgan", "Manager", Role.TEAM_MANAGER, False),
    ("service", "Sam", "Service-Manager", Role.SERVICE_MANAGER, False),
    ("dpo", "Dana", "Protection", Role.DATA_PROTECTION_OFFICER, True),
    ("sysadmin", "Sid", "Admin", Role.SYSTEM_ADMINISTRATOR, True),
]


def demo_authenticator(user) -> TOTPDevice:
    """Demo logins come with their authenticator app already set up."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Demo authenticator app"}
    )
    return device


class Command(BaseCommand):
    help = "Load the synthetic demo council (idempotent) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=600)

    def handle(self, *args, young_people, **options):
        if not User.objects.filter(username="dpo").exists():
            self._seed(young_people)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, _, _, role, _ in LOGINS:
            device = demo_authenticator(User.objects.get(username=username))
            self.stdout.write(f"  {role.value:<26} {username:<10} app key {two_factor_secret(device)}")
        self.stdout.write(
            "Open http://127.0.0.1:8000/ (or the PORT given to make run) and sign in. Each login asks for a\n"
            "code from an authenticator app: add the app key above to one, or print the current code with\n"
            "  make code USER=adviser\n"
        )

    def _seed(self, young_people: int) -> None:
        loader = User.objects.create(
            username="demo-loader", first_name="Demo data", last_name="(system)", is_active=False
        )
        Generator(
            Shape(young_people=young_people, teams=3, advisers_per_team=4), seed=SEED, actor=loader
        ).generate()
        with transaction.atomic():
            takeovers = {"adviser": "adviser-01-01", "manager": "manager-01"}
            for username, first, last, role, staff in LOGINS:
                user = User.objects.filter(username=takeovers.get(username, username)).first() or User(
                    username=username
                )
                user.username, user.first_name, user.last_name, user.is_staff = username, first, last, staff
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role.value))
        for month_end in dashboards.month_ends_before(timezone.localdate(), 12):
            tracking_services.snapshot_take(month_end=month_end)
        agreement = InformationSharingAgreement.objects.create(
            title="Post-16 transition and tracking",
            purpose="Enrolment, tracking and support into learning",
            article_6_basis=LawfulBasis.PUBLIC_TASK,
            document_reference="ISA-2026-01",
            categories=["identity", "contact", "education", "activity"],
            starts_on=timezone.localdate().replace(month=1, day=1),
            review_on=timezone.localdate().replace(month=12, day=31),
        )
        agreement.parties.set(Organisation.objects.filter(kind__in=["college", "training_provider"]))
