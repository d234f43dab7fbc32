"""Mint an API token for a staff or system account (run on the server by a system administrator).
The token is printed once and stored hashed; it works for as long as the account is active and has
its authenticator app (two-factor) set up."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import user_has_device

from core import services


class Command(BaseCommand):
    help = "Create an API token for a user with two-factor authentication set up; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=90, help="How long the token works (default 90)")

    def handle(self, *args, username, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError("No active account has that username")
        if not user_has_device(user, confirmed=True):
            raise CommandError("The account must sign in once and set up its authenticator app first")
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366")
        self.stdout.write(services.api_token_create(user=user, days=days))
