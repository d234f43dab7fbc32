from django.core.management.base import BaseCommand

from tracking import services


class Command(BaseCommand):
    help = "Re-evaluate every young person's status by the tracking rules (the nightly job does this too)."

    def handle(self, *args, **options):
        self.stdout.write(f"Refreshed {services.status_refresh()} statuses")
