from django.core.management.base import BaseCommand

from retention import services


class Command(BaseCommand):
    help = "After restoring a backup: destroy again everyone the destruction records name."

    def handle(self, *args, **options):
        self.stdout.write(f"Re-destroyed {services.reapply_destructions()} subjects")
