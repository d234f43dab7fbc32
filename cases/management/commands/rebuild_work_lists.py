from django.core.management.base import BaseCommand

from cases import services


class Command(BaseCommand):
    help = "Work out everyone's work lists for today (the nightly job does this too); safe to run again."

    def handle(self, *args, **options):
        self.stdout.write(f"Work lists rebuilt for {services.work_lists_rebuild()} young people")
