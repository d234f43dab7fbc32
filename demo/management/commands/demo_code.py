"""The code a demo login's authenticator app would show now (`make run` only: DEBUG)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from demo.management.commands.seed_demo import LOGINS, demo_authenticator

User = get_user_model()


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login (only while DEBUG is on)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=[login[0] for login in LOGINS])

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are for the demo only (DJANGO_DEBUG=1)")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError("Load the demo first: manage.py seed_demo")
        device = demo_authenticator(user)
        self.stdout.write(f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}")
